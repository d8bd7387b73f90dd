using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenRotation.Telemetry;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The app's one OpenTelemetry pipeline, composed as Program.cs does, with in-memory exporters in place of Azure
/// Monitor: the engine's meter, activity source and Information-level events all reach it.
/// </summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Logs_metrics_and_traces_of_the_engine_reach_the_pipeline_at_Information_level()
    {
        var metrics = new List<Metric>();
        var spans = new List<Activity>();
        var logs = new List<LogRecord>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(FunctionsTestHost.DefaultSettings()).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTokenRotationFunctions(configuration);
        services.AddTokenRotationTelemetry(configuration)
            .WithMetrics(m => m.AddInMemoryExporter(metrics))
            .WithTracing(t => t.AddInMemoryExporter(spans))
            .WithLogging(l => l.AddInMemoryExporter(logs));
        await using var provider = services.BuildServiceProvider();
        var meterProvider = provider.GetRequiredService<MeterProvider>();
        var tracerProvider = provider.GetRequiredService<TracerProvider>();

        var telemetry = provider.GetRequiredService<RotationTelemetry>();
        using (RotationTelemetry.ActivitySource.StartActivity("connection.run"))
        {
            telemetry.Succeeded("sales-orders", "Tba", "promote", "token promoted");
        }

        meterProvider.ForceFlush();
        tracerProvider.ForceFlush();
        provider.GetRequiredService<LoggerProvider>().ForceFlush();

        Assert.Contains(metrics, m => m.MeterName == RotationTelemetry.MeterName && m.Name == "rotation.succeeded");
        Assert.Contains(spans, s => s.Source.Name == RotationTelemetry.ActivitySourceName && s.OperationName == "connection.run");
        var succeeded = Assert.Single(logs, l => l.EventId.Name == RotationEvents.RotationSucceeded);
        Assert.Equal(LogLevel.Information, succeeded.LogLevel);
        Assert.Contains(succeeded.Attributes!, a => a.Key == "Connection" && (string?)a.Value == "sales-orders");
        Assert.Contains("sales-orders", succeeded.FormattedMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Azure_Monitor_exporter_is_added_only_when_the_connection_string_is_set()
    {
        static bool HasAzureMonitor(IDictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddTokenRotationTelemetry(configuration);
            return services.Any(d =>
                (d.ServiceType.Namespace?.StartsWith("Azure.Monitor", StringComparison.Ordinal) ?? false)
                || (d.ImplementationType?.Namespace?.StartsWith("Azure.Monitor", StringComparison.Ordinal) ?? false));
        }

        var without = FunctionsTestHost.DefaultSettings();
        var with = FunctionsTestHost.DefaultSettings();
        with[FunctionsComposition.ApplicationInsightsConnectionString] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://ingest.example.net/";

        Assert.False(HasAzureMonitor(without));
        Assert.True(HasAzureMonitor(with));
    }
}
