using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using TokenRotation.Telemetry;

namespace Infra.Tests;

public sealed partial class MonitoringAndAlertTests
{
    private static readonly string[] EngineEvents =
        ["RotationStarted", "RotationSucceeded", "RotationFailed", "RotationAbandoned", "NeedsPerson", "PossibleOrphan", "SweepCompleted", "NetSuiteOddity", "LostUpdate", "TokenJournal", "OrphanAcknowledged"];

    [Fact]
    public async Task Events_json_lists_the_engine_events_with_their_properties()
    {
        var events = await EventsJsonAsync();
        var names = events["events"]!.AsArray().Select(e => e.Str("name")).ToList();

        Assert.Equal(EngineEvents.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Equal("EventName", events.Str("eventNameProperty"));
        Assert.All(events["events"]!.AsArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.Str("description"))));
        Assert.Contains(events.Str("consentLinkProperty"), Properties(events, "NeedsPerson"));
        Assert.All(names.Where(n => n != "SweepCompleted"), n => Assert.Contains(events.Str("connectionProperty"), Properties(events, n)));
    }

    [Fact]
    public async Task Events_json_matches_the_event_names_the_engine_declares()
    {
        var events = await EventsJsonAsync();
        var names = events["events"]!.AsArray().Select(e => e.Str("name"));

        Assert.Equal(RotationEvents.All.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Events_json_properties_are_the_placeholders_of_the_engine_log_messages()
    {
        var events = await EventsJsonAsync();
        var messages = typeof(RotationEvents).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .Where(a => a?.EventName is not null)
            .ToLookup(a => a!.EventName!, a => a!.Message);

        foreach (var name in events["events"]!.AsArray().Select(e => e.Str("name")))
        {
            var message = Assert.Single(messages[name]);
            Assert.StartsWith(name + " ", message, StringComparison.Ordinal);
            var placeholders = Placeholder().Matches(message).Select(m => m.Groups[1].Value);
            Assert.Equal(Properties(events, name).Order(StringComparer.Ordinal), placeholders.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Alert_queries_use_only_event_names_listed_in_events_json()
    {
        var snapshot = await Scenarios.Complete();
        var events = await EventsJsonAsync();
        var known = events["events"]!.AsArray().Select(e => e.Str("name")).ToHashSet(StringComparer.Ordinal);

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in snapshot.OfType("Microsoft.Insights/scheduledQueryRules"))
        {
            var query = Query(rule);
            if (!query.TrimStart().StartsWith("traces", StringComparison.Ordinal))
            {
                continue;
            }

            var names = EventNames(query).ToList();
            Assert.True(names.Count > 0, $"{rule.Str("name")} reads traces but filters on no event name.");
            var unknown = names.Where(n => !known.Contains(n)).ToList();
            Assert.True(unknown.Count == 0, $"{rule.Str("name")} uses events missing from infra/events.json: {string.Join(", ", unknown)}");
            used.UnionWith(names);
        }

        Assert.Superset(new HashSet<string> { "NeedsPerson", "RotationFailed", "SweepCompleted", "PossibleOrphan", "LostUpdate" }, used);
    }

    [Fact]
    public void Event_name_extraction_finds_equality_and_in_filters()
    {
        var names = EventNames("traces | where Event == \"NeedsPerson\" | where Event in (\"A\", \"B\")").ToList();

        Assert.Equal(["NeedsPerson", "A", "B"], names);
    }

    [Fact]
    public async Task Needs_person_alert_carries_the_connection_and_its_consent_link()
    {
        var snapshot = await Scenarios.Complete();
        var events = await EventsJsonAsync();
        var rule = RuleFiltering(snapshot, "NeedsPerson");

        var dimensions = Criterion(rule)["dimensions"]!.AsArray().Select(d => d.Str("name")).ToList();
        Assert.Contains(events.Str("connectionProperty"), dimensions);
        Assert.Contains(events.Str("consentLinkProperty"), dimensions);
        Assert.Contains($"customDimensions.{events.Str("consentLinkProperty")}", Query(rule), StringComparison.Ordinal);
        Assert.Equal("GreaterThan", Criterion(rule).Str("operator"));
        Assert.Equal(0, Criterion(rule)["threshold"]!.GetValue<double>());
    }

    [Fact]
    public async Task Possible_orphan_alert_leaves_out_acknowledged_orphans_and_keeps_firing_until_then()
    {
        var rule = RuleFiltering(await Scenarios.Complete(), "PossibleOrphan");
        var query = Query(rule);

        // Both events are read, per connection and token name, and only names without an acknowledgement count.
        Assert.Equal(["OrphanAcknowledged", "PossibleOrphan"], EventNames(query).Distinct().Order(StringComparer.Ordinal).ToList());
        Assert.Contains("by Connection, TokenName", query, StringComparison.Ordinal);
        Assert.Contains("Acknowledged = countif(Event == \"OrphanAcknowledged\")", query, StringComparison.Ordinal);
        Assert.Contains("where Recorded > 0 and Acknowledged == 0", query, StringComparison.Ordinal);
        Assert.Contains("customDimensions.TokenName", query, StringComparison.Ordinal);

        // An unacknowledged orphan is not forgotten after an hour: the window is the longest a log alert allows.
        Assert.Equal("P2D", rule.At("properties").Str("windowSize"));
        Assert.Equal("Occurrences", Criterion(rule).Str("metricMeasureColumn"));
    }

    [Fact]
    public async Task Rotation_failure_alert_fires_at_three_failures_of_one_connection_in_a_day()
    {
        var rule = RuleFiltering(await Scenarios.Complete(), "RotationFailed");
        var criterion = Criterion(rule);

        Assert.Equal("P1D", rule.At("properties").Str("windowSize"));
        Assert.Equal("GreaterThanOrEqual", criterion.Str("operator"));
        Assert.Equal(3, criterion["threshold"]!.GetValue<double>());
        Assert.Contains("Connection", criterion["dimensions"]!.AsArray().Select(d => d.Str("name")));
        Assert.Contains("by Connection", Query(rule), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_alert_fires_when_the_last_sweep_is_older_than_the_configured_window()
    {
        var rule = RuleFiltering(await Scenarios.Complete(), "SweepCompleted");
        var criterion = Criterion(rule);

        Assert.Equal("MinutesSinceLastSweep", criterion.Str("metricMeasureColumn"));
        Assert.Equal("GreaterThan", criterion.Str("operator"));
        Assert.Equal(60, criterion["threshold"]!.GetValue<double>());
        Assert.Contains("max(timestamp)", Query(rule), StringComparison.Ordinal);

        // Looks back further than the window, so a stop is seen for two days after the last sweep.
        Assert.Equal("P2D", rule.At("properties").Str("windowSize"));
    }

    [Fact]
    public async Task Sweep_alert_is_quiet_on_a_new_environment_until_a_first_sweep_completed()
    {
        var rule = RuleFiltering(await Scenarios.Complete(), "SweepCompleted");
        var query = Query(rule);

        // A count over the window is 0 before the code is deployed, and a "fewer than one" rule fires at once. The
        // rule measures the age of the last sweep instead, and drops the row when there was none: no row, no alert.
        Assert.DoesNotContain("count()", query, StringComparison.Ordinal);
        Assert.Matches(@"\|\s*where\s+isnotnull\(LastSweep\)", query);
        Assert.NotEqual("LessThan", Criterion(rule).Str("operator"));
    }

    [Theory]
    [InlineData("PT30M", 30)]
    [InlineData("PT6H", 360)]
    [InlineData("P1D", 1440)]
    public async Task Sweep_alert_threshold_follows_the_window_parameter(string window, int minutes)
    {
        var snapshot = await BicepCli.SnapshotAsync(
            $"""
            param environmentName = 'ci'
            param vaultNameSalt = 'salt-one'
            param alertEmailAddress = 'ops@example.com'
            param sweepMissingWindow = '{window}'
            """);

        Assert.Equal(minutes, Criterion(RuleFiltering(snapshot, "SweepCompleted"))["threshold"]!.GetValue<double>());
    }

    [Fact]
    public async Task Rules_on_tables_that_may_not_exist_yet_skip_query_validation()
    {
        var rules = (await Scenarios.Complete()).OfType("Microsoft.Insights/scheduledQueryRules").ToList();

        // AzureDiagnostics appears in a new workspace only with the first Key Vault log; ARM validates the query
        // when it creates the rule and fails the deployment on a table that does not exist yet.
        var onWorkspace = rules.Where(r => !Query(r).TrimStart().StartsWith("traces", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(onWorkspace);
        Assert.All(onWorkspace, r => Assert.True(r.At("properties", "skipQueryValidation")?.GetValue<bool>(), $"{r.Str("name")} must set skipQueryValidation."));
    }

    [Fact]
    public async Task Possible_orphan_alert_fires_on_any_such_event()
    {
        var rule = RuleFiltering(await Scenarios.Complete(), "PossibleOrphan");

        Assert.Equal("GreaterThan", Criterion(rule).Str("operator"));
        Assert.Equal(0, Criterion(rule)["threshold"]!.GetValue<double>());
    }

    [Fact]
    public async Task Lost_update_alert_fires_on_any_such_event_per_connection_at_high_severity()
    {
        var rule = RuleFiltering(await Scenarios.Complete(), "LostUpdate");

        Assert.Equal("GreaterThan", Criterion(rule).Str("operator"));
        Assert.Equal(0, Criterion(rule)["threshold"]!.GetValue<double>());
        Assert.Contains("Connection", Criterion(rule)["dimensions"]!.AsArray().Select(d => d.Str("name")));
        Assert.Equal(1, rule.At("properties", "severity")!.GetValue<int>());
    }

    [Fact]
    public async Task State_vault_read_alert_spares_only_the_app_and_the_listed_operators()
    {
        var snapshot = await Scenarios.Complete();
        var rule = Assert.Single(snapshot.OfType("Microsoft.Insights/scheduledQueryRules"), r => Query(r).Contains("AzureDiagnostics", StringComparison.Ordinal));
        var query = Query(rule);

        Assert.Equal([snapshot.SingleOfType("Microsoft.OperationalInsights/workspaces").Str("id")], rule.At("properties", "scopes")!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains("\"SecretGet\"", query, StringComparison.Ordinal);
        Assert.Contains("\"SecretList\"", query, StringComparison.Ordinal);
        Assert.Contains("AuditEvent", query, StringComparison.Ordinal);

        // The query is a format() over the state vault's id and the expected readers: the app's principal and the operator.
        Assert.StartsWith("[format(", query, StringComparison.Ordinal);
        Assert.Contains($"'{snapshot.StateVault.Str("id")}'", query, StringComparison.Ordinal);
        Assert.DoesNotContain(snapshot.ConsumerVault.Str("name"), query, StringComparison.Ordinal);
        Assert.Contains($"reference('{snapshot.Identity.Str("id")}'", query, StringComparison.Ordinal);
        Assert.Contains(Scenarios.Operator, query, StringComparison.Ordinal);
        Assert.DoesNotContain(Scenarios.ConsumerA, query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_alert_notifies_the_action_group_that_mails_the_given_address()
    {
        var snapshot = await Scenarios.Complete();
        var group = snapshot.SingleOfType("Microsoft.Insights/actionGroups");
        var rules = snapshot.OfType("Microsoft.Insights/scheduledQueryRules").ToList();

        var receiver = Assert.Single(group.At("properties", "emailReceivers")!.AsArray());
        Assert.Equal(Scenarios.AlertEmail, receiver.Str("emailAddress"));
        Assert.Equal(6, rules.Count);
        Assert.All(rules, rule =>
        {
            Assert.True(rule.At("properties", "enabled")?.GetValue<bool>());
            Assert.Equal([group.Str("id")], rule.At("properties", "actions", "actionGroups")!.AsArray().Select(a => a!.GetValue<string>()));
        });
    }

    [Fact]
    public async Task Application_insights_is_workspace_based_and_refuses_local_authentication()
    {
        var snapshot = await Scenarios.Complete();
        var properties = snapshot.SingleOfType("Microsoft.Insights/components").At("properties");

        Assert.True(properties.At("DisableLocalAuth")?.GetValue<bool>());
        Assert.Equal(snapshot.SingleOfType("Microsoft.OperationalInsights/workspaces").Str("id"), properties.At("WorkspaceResourceId")?.GetValue<string>());
    }

    private static async Task<JsonObject> EventsJsonAsync() =>
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(BicepCli.InfraPath, "events.json")))!.AsObject();

    private static List<string> Properties(JsonObject events, string name) =>
        events["events"]!.AsArray().Single(e => e.Str("name") == name)!["properties"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();

    private static JsonObject Criterion(JsonObject rule) =>
        Assert.Single(rule.At("properties", "criteria", "allOf")!.AsArray())!.AsObject();

    private static string Query(JsonObject rule) => Criterion(rule).Str("query");

    private static JsonObject RuleFiltering(Snapshot snapshot, string eventName) =>
        Assert.Single(snapshot.OfType("Microsoft.Insights/scheduledQueryRules"), r => EventNames(Query(r)).Contains(eventName));

    private static IEnumerable<string> EventNames(string query)
    {
        foreach (Match match in EventFilter().Matches(query))
        {
            foreach (Match name in QuotedName().Matches(match.Groups["names"].Value))
            {
                yield return name.Groups[1].Value;
            }
        }
    }

    [GeneratedRegex("""\bEvent\s*(?:==\s*(?<names>"[^"]*")|in\s*\((?<names>[^)]*)\))""")]
    private static partial Regex EventFilter();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Placeholder();
}
