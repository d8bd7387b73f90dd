using Azure.Data.Tables;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using TokenRotation.Configuration;
using TokenRotation.Coordination;
using TokenRotation.Functions.Middleware;
using TokenRotation.Functions.Queues;
using TokenRotation.Functions.Status;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Functions;

/// <summary>
/// The Functions app's composition root. Program.cs calls it on the host builder; the tests call it on
/// their own service collection, so what the tests resolve is what the host runs.
/// </summary>
public static class FunctionsComposition
{
    /// <summary>The app setting that turns on the Azure Monitor exporter (set by infra/, absent locally).</summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Polly's meter: the resilience pipelines' events (retries, rate-limiter waits, breaker state).</summary>
    public const string PollyMeterName = "Polly";

    public static IServiceCollection AddTokenRotationFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTokenRotation(configuration);
        services.TryAddSingleton<IPoisonedWorkLog>(sp => new TablePoisonedWorkLog(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(TablePoisonedWorkLog.DefaultTableName)));
        services.TryAddSingleton<PoisonedWorkRecorder>();
        services.TryAddSingleton<StatusReportBuilder>();
        services.TryAddSingleton<TokenRotation.Connections.OrphanAcknowledger>();
        services.TryAddSingleton<TokenRotation.Connections.CredentialUpdater>();
        services.TryAddSingleton<FunctionErrorMiddleware>();
        services.AddOptions<OperatorAuthOptions>().Bind(configuration.GetSection(OperatorAuthOptions.SectionName));
        services.AddHttpClient(nameof(EntraSigningKeys));
        services.TryAddSingleton<IOperatorSigningKeys, EntraSigningKeys>();
        services.TryAddSingleton<OperatorAuthMiddleware>();
        return services;
    }

    /// <summary>
    /// One OpenTelemetry pipeline for logs, metrics (meters <see cref="RotationTelemetry.MeterName"/> and Polly) and
    /// traces (<see cref="RotationTelemetry.ActivitySourceName"/>), with the worker's defaults (which also tell the host
    /// not to send the worker's logs a second time). The Azure Monitor exporter is added only when
    /// <see cref="ApplicationInsightsConnectionString"/> is set; its credential is the app's managed identity when one is
    /// configured. No Application Insights logger and no level filter: the alert rules query Information events.
    /// </summary>
    public static IOpenTelemetryBuilder AddTokenRotationTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithLogging(configureBuilder: null, configureOptions: logs =>
            {
                logs.IncludeFormattedMessage = true;
                logs.IncludeScopes = true;
                logs.ParseStateValues = true;
            })
            .WithMetrics(metrics => metrics.AddMeter(RotationTelemetry.MeterName, PollyMeterName))
            .WithTracing(tracing => tracing.AddSource(RotationTelemetry.ActivitySourceName));

        if (UsesAzureMonitor(configuration))
        {
            var identity = configuration[$"{KeyVaultOptions.SectionName}:{nameof(KeyVaultOptions.ManagedIdentityClientId)}"];
            telemetry.UseAzureMonitorExporter(exporter =>
            {
                exporter.ConnectionString = configuration[ApplicationInsightsConnectionString];
                if (!string.IsNullOrWhiteSpace(identity))
                {
                    exporter.Credential = StorageClients.CreateCredential(new KeyVaultOptions { ManagedIdentityClientId = identity });
                }
            });
        }

        return telemetry;
    }

    public static bool UsesAzureMonitor(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration?[ApplicationInsightsConnectionString]);
}
