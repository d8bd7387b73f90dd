using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenRotation;
using TokenRotation.Configuration;

namespace Infra.Tests;

public sealed partial class AppSettingsTests
{
    // Settings the Flex Consumption plan does not accept: it manages the runtime, the host version, the content
    // share and the package itself (Azure Functions app settings reference, Flex Consumption notes).
    private static readonly string[] RejectedOnFlex =
    [
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_EXTENSION_VERSION",
        "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY",
        "FUNCTIONS_WORKER_PROCESS_COUNT",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "WEBSITE_CONTENTSHARE",
        "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_NODE_DEFAULT_VERSION",
        "SCM_DO_BUILD_DURING_DEPLOYMENT",
        "ENABLE_ORYX_BUILD",
    ];

    // Options the Azure deployment deliberately leaves out, with the reason.
    private const string Tunable = "Engine tunable whose code default suits production; add the app setting to override it.";

    private static readonly Dictionary<string, string> LeftOutInAzure = new(StringComparer.Ordinal)
    {
        ["Storage__ConnectionString"] = "Azure uses the service URIs with the managed identity; a connection string would carry a key.",
        ["Storage__WorkQueue"] = "The flat WorkQueueName names the queue, because the queue trigger reads it as a binding expression.",
        ["Coordination__LeaseDuration"] = Tunable,
        ["Coordination__LeaseSafetyMargin"] = Tunable,
        ["Coordination__GateMaxWait"] = Tunable,
        ["Coordination__GateRetryDelay"] = Tunable,
        ["Coordination__GateRetryMaxDelay"] = Tunable,
    };

    // Whole sections left out: EngineOptions holds tunables that are "not user policy; defaults suit production".
    private static readonly Dictionary<string, string> SectionsLeftOutInAzure = new(StringComparer.Ordinal)
    {
        ["Engine"] = Tunable,
    };

    [Fact]
    public async Task App_settings_contain_none_of_the_settings_flex_consumption_rejects()
    {
        var settings = (await Scenarios.Complete()).AppSettings;

        var rejected = settings.Keys.Where(k => RejectedOnFlex.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        Assert.True(rejected.Count == 0, $"Flex Consumption rejects: {string.Join(", ", rejected)}");
    }

    [Fact]
    public async Task Host_storage_uses_the_managed_identity_and_service_uris()
    {
        var snapshot = await Scenarios.Complete();
        var settings = snapshot.AppSettings;
        var identityId = snapshot.Identity.Str("id");
        var storageId = snapshot.SingleOfType("Microsoft.Storage/storageAccounts").Str("id");

        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.True(Snapshot.IsReferenceTo(settings["AzureWebJobsStorage__clientId"], identityId, "clientId"));
        Assert.True(Snapshot.IsReferenceTo(settings["AzureWebJobsStorage__blobServiceUri"], storageId, "primaryEndpoints.blob"));
        Assert.True(Snapshot.IsReferenceTo(settings["AzureWebJobsStorage__queueServiceUri"], storageId, "primaryEndpoints.queue"));
        Assert.True(Snapshot.IsReferenceTo(settings["AzureWebJobsStorage__tableServiceUri"], storageId, "primaryEndpoints.table"));
        Assert.True(Snapshot.IsReferenceTo(settings["Storage__BlobServiceUri"], storageId, "primaryEndpoints.blob"));
        Assert.True(Snapshot.IsReferenceTo(settings["Storage__QueueServiceUri"], storageId, "primaryEndpoints.queue"));
        Assert.True(Snapshot.IsReferenceTo(settings["Storage__TableServiceUri"], storageId, "primaryEndpoints.table"));
    }

    [Fact]
    public async Task Key_vault_and_application_insights_authenticate_as_the_user_assigned_identity()
    {
        var snapshot = await Scenarios.Complete();
        var settings = snapshot.AppSettings;
        var identityId = snapshot.Identity.Str("id");
        var insightsId = snapshot.SingleOfType("Microsoft.Insights/components").Str("id");

        Assert.True(Snapshot.IsReferenceTo(settings["KeyVault__ManagedIdentityClientId"], identityId, "clientId"));
        Assert.True(Snapshot.IsReferenceTo(settings["KeyVault__StateVaultUri"], snapshot.StateVault.Str("id"), "vaultUri"));
        Assert.True(Snapshot.IsReferenceTo(settings["KeyVault__ConsumerVaultUri"], snapshot.ConsumerVault.Str("id"), "vaultUri"));
        Assert.True(Snapshot.IsReferenceTo(settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], insightsId, "ConnectionString"));

        var authentication = settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"];
        Assert.StartsWith("[format('ClientId={0};Authorization=AAD', reference('" + identityId + "'", authentication, StringComparison.Ordinal);
        Assert.EndsWith(").clientId)]", authentication, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_base_url_is_https_on_the_app_default_host_name()
    {
        var snapshot = await Scenarios.Complete();
        var publicBaseUrl = snapshot.AppSettings["TokenRotation__PublicBaseUrl"];

        Assert.StartsWith("[format('https://{0}', reference('" + snapshot.Site.Str("id") + "'", publicBaseUrl, StringComparison.Ordinal);
        Assert.EndsWith(").defaultHostName)]", publicBaseUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_required_option_has_an_app_setting()
    {
        var settings = (await Scenarios.Complete()).AppSettings;
        var required = OptionSettings().Where(o => o.Required).Select(o => o.Setting).ToList();

        // Guards against a reflection that finds nothing and passes vacuously.
        Assert.Contains("KeyVault__StateVaultUri", required);
        Assert.Contains("TokenRotation__PublicBaseUrl", required);

        var missing = required.Where(r => !settings.ContainsKey(r) && !LeftOutInAzure.ContainsKey(r)).ToList();
        Assert.True(missing.Count == 0, $"Required options without an app setting in infra/main.bicep: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task Every_option_has_an_app_setting_unless_deliberately_left_out()
    {
        var settings = (await Scenarios.Complete()).AppSettings;
        var all = OptionSettings().Select(o => o.Setting).ToList();

        Assert.Contains("Rotation__GracePeriod", all);
        var missing = all
            .Where(s => !settings.ContainsKey(s) && !LeftOutInAzure.ContainsKey(s) && !SectionsLeftOutInAzure.ContainsKey(s.Split("__")[0]))
            .ToList();
        Assert.True(missing.Count == 0, $"Options without an app setting in infra/main.bicep: {string.Join(", ", missing)}");
        Assert.All(LeftOutInAzure.Keys, s => Assert.DoesNotContain(s, settings.Keys));
    }

    [Fact]
    public async Task Timer_schedules_are_set_as_valid_six_field_ncrontab_matching_the_code_defaults()
    {
        var settings = (await Scenarios.Defaults()).AppSettings;

        var refresh = settings[Schedules.RefreshOAuth2TokensSetting];
        var rotate = settings[Schedules.RotateTbaTokensSetting];
        Assert.Null(Ncrontab.Problem(refresh));
        Assert.Null(Ncrontab.Problem(rotate));
        Assert.Equal(Schedules.RefreshOAuth2TokensDefault, refresh);
        Assert.Equal(Schedules.RotateTbaTokensDefault, rotate);
    }

    [Theory]
    [InlineData("0 */5 * * * *", true)]
    [InlineData("0 30 3 * * *", true)]
    [InlineData("0 0 9-17 * * MON-FRI", true)]
    [InlineData("*/5 * * * *", false)]
    [InlineData("0 61 * * * *", false)]
    [InlineData("0 0 0 0 * *", false)]
    [InlineData("0 0 5-3 * * *", false)]
    public void Ncrontab_check_accepts_six_field_expressions_only(string expression, bool valid)
    {
        Assert.Equal(valid, Ncrontab.Problem(expression) is null);
    }

    [Fact]
    public async Task App_settings_pass_the_app_start_up_validation()
    {
        var settings = (await Scenarios.Defaults()).AppSettings;

        // Values known only at deployment (URIs, client ids) become plausible stand-ins; literal values stay as deployed.
        await using var provider = Provider(settings);

        var validator = provider.GetRequiredService<IStartupValidator>();
        var exception = Record.Exception(validator.Validate);
        Assert.True(exception is null, $"The deployed settings fail start-up validation: {exception?.Message}");

        var rotation = provider.GetRequiredService<IOptions<RotationOptions>>().Value;
        Assert.Equal(TimeSpan.FromHours(48), rotation.GracePeriod);
        Assert.Equal(TimeSpan.FromDays(90), rotation.TbaRotationInterval);
    }

    [Fact]
    public async Task Start_up_validation_would_catch_a_bad_deployed_setting()
    {
        // The previous test can fail: the same path rejects an out-of-range value that a parameter could carry.
        var settings = (await Scenarios.Defaults()).AppSettings.ToDictionary();
        settings["Rotation__GracePeriod"] = "45.00:00:00";
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(
                s.Key.Replace("__", ":", StringComparison.Ordinal),
                s.Value.StartsWith('[') ? StandIn(s.Key) : s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddTokenRotation(configuration);
        await using var provider = services.BuildServiceProvider();

        var exception = Assert.ThrowsAny<Exception>(provider.GetRequiredService<IStartupValidator>().Validate);
        Assert.Contains("GracePeriod", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_enqueues_on_the_queue_the_trigger_listens_on_the_flat_work_queue_setting()
    {
        var settings = (await Scenarios.Defaults()).AppSettings.ToDictionary();
        settings[StorageOptions.WorkQueueSetting] = "nstoken-work-blue";
        await using var provider = Provider(settings);

        Assert.Equal("WorkQueueName", StorageOptions.WorkQueueSetting);
        Assert.Equal("nstoken-work-blue", provider.GetRequiredService<IOptions<StorageOptions>>().Value.WorkQueue);
    }

    [Fact]
    public async Task Start_up_validation_refuses_a_nested_work_queue_setting_that_disagrees_with_the_flat_one()
    {
        var settings = (await Scenarios.Defaults()).AppSettings.ToDictionary();
        settings["Storage__WorkQueue"] = "nstoken-other";
        await using var provider = Provider(settings);

        var exception = Assert.ThrowsAny<Exception>(provider.GetRequiredService<IStartupValidator>().Validate);
        Assert.Contains("WorkQueueName", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:WorkQueue", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nested_work_queue_setting_that_agrees_with_the_flat_one_is_accepted()
    {
        var settings = (await Scenarios.Defaults()).AppSettings.ToDictionary();
        settings["Storage__WorkQueue"] = settings[StorageOptions.WorkQueueSetting];
        await using var provider = Provider(settings);

        Assert.Null(Record.Exception(provider.GetRequiredService<IStartupValidator>().Validate));
    }

    private static ServiceProvider Provider(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(
                s.Key.Replace("__", ":", StringComparison.Ordinal),
                s.Value.StartsWith('[') ? StandIn(s.Key) : s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddTokenRotation(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task No_app_setting_or_output_holds_a_secret()
    {
        var snapshot = await Scenarios.Complete();
        var values = snapshot.AppSettings.Select(s => (Where: $"app setting {s.Key}", Value: s.Value))
            .Concat(snapshot.Outputs.Select(o => (Where: $"output {o.Key}", Value: o.Value?.ToJsonString() ?? "")))
            .ToList();

        Assert.NotEmpty(values);
        foreach (var (where, value) in values)
        {
            Assert.False(SecretLooking().IsMatch(value), $"{where} looks like a secret: {value}");
        }

        // The connection string is only an address because Application Insights refuses local (key) authentication.
        Assert.True(snapshot.SingleOfType("Microsoft.Insights/components").At("properties", "DisableLocalAuth")?.GetValue<bool>());
    }

    [Fact]
    public async Task Template_never_reads_keys_and_has_no_secure_outputs()
    {
        var armText = (await Scenarios.Arm()).ToJsonString();

        Assert.DoesNotMatch(ListFunction(), armText);
        Assert.DoesNotContain("\"securestring\"", armText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"secureObject\"", armText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Secret_detector_flags_keys_and_passwords()
    {
        Assert.Matches(SecretLooking(), "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc==");
        Assert.Matches(SecretLooking(), "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2025-01-01').keys[0].value]");
        Assert.Matches(SecretLooking(), "https://st.blob.core.windows.net/c?sv=2024&sig=abc");
        Assert.DoesNotMatch(SecretLooking(), "ClientId=00000000-0000-0000-0000-000000000000;Authorization=AAD");
    }

    internal static IEnumerable<(string Setting, bool Required)> OptionSettings()
    {
        var assembly = typeof(KeyVaultOptions).Assembly;
        foreach (var type in assembly.GetExportedTypes().Where(t => t.IsClass))
        {
            var sectionField = type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static);
            if (sectionField is not { IsLiteral: true } || sectionField.FieldType != typeof(string))
            {
                continue;
            }

            var section = ((string)sectionField.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is { IsPublic: true })
                {
                    yield return ($"{section}__{property.Name}", property.GetCustomAttribute<RequiredAttribute>() is not null);
                }
            }
        }
    }

    private static string StandIn(string setting) => setting switch
    {
        _ when setting.EndsWith("Uri", StringComparison.Ordinal) || setting.EndsWith("Url", StringComparison.Ordinal) => "https://stand-in.example.net/",
        _ when setting.EndsWith("ClientId", StringComparison.OrdinalIgnoreCase) => "00000000-0000-0000-0000-000000000001",
        _ => "stand-in",
    };

    [GeneratedRegex(@"AccountKey=|SharedAccessKey|SharedAccessSignature|[?&]sig=|password|secret|\blist[A-Za-z]*\(", RegexOptions.IgnoreCase)]
    private static partial Regex SecretLooking();

    [GeneratedRegex(@"\blist[A-Za-z]*\(")]
    private static partial Regex ListFunction();
}
