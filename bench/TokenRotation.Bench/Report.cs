using System.Globalization;
using System.Text;
using TokenRotation.Engine;

namespace TokenRotation.Bench;

/// <summary>Writes bench/results.md (tables) and bench/results.png (wall time and requests against N).</summary>
public static class Report
{
    /// <summary>The heading of the chaos soak's part of results.md, which the soak's runs fill and a scale run keeps.</summary>
    public const string SoakHeading = "## Chaos soak";

    /// <summary>
    /// A scale run's results.md: its own tables, then the chaos soak's part of the file it replaces (from
    /// <see cref="SoakHeading"/> on), unchanged, so that rerunning the scale benchmark does not erase the soak's figures.
    /// </summary>
    public static string KeepingSoakSection(string scaleMarkdown, string? existing)
    {
        ArgumentNullException.ThrowIfNull(scaleMarkdown);
        var at = existing?.IndexOf("\n" + SoakHeading, StringComparison.Ordinal) ?? -1;
        return at < 0 ? scaleMarkdown : scaleMarkdown.TrimEnd() + "\n\n" + existing![(at + 1)..];
    }

    public static string Markdown(IReadOnlyList<BenchRow> rows, string machine, DateTimeOffset when)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var s = rows[0].Settings;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine("# Scale benchmark results").AppendLine();
        text.AppendLine(c, $"Measured {when:yyyy-MM-dd HH:mm} UTC on {machine}, by `dotnet run -c Release --project bench/TokenRotation.Bench`.");
        text.AppendLine("The engine runs in the benchmark's process; the NetSuite simulator and two Key Vault test servers (state vault and consumer vault) run in processes of their own, so the working set below is the engine's alone.").AppendLine();
        text.AppendLine(c, $"Settings: NetSuite latency {s.NetSuiteLatencyMs} ms per call, Key Vault latency {s.KeyVaultLatencyMs} ms per request, Key Vault budgets {s.ReadBudget:N0} reads and {s.WriteBudget} writes per 10 s per vault (enforced by the test servers during the sweeps), the engine's write limiter `KeyVault:WritesPer10Seconds` = {s.WritesPer10Seconds}, `Engine:WorkerParallelism` = {s.Parallelism}, per-account cap `TokenRotation:AccountConcurrency` = {s.AccountCap}. {(s.Azurite ? "Leases are blob leases on Azurite: every lease request is counted (acquire, renew, release)." : "Leases are the in-memory ones (acquire and release counted; no Azurite).")} Client-credentials keys are Key Vault certificates in the state vault: each mint's `sign` call is a request to the state vault's test server.").AppendLine();
        text.AppendLine(c, $"Connection mix: {rows[0].Mix} (OAuth2Confidential = OAuth 2.0 authorization code, confidential client; OAuth2Public = public client with single-use refresh tokens; ClientCredentials = M2M).").AppendLine();
        text.AppendLine(c, $"All-due sweep: the daily sweep with every connection due. {ScaleBenchmark.DueDefinition} Nothing-due sweep: the 5-minute sweep right after, when every connection has fresh tokens.").AppendLine();

        text.AppendLine("## Requests per sweep (deterministic; the smoke test in CI asserts the nothing-due figures)").AppendLine();
        text.AppendLine("The index (schedule, state, intent markers) is a table in Table storage (architecture section 13): a sweep queries it and lists no Key Vault page. The one list page of an all-due sweep is the service key's versions, loaded once before the first public-client refresh.").AppendLine();
        text.AppendLine("| N | accounts | sweep | Key Vault list pages (target for nothing due) | value reads state / consumer | writes state / consumer | `sign` calls | lease operations | NetSuite calls |");
        text.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            foreach (var (label, f) in new[] { ("nothing due", r.NothingDue), ("all due", r.AllDue) })
            {
                text.AppendLine(c, $"| {r.Connections:N0} | {r.Accounts:N0} | {label} | {f.State.ListPages + f.Consumer.ListPages:N0} ({r.ExpectedListPages:N0}) | {f.State.Reads:N0} / {f.Consumer.Reads:N0} | {f.State.AllWrites:N0} / {f.Consumer.AllWrites:N0} | {f.State.Signs:N0} | {f.LeaseOperations:N0}{(s.Azurite && label == "all due" ? $" ({r.LeaseRenewals:N0} renewals)" : "")} | {f.NetSuiteCalls:N0} |");
            }
        }

        text.AppendLine().AppendLine("Writes count secret sets and tag-only updates (both spend Key Vault's write budget; tag updates create no version).").AppendLine();
        text.AppendLine("## Key Vault writes per kind per run (all-due sweep)").AppendLine();
        text.AppendLine("Counted on the client side per secret, before the SDK's retries. A set makes a version; a tag-only update makes none but spends the write budget all the same. First principles: architecture section 13.").AppendLine();
        text.AppendLine("| N | kind | connections | state sets / run | state tag updates / run | state writes / run (first principles) | state value reads / run | consumer writes / run | `sign` / run |");
        text.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            foreach (var k in r.Kinds)
            {
                text.AppendLine(c, $"| {r.Connections:N0} | {k.Kind} | {k.Connections:N0} | {k.PerRun(k.StateSets):0.##} | {k.PerRun(k.StateTagUpdates):0.##} | {k.StateWritesPerRun:0.##} ({ScaleBenchmark.FirstPrinciplesStateWrites(k.Kind)}) | {k.PerRun(k.StateReads):0.##} | {k.PerRun(k.ConsumerWrites):0.##} | {k.PerRun(k.Signs):0.##} |");
            }
        }

        var rotation = new Configuration.RotationOptions();
        var refreshesPerDay = TimeSpan.FromHours(24) / (TimeSpan.FromMinutes(60) - rotation.AccessTokenLeadTime);
        text.AppendLine().AppendLine("## Versions per secret per simulated day").AppendLine();
        text.AppendLine(c, $"From the sets per run above, in steady state with the default policy: an access token lives 60 minutes and is renewed {rotation.AccessTokenLeadTime.TotalMinutes:0} minutes ahead, so an OAuth 2.0 or client-credentials connection runs {refreshesPerDay:0.#} times a day; a TBA token rotates every {rotation.TbaRotationInterval.TotalDays:0} days, and its retirement after the grace period writes the state once more. Key Vault keeps every version for good (a per-secret backup fails past 500).").AppendLine();
        text.AppendLine("| N | kind | state-vault versions per connection per day | days to 500 state versions | consumer-vault versions per connection per day |");
        text.AppendLine("|---:|---|---:|---:|---:|");
        foreach (var r in rows)
        {
            foreach (var k in r.Kinds)
            {
                var tba = k.Kind == "Tba";
                var state = tba ? (k.PerRun(k.StateSets) + 1) / rotation.TbaRotationInterval.TotalDays : k.PerRun(k.StateSets) * refreshesPerDay;
                var consumer = tba ? k.PerRun(k.ConsumerWrites) / rotation.TbaRotationInterval.TotalDays : k.PerRun(k.ConsumerWrites) * refreshesPerDay;
                text.AppendLine(c, $"| {r.Connections:N0} | {k.Kind} | {state:0.###} | {(state > 0 ? (500 / state).ToString("N0", c) : "never")} | {consumer:0.###} |");
            }
        }

        text.AppendLine().AppendLine("## All-due sweep: wall time against the ideals").AppendLine();
        text.AppendLine("Two ideals. **Measured**: the bounds of the requests the engine made (a needless request raises it as much as the wall time, so its ratio cannot see one). **First principles**: the same bounds for the work itself, computed from the connection mix and never from counters: per due connection one state value read, the kind's first-principles state writes (TBA 2, public client 1, confidential client and client credentials 0), one consumer write, and a `sign` per client-credentials mint.").AppendLine();
        text.AppendLine("| N | wall time | measured ideal (binding) | latency / read / write bounds | ratio | first-principles ideal (binding) | latency / read / write bounds | first-principles ratio (target <= 1.25 at 10,000) | max concurrent NetSuite requests per account (cap) | 429s state / consumer | outcomes | peak working set |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var r in rows)
        {
            var f = r.AllDue;
            var i = r.Ideal;
            var p = r.FirstPrinciples;
            text.AppendLine(c, $"| {r.Connections:N0} | {f.Wall.TotalSeconds:0.0} s | {i.IdealSeconds:0.0} s ({i.Binding}) | {i.LatencyBoundSeconds:0.0} / {i.ReadBoundSeconds:0.0} / {i.WriteBoundSeconds:0.0} s | {r.Ratio:0.00} | {p.IdealSeconds:0.0} s ({p.Binding}) | {p.LatencyBoundSeconds:0.0} / {p.ReadBoundSeconds:0.0} / {p.WriteBoundSeconds:0.0} s | {r.FirstPrinciplesRatio:0.00} | {f.MaxConcurrencyPerAccount} ({s.AccountCap}) | {f.State.ThrottledReads + f.State.ThrottledWrites} / {f.Consumer.ThrottledReads + f.Consumer.ThrottledWrites} | {string.Join(", ", f.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value:N0}"))} | {f.PeakWorkingSetBytes / 1024.0 / 1024.0:0} MB |");
        }

        text.AppendLine().AppendLine("## Targets").AppendLine();
        foreach (var r in rows)
        {
            var accountsLimit = r.Accounts;
            text.AppendLine(c, $"- N = {r.Connections:N0}: nothing-due Key Vault list pages {r.NothingDue.State.ListPages + r.NothingDue.Consumer.ListPages} = {r.ExpectedListPages} (the index is a Table storage query): {Mark(r.NothingDue.State.ListPages + r.NothingDue.Consumer.ListPages == r.ExpectedListPages)}; value reads {r.NothingDue.State.Reads + r.NothingDue.Consumer.Reads}: {Mark(r.NothingDue.State.Reads + r.NothingDue.Consumer.Reads == 0)}; writes {r.NothingDue.State.AllWrites + r.NothingDue.Consumer.AllWrites}: {Mark(r.NothingDue.State.AllWrites + r.NothingDue.Consumer.AllWrites == 0)}; lease operations {r.NothingDue.LeaseOperations} (at most 1 per account, {accountsLimit}): {Mark(r.NothingDue.LeaseOperations <= accountsLimit)}; per-account cap {r.AllDue.MaxConcurrencyPerAccount} <= {r.Settings.AccountCap}: {Mark(r.AllDue.MaxConcurrencyPerAccount <= r.Settings.AccountCap)}; ratio {r.Ratio:0.00}; first-principles ratio {r.FirstPrinciplesRatio:0.00}{(r.Connections >= 10_000 ? $" <= 1.25: {Mark(r.FirstPrinciplesRatio <= 1.25)}" : "")}; peak working set {r.AllDue.PeakWorkingSetBytes / 1024.0 / 1024.0:0} MB{(r.Connections >= 10_000 ? $" < 300 MB: {Mark(r.AllDue.PeakWorkingSetBytes < 300L * 1024 * 1024)}" : "")}.");
        }

        text.AppendLine().AppendLine("![wall time and requests against N](results.png)");
        return text.ToString();
    }

    public static void Chart(IReadOnlyList<BenchRow> rows, string path)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var xs = rows.Select(r => (double)r.Connections).ToArray();
        var plot = new ScottPlot.Plot();
        var wall = plot.Add.Scatter(xs, rows.Select(r => r.AllDue.Wall.TotalSeconds).ToArray());
        wall.LegendText = "all-due wall time (s, left)";
        var ideal = plot.Add.Scatter(xs, rows.Select(r => r.Ideal.IdealSeconds).ToArray());
        ideal.LegendText = "measured ideal (s, left)";
        ideal.LinePattern = ScottPlot.LinePattern.Dashed;
        var firstPrinciples = plot.Add.Scatter(xs, rows.Select(r => r.FirstPrinciples.IdealSeconds).ToArray());
        firstPrinciples.LegendText = "first-principles ideal (s, left)";
        firstPrinciples.LinePattern = ScottPlot.LinePattern.Dotted;

        var requests = plot.Add.Scatter(xs, rows.Select(r => (double)(r.AllDue.State.TotalRequests + r.AllDue.Consumer.TotalRequests)).ToArray());
        requests.LegendText = "all-due Key Vault requests (right)";
        requests.Axes.YAxis = plot.Axes.Right;
        var netsuite = plot.Add.Scatter(xs, rows.Select(r => (double)r.AllDue.NetSuiteCalls).ToArray());
        netsuite.LegendText = "all-due NetSuite calls (right)";
        netsuite.Axes.YAxis = plot.Axes.Right;
        var pages = plot.Add.Scatter(xs, rows.Select(r => (double)(r.NothingDue.State.TotalRequests + r.NothingDue.Consumer.TotalRequests)).ToArray());
        pages.LegendText = "nothing-due Key Vault requests (right)";
        pages.Axes.YAxis = plot.Axes.Right;

        plot.Title("nstoken sweep: wall time and requests against N");
        plot.XLabel("connections (N)");
        plot.Axes.Left.Label.Text = "seconds";
        plot.Axes.Right.Label.Text = "requests";
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 1000, 600);
    }

    private static string Mark(bool ok) => ok ? "met" : "**NOT met**";

    public static string Describe(IReadOnlyDictionary<OutcomeKind, int> outcomes) => string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"));
}
