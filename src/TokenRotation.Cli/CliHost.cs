using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenRotation.Configuration;
using TokenRotation.Coordination;

namespace TokenRotation.Cli;

/// <summary>The options every command takes (<c>--settings</c>, <c>--local</c>), made once per invocation.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Settings { get; } = new("--settings")
    {
        Description = "A settings file: appsettings.json shape, or the Functions app's local.settings.json (its Values are read). Read after appsettings.json and environment variables.",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<string?> Local { get; } = new("--local")
    {
        Description = "Use the file-backed store in FOLDER (state-vault/, consumer-vault/, keys/) instead of Key Vault and Azure Storage.",
        HelpName = "FOLDER",
        Recursive = true,
    };
}

/// <summary>A configuration or composition problem, reported with exit code 2 and a message that names the setting.</summary>
public sealed class CliConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Composes the same engine and stores as the Functions app (<see cref="ServiceCollectionExtensions.AddTokenRotation"/>),
/// from the same settings: <c>appsettings.json</c> in the working directory, environment variables
/// (<c>KeyVault__StateVaultUri</c>), then <c>--settings FILE</c>. With <c>--local FOLDER</c> the stores are the
/// file-backed ones the demo uses.
/// </summary>
public static class CliHost
{
    /// <summary>Defaults when running on the local store: consent links point at the Functions app run locally.</summary>
    public static readonly IReadOnlyDictionary<string, string?> LocalDefaults = new Dictionary<string, string?>
    {
        ["TokenRotation:PublicBaseUrl"] = "http://localhost:7071",
    };

    /// <summary>NetSuite's data-center discovery URL (doctor); the simulator serves it at <c>{base}/rest/datacenterurls</c>.</summary>
    public const string DataCenterUrlsSetting = "NetSuite:DataCenterUrlsUrl";

    public static IConfigurationRoot BuildConfiguration(CliConsole console, string? settingsFile, bool local)
    {
        ArgumentNullException.ThrowIfNull(console);
        var builder = new ConfigurationBuilder();
        if (local)
        {
            builder.AddInMemoryCollection(LocalDefaults);
        }

        builder.AddJsonFile(Path.Combine(console.WorkingDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        if (console.EnvironmentVariables is { } environment)
        {
            builder.AddInMemoryCollection(environment
                .Where(e => e.Key.Contains("__", StringComparison.Ordinal))
                .Select(e => new KeyValuePair<string, string?>(e.Key.Replace("__", ":", StringComparison.Ordinal), e.Value)));
        }

        if (settingsFile is not null)
        {
            builder.AddInMemoryCollection(ReadSettingsFile(Path.GetFullPath(settingsFile, console.WorkingDirectory)));
        }

        return builder.Build();
    }

    /// <summary>The settings for naming an endpoint in an error message, or null when they cannot be read.</summary>
    public static IConfigurationRoot? TryBuildConfiguration(CliConsole console, string? settingsFile, bool local)
    {
        try
        {
            return BuildConfiguration(console, settingsFile, local);
        }
        catch (CliConfigurationException)
        {
            return null;
        }
    }

    /// <summary>Reads an appsettings-shaped file, or a local.settings.json (whose <c>Values</c> use <c>__</c>).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ReadSettingsFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliConfigurationException($"--settings: the file {path} does not exist.");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new CliConfigurationException($"--settings: {path} is not valid JSON ({ex.Message}).", ex);
        }

        using (json)
        {
            var values = new List<KeyValuePair<string, string?>>();
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Values", out var functionsValues) && functionsValues.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in functionsValues.EnumerateObject())
                {
                    values.Add(new(property.Name.Replace("__", ":", StringComparison.Ordinal), property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText()));
                }
            }
            else
            {
                Flatten(root, prefix: null, values);
            }

            return values;
        }
    }

    /// <summary>Builds the services for one command and checks the settings it needs, naming any that is wrong.</summary>
    public static ServiceProvider BuildServices(CliConsole console, string? settingsFile, string? localFolder, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        var configuration = BuildConfiguration(console, settingsFile, localFolder is not null);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(console.Time);
        services.AddTokenRotation(configuration, o =>
        {
            if (localFolder is not null)
            {
                o.UseLocalStores(Path.GetFullPath(localFolder, console.WorkingDirectory));
            }
        });

        services.TryAddSingleton<InMemoryWorkQueue>();
        if (configuration[DataCenterUrlsSetting] is { Length: > 0 } discovery)
        {
            services.PostConfigure<NetSuite.Auth.NetSuiteEndpointOptions>(o => o.DataCenterUrlsUrl = discovery);
        }

        configure?.Invoke(services);
        console.ConfigureServices?.Invoke(services);
        var provider = services.BuildServiceProvider();
        var failures = new List<string>();
        Check<TokenRotationOptions>(provider, failures);
        Check<RotationOptions>(provider, failures);
        Check<NetSuiteOptions>(provider, failures);
        if (localFolder is null)
        {
            Check<KeyVaultOptions>(provider, failures);
            Check<StorageOptions>(provider, failures);
        }

        if (failures.Count > 0)
        {
            provider.Dispose();
            throw new CliConfigurationException(
                $"Configuration problem: {string.Join(" ", failures)} Set it in appsettings.json, as an environment variable (for example KeyVault__StateVaultUri), or in --settings FILE; or use --local FOLDER for the file-backed store.");
        }

        return provider;
    }

    private static void Check<T>(IServiceProvider provider, List<string> failures)
        where T : class
    {
        try
        {
            _ = provider.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            failures.AddRange(ex.Failures);
        }
    }

    private static void Flatten(JsonElement element, string? prefix, List<KeyValuePair<string, string?>> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix is null ? property.Name : $"{prefix}:{property.Name}", values);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}:{i++}", values);
                }

                break;
            case JsonValueKind.Null:
                values.Add(new(prefix ?? "", null));
                break;
            default:
                values.Add(new(prefix ?? "", element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText()));
                break;
        }
    }
}
