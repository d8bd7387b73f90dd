using System.Text.Json;
using System.Text.RegularExpressions;
using Testing.Shared;
using TokenRotation.Configuration;
using TokenRotation.Functions.Middleware;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// Reads the functions.metadata that the Functions SDK generates at build time: it is what the real host
/// indexes, so triggers, routes, methods and authorization levels are checked here.
/// </summary>
public sealed partial class FunctionMetadataTests
{
    internal static JsonElement[] All()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata was not generated at {path}.");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.EnumerateArray().Select(f => f.Clone()).ToArray();
    }

    internal static JsonElement Function(string name) =>
        All().SingleOrDefault(f => f.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } function
            ? function
            : throw new Xunit.Sdk.XunitException($"functions.metadata has no function named {name}.");

    internal static JsonElement TriggerOf(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    public static TheoryData<string, string, string, string> HttpFunctions => new()
    {
        { "Health", "get", "health", "Anonymous" },
        { "StartConsent", "get", "consent/{token}", "Anonymous" },
        { "OAuthCallback", "get", "oauth/callback", "Anonymous" },
        { "RotateConnection", "post", "connections/{name}/rotate", "Anonymous" },
        { "PauseConnection", "post", "connections/{name}/pause", "Anonymous" },
        { "ResumeConnection", "post", "connections/{name}/resume", "Anonymous" },
        { "RollbackConnection", "post", "connections/{name}/rollback", "Anonymous" },
        { "AcknowledgeOrphan", "post", "connections/{name}/orphans/{id}/ack", "Anonymous" },
        { "UpdateCredentials", "post", "connections/{name}/credentials", "Anonymous" },
        { "ListConnections", "get", "connections", "Anonymous" },
        { "StatusPage", "get", "status", "Anonymous" },
    };

    // The host lets every HTTP request through (no function key: a shared key that can rotate is what Entra ID sign-in
    // replaces); the app's OperatorAuthMiddleware asks for these app roles.
    public static TheoryData<string, OperatorAccess> HttpAccess => new()
    {
        { "Health", OperatorAccess.Anonymous },
        { "StartConsent", OperatorAccess.Anonymous },
        { "OAuthCallback", OperatorAccess.Anonymous },
        { "RotateConnection", OperatorAccess.Operate },
        { "PauseConnection", OperatorAccess.Operate },
        { "ResumeConnection", OperatorAccess.Operate },
        { "RollbackConnection", OperatorAccess.Operate },
        { "AcknowledgeOrphan", OperatorAccess.Operate },
        { "UpdateCredentials", OperatorAccess.Operate },
        { "ListConnections", OperatorAccess.Read },
        { "StatusPage", OperatorAccess.Read },
    };

    public static TheoryData<string, string> Timers => new()
    {
        { "RefreshOAuth2Tokens", "%" + Schedules.RefreshOAuth2TokensSetting + "%" },
        { "RotateTbaTokens", "%" + Schedules.RotateTbaTokensSetting + "%" },
    };

    public static TheoryData<string, string> Queues => new()
    {
        { "ProcessAccount", "%" + StorageOptions.WorkQueueSetting + "%" },
        { "RecordPoisonedWork", "%" + StorageOptions.WorkQueueSetting + "%-poison" },
    };

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void Each_HTTP_function_has_its_route_method_and_authorization_level(string name, string method, string route, string authLevel)
    {
        var function = Function(name);
        var trigger = TriggerOf(function);

        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString(), ignoreCase: true);
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()));
        Assert.Contains(function.GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "Out");
    }

    [Theory]
    [MemberData(nameof(HttpAccess))]
    public void Each_HTTP_function_asks_the_caller_for_its_app_role(string name, OperatorAccess access)
    {
        Assert.Equal("httpTrigger", TriggerOf(Function(name)).GetProperty("type").GetString());
        Assert.Equal(access, OperatorAuthMiddleware.AccessFor(name));
    }

    [Fact]
    public void Every_HTTP_function_is_listed_with_its_access()
    {
        var http = All().Where(f => TriggerOf(f).GetProperty("type").GetString() == "httpTrigger").Select(f => f.GetProperty("name").GetString()!);

        Assert.Equal(HttpAccess.Select(row => (string)row[0]).Order(StringComparer.Ordinal), http.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Timers))]
    public void Each_timer_reads_its_schedule_from_an_app_setting(string name, string schedule)
    {
        var trigger = TriggerOf(Function(name));

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(schedule, trigger.GetProperty("schedule").GetString());
        Assert.False(trigger.TryGetProperty("runOnStartup", out var runOnStartup) && runOnStartup.GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Queues))]
    public void Each_queue_function_listens_on_the_configured_work_queue_or_its_poison_queue(string name, string queue)
    {
        var trigger = TriggerOf(Function(name));

        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(queue, trigger.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void There_is_no_function_beyond_the_ones_checked_here()
    {
        var expected = HttpFunctions.Select(row => (string)row[0]).Concat(Timers.Select(row => (string)row[0])).Concat(Queues.Select(row => (string)row[0]));

        Assert.Equal(expected.Order(StringComparer.Ordinal), All().Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_schedule_placeholder_has_a_valid_six_field_NCRONTAB_in_local_settings_and_in_the_Bicep_app_settings()
    {
        var placeholders = All().Select(TriggerOf).Where(t => t.GetProperty("type").GetString() == "timerTrigger")
            .Select(t => Placeholder().Match(t.GetProperty("schedule").GetString()!))
            .ToList();
        var local = LocalSettings();
        var bicep = BicepAppSettings();

        Assert.Equal(2, placeholders.Count);
        foreach (var placeholder in placeholders)
        {
            Assert.True(placeholder.Success, "A timer schedule is not a %Setting% placeholder.");
            var setting = placeholder.Groups["name"].Value;
            Assert.True(local.TryGetValue(setting, out var localValue), $"local.settings.sample.json has no {setting}.");
            Assert.True(Ncrontab.IsValid(localValue, out var localProblem), $"local.settings.sample.json {setting} = '{localValue}': {localProblem}");
            Assert.True(bicep.TryGetValue(setting, out var bicepValue), $"infra/main.bicep sets no app setting {setting}.");
            Assert.True(Ncrontab.IsValid(bicepValue, out var bicepProblem), $"infra/main.bicep {setting} = '{bicepValue}': {bicepProblem}");
        }
    }

    [Fact]
    public void The_work_queue_placeholder_names_the_queue_the_sweeps_fill_in_local_settings_and_in_Bicep()
    {
        var local = LocalSettings();
        var bicep = BicepAppSettings();

        Assert.Equal(new StorageOptions().WorkQueue, local[StorageOptions.WorkQueueSetting]);
        Assert.Equal(new StorageOptions().WorkQueue, bicep[StorageOptions.WorkQueueSetting]);
        Assert.Equal("%WorkQueueName%", TriggerOf(Function("ProcessAccount")).GetProperty("queueName").GetString());
        Assert.DoesNotContain("Storage__WorkQueue", local.Keys);
        Assert.DoesNotContain("Storage__WorkQueue", bicep.Keys);
    }

    [Fact]
    public void No_binding_expression_names_a_setting_with_a_colon_or_double_underscore()
    {
        // The scale controller reads trigger metadata without the app's configuration providers: a %Section:Name%
        // (Section__Name in Azure) has left it unable to resolve a queue name, so the queue never scaled out.
        var expressions = All()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().SelectMany(b => b.EnumerateObject())
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .SelectMany(p => BindingExpression().Matches(p.Value.GetString()!).Select(m => (Function: f.GetProperty("name").GetString(), Binding: p.Name, Setting: m.Groups["name"].Value))))
            .ToList();

        Assert.Contains(expressions, e => e.Binding == "queueName");
        Assert.Contains(expressions, e => e.Binding == "schedule");
        var nested = expressions.Where(e => e.Setting.Contains(':', StringComparison.Ordinal) || e.Setting.Contains("__", StringComparison.Ordinal)).ToList();
        Assert.True(nested.Count == 0, "Binding expressions must name flat settings: " + string.Join(", ", nested.Select(e => $"{e.Function}.{e.Binding} = %{e.Setting}%")));
    }

    [Fact]
    public void Every_binding_expression_resolves_in_local_settings_and_in_the_Bicep_app_settings()
    {
        var local = LocalSettings();
        var bicep = BicepAppSettings();
        var settings = All()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().SelectMany(b => b.EnumerateObject()))
            .Where(p => p.Value.ValueKind == JsonValueKind.String)
            .SelectMany(p => BindingExpression().Matches(p.Value.GetString()!).Select(m => m.Groups["name"].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(settings);
        Assert.All(settings, setting =>
        {
            Assert.True(local.ContainsKey(setting), $"local.settings.sample.json has no {setting}.");
            Assert.True(bicep.ContainsKey(setting), $"infra/main.bicep sets no app setting {setting}.");
        });
    }

    [Theory]
    [InlineData("%Storage:WorkQueue%-poison", "Storage:WorkQueue")]
    [InlineData("%WorkQueueName%", "WorkQueueName")]
    [InlineData("literal-queue", null)]
    public void Binding_expression_extraction_finds_the_setting_name(string value, string? setting)
    {
        Assert.Equal(setting, BindingExpression().Match(value) is { Success: true } m ? m.Groups["name"].Value : null);
    }

    [GeneratedRegex("%(?<name>[^%]+)%")]
    private static partial Regex BindingExpression();

    [Theory]
    [InlineData("0 */5 * * * *", true)]
    [InlineData("0 30 3 * * *", true)]
    [InlineData("0 0 9-17/2 * * MON-FRI", true)]
    [InlineData("*/5 * * * *", false)]
    [InlineData("0 60 * * * *", false)]
    [InlineData("0 0 25 * * *", false)]
    [InlineData("0 0 0 0 * *", false)]
    [InlineData("0 */0 * * * *", false)]
    [InlineData("every five minutes", false)]
    public void The_NCRONTAB_check_accepts_six_fields_in_range_and_nothing_else(string expression, bool valid)
    {
        Assert.Equal(valid, Ncrontab.IsValid(expression, out var problem));
        Assert.Equal(valid, problem is null);
    }

    /// <summary>local.settings.sample.json's Values; a key with ':' is looked up with '__' too (environment-variable form).</summary>
    private static Dictionary<string, string> LocalSettings()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "local.settings.sample.json")));
        return json.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
    }

    /// <summary>
    /// The app settings of infra/main.bicep (<c>Name: value</c> lines of its appSettings object), each value resolved: a
    /// quoted literal as it is, a parameter name to main.bicepparam's value if it sets one, otherwise to the
    /// parameter's default in main.bicep.
    /// </summary>
    private static Dictionary<string, string> BicepAppSettings()
    {
        var infra = Path.Combine(RepositoryRoot.Find(), "infra");
        var main = File.ReadAllText(Path.Combine(infra, "main.bicep"));
        var parameters = File.Exists(Path.Combine(infra, "main.bicepparam")) ? File.ReadAllText(Path.Combine(infra, "main.bicepparam")) : "";
        var block = AppSettingsBlock().Match(main);
        Assert.True(block.Success, "infra/main.bicep has no appSettings object.");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match line in SettingLine().Matches(block.Groups["body"].Value))
        {
            var value = line.Groups["value"].Value.Trim();
            settings[line.Groups["name"].Value] = value.StartsWith('\'') ? value.Trim('\'') : ResolveParameter(value, main, parameters) ?? value;
        }

        return settings;
    }

    private static string? ResolveParameter(string name, string main, string parameters)
    {
        var set = Regex.Match(parameters, $@"^param\s+{Regex.Escape(name)}\s*=\s*(?:'(?<literal>[^']*)'|readEnvironmentVariable\('[^']*',\s*'(?<default>[^']*)'\))", RegexOptions.Multiline);
        if (set.Success)
        {
            return set.Groups["literal"].Success ? set.Groups["literal"].Value : set.Groups["default"].Value;
        }

        var declared = Regex.Match(main, $@"^param\s+{Regex.Escape(name)}\s+string\s*=\s*'(?<default>[^']*)'", RegexOptions.Multiline);
        return declared.Success ? declared.Groups["default"].Value : null;
    }

    [GeneratedRegex("^%(?<name>[^%]+)%$")]
    private static partial Regex Placeholder();

    // The object ends at the first line holding only '}' (values may hold '${...}').
    [GeneratedRegex(@"appSettings:\s*\{(?<body>.*?)^\s*\}\s*$", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex AppSettingsBlock();

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<value>.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex SettingLine();
}

/// <summary>
/// The six-field NCRONTAB of Functions timers (second minute hour day month day-of-week): each field is <c>*</c>, a
/// value, a range, a list, or any of those with a <c>/step</c>; months and days of the week may be names.
/// </summary>
internal static class Ncrontab
{
    private static readonly (int Min, int Max, string[]? Names, int NameBase)[] Fields =
    [
        (0, 59, null, 0),
        (0, 59, null, 0),
        (0, 23, null, 0),
        (1, 31, null, 0),
        (1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1),
        (0, 6, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 0),
    ];

    public static bool IsValid(string? expression, out string? problem)
    {
        var parts = (expression ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 6)
        {
            problem = $"expected 6 fields (second minute hour day month day-of-week), found {parts.Length}";
            return false;
        }

        for (var i = 0; i < 6; i++)
        {
            foreach (var item in parts[i].Split(','))
            {
                if (!ValidItem(item, Fields[i]))
                {
                    problem = $"field {i + 1} ('{parts[i]}') is not valid";
                    return false;
                }
            }
        }

        problem = null;
        return true;
    }

    private static bool ValidItem(string item, (int Min, int Max, string[]? Names, int NameBase) field)
    {
        var slash = item.Split('/');
        if (slash.Length > 2 || (slash.Length == 2 && (!int.TryParse(slash[1], out var step) || step < 1 || step > field.Max)))
        {
            return false;
        }

        var range = slash[0];
        if (range == "*")
        {
            return true;
        }

        var bounds = range.Split('-');
        if (bounds.Length > 2)
        {
            return false;
        }

        var values = new List<int>();
        foreach (var bound in bounds)
        {
            if (!TryValue(bound, field, out var value))
            {
                return false;
            }

            values.Add(value);
        }

        return values.Count == 1 || values[0] <= values[1];
    }

    private static bool TryValue(string text, (int Min, int Max, string[]? Names, int NameBase) field, out int value)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value))
        {
            return value >= field.Min && value <= field.Max;
        }

        var index = field.Names is null ? -1 : Array.IndexOf(field.Names, text.ToUpperInvariant());
        value = index + field.NameBase;
        return index >= 0;
    }
}
