using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Functions.Http;
using TokenRotation.Functions.Queues;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// <c>GET /api/status</c> and <c>GET /api/connections</c> over real connections in the state vault: what needs a person
/// comes first with a working consent link, poisoned work is shown with its reason, and no secret appears anywhere.
/// </summary>
public sealed class StatusTests
{
    [Fact]
    public async Task The_status_page_puts_what_needs_a_person_first_with_consent_links_and_shows_no_secret()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var seeded = await SeedAsync(env);

        var request = env.Host.NewRequest("GET", "/api/status");
        var response = await FunctionsTestHost.ExecuteAsync(await env.Host.Activate<ConnectionFunctions>().StatusPage(request, CancellationToken.None), request);

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("text/html", response.ContentType, StringComparison.Ordinal);
        var document = new HtmlParser().ParseDocument(response.Body);
        var needing = document.QuerySelectorAll("#needs-person li.needs-person").Select(li => (li.GetAttribute("data-task"), li.GetAttribute("data-connection"))).ToList();
        Assert.Equal([("Consent", seeded.NeedsConsent), ("PossibleOrphan", seeded.Failing), ("PoisonedWork", seeded.HealthyTba)], needing);
        var rows = document.QuerySelectorAll("#connections tbody tr").ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(seeded.NeedsConsent, rows[0].GetAttribute("data-connection"));
        Assert.Contains("needs-person", rows[0].ClassList);
        Assert.Equal(seeded.Failing, rows[1].GetAttribute("data-connection"));

        var link = Assert.Single(document.QuerySelectorAll("a.consent-link")).GetAttribute("href")!;
        Assert.StartsWith(env.PublicBaseUrl + ConsentLinkFactory.PathPrefix, link, StringComparison.Ordinal);
        var check = await env.Services.GetRequiredService<ConsentLinkFactory>().ValidateAsync(link[(env.PublicBaseUrl + ConsentLinkFactory.PathPrefix).Length..]);
        Assert.True(check.IsValid);
        Assert.Equal(seeded.NeedsConsent, check.Connection!.Value);

        var poisoned = Assert.Single(document.QuerySelectorAll("#needs-person li[data-task=PoisonedWork]")).TextContent;
        Assert.Contains("Key Vault was unreachable", poisoned, StringComparison.Ordinal);
        Assert.Contains(FunctionsTestEnvironment.Account, poisoned, StringComparison.Ordinal);

        // Values from NetSuite and from documents are shown as text, never as markup.
        Assert.Empty(document.QuerySelectorAll("script, img"));
        Assert.Contains("<img src=x onerror=alert(1)>", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("\"><b>orphan", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Empty(document.QuerySelectorAll("b"));

        AssertNoSecret(response.Body, seeded.Secrets);
        AssertNoSecret(env.Host.Logs.AllText(), seeded.Secrets);
    }

    [Fact]
    public async Task The_connections_JSON_has_every_connection_consent_links_for_those_needing_one_and_the_poisoned_work()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var seeded = await SeedAsync(env);

        var request = env.Host.NewRequest("GET", "/api/connections");
        var response = await FunctionsTestHost.ExecuteAsync(await env.Host.Activate<ConnectionFunctions>().ListConnections(request, CancellationToken.None), request);

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("application/json", response.ContentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(response.Body);
        var root = json.RootElement;
        Assert.Equal("nstoken-test", root.GetProperty("service").GetString());
        var connections = root.GetProperty("connections").EnumerateArray().ToList();
        Assert.Equal(4, connections.Count);
        Assert.Equal(seeded.NeedsConsent, connections[0].GetProperty("connection").GetProperty("name").GetString());
        Assert.Equal("NeedsPerson", connections[0].GetProperty("connection").GetProperty("state").GetString());
        Assert.True(connections[0].GetProperty("needsPerson").GetBoolean());
        Assert.StartsWith(env.PublicBaseUrl + ConsentLinkFactory.PathPrefix, connections[0].GetProperty("consentLink").GetString(), StringComparison.Ordinal);
        Assert.All(connections.Skip(1), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("consentLink").ValueKind));
        var tba = connections.Single(c => c.GetProperty("connection").GetProperty("name").GetString() == seeded.HealthyTba).GetProperty("connection");
        Assert.Equal("Tba", tba.GetProperty("kind").GetString());
        Assert.Equal(FunctionsTestEnvironment.Account, tba.GetProperty("account").GetString());
        Assert.Equal(JsonValueKind.String, tba.GetProperty("nextActionAt").ValueKind);
        var poisoned = Assert.Single(root.GetProperty("poisonedWork").EnumerateArray());
        Assert.Contains("Key Vault was unreachable", poisoned.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal([seeded.HealthyTba], poisoned.GetProperty("connections").EnumerateArray().Select(c => c.GetString()));

        AssertNoSecret(response.Body, seeded.Secrets);
    }

    [Fact]
    public async Task A_connection_due_now_shows_the_current_time_never_year_one_on_the_page_the_JSON_and_the_operator_API()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var seeded = await SeedAsync(env);
        var now = env.Time.GetUtcNow();
        var functions = env.Host.Activate<ConnectionFunctions>();

        // The consented OAuth 2.0 connection has no access token yet: its next action is "now".
        var pageRequest = env.Host.NewRequest("GET", "/api/status");
        var page = await FunctionsTestHost.ExecuteAsync(await functions.StatusPage(pageRequest, CancellationToken.None), pageRequest);
        var row = new HtmlParser().ParseDocument(page.Body).QuerySelectorAll("#connections tbody tr")
            .Single(r => r.GetAttribute("data-connection") == seeded.HealthyOAuth2);
        Assert.DoesNotContain("0001-01-01", page.Body, StringComparison.Ordinal);
        Assert.Contains(now.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC (now)", row.TextContent, StringComparison.Ordinal);

        var listRequest = env.Host.NewRequest("GET", "/api/connections");
        var list = await FunctionsTestHost.ExecuteAsync(await functions.ListConnections(listRequest, CancellationToken.None), listRequest);
        Assert.DoesNotContain("0001-01-01", list.Body, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(list.Body))
        {
            var oauth = json.RootElement.GetProperty("connections").EnumerateArray()
                .Select(c => c.GetProperty("connection"))
                .Single(c => c.GetProperty("name").GetString() == seeded.HealthyOAuth2);
            Assert.Equal(now, oauth.GetProperty("nextActionAt").GetDateTimeOffset());
        }

        var rotateRequest = env.Host.NewRequest("POST", $"/api/connections/{seeded.HealthyOAuth2}/rotate?dryRun=true");
        var rotate = await FunctionsTestHost.ExecuteAsync(await functions.RotateConnection(rotateRequest, seeded.HealthyOAuth2, CancellationToken.None), rotateRequest);
        Assert.Equal(200, rotate.StatusCode);
        Assert.DoesNotContain("0001-01-01", rotate.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Needs_a_person_lists_every_kind_of_need_each_with_the_action_that_fixes_it()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var seeded = await SeedEveryTaskAsync(env);

        var document = await StatusDocumentAsync(env);

        var tasks = document.QuerySelectorAll("#needs-person li.needs-person").ToList();
        string Task(string kind, string connection) =>
            Assert.Single(tasks, t => t.GetAttribute("data-task") == kind && t.GetAttribute("data-connection") == connection).TextContent;

        Assert.NotNull(document.QuerySelector($"#needs-person li[data-task=Consent][data-connection='{seeded.Base.NeedsConsent}'] a.consent-link"));
        Assert.Contains($"nstoken update {seeded.PasswordRefused} --change password", Task("CredentialsRefused", seeded.PasswordRefused), StringComparison.Ordinal);
        Assert.Contains("password", Task("CredentialsRefused", seeded.PasswordRefused), StringComparison.Ordinal);
        Assert.Contains("Manage Integrations", Task("IntegrationBlocked", seeded.Blocked), StringComparison.Ordinal);
        Assert.Equal($"nstoken rotate {seeded.Blocked}", document.QuerySelector($"li[data-task=IntegrationBlocked] code")!.TextContent);
        var orphan = Task("PossibleOrphan", seeded.Base.Failing);
        Assert.Contains("Access Tokens", orphan, StringComparison.Ordinal);
        Assert.Contains($"nstoken orphans ack {seeded.Base.Failing} ID", orphan, StringComparison.Ordinal);
        Assert.Contains("\"><b>orphan", orphan, StringComparison.Ordinal);
        Assert.Contains("Fix the cause", Task("PoisonedWork", seeded.Base.HealthyTba), StringComparison.Ordinal);
        Assert.Equal(
            ["Consent", "CredentialsRefused", "IntegrationBlocked", "PoisonedWork", "PossibleOrphan"],
            tasks.Select(t => t.GetAttribute("data-task")!).Distinct().Order(StringComparer.Ordinal));

        // Kinds as people say them, plurals, times in UTC with a relative time, no internal names, no Markdown.
        var text = document.Body!.TextContent;
        Assert.Contains(ConnectionKindNames.Tba, text, StringComparison.Ordinal);
        Assert.Contains(ConnectionKindNames.AuthorizationCode, text, StringComparison.Ordinal);
        Assert.DoesNotContain("OAuth2AuthorizationCode", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NeedsPerson", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rotation step", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`", text, StringComparison.Ordinal);
        Assert.Contains("7 connections, 3 need a person, 1 poisoned work item.", document.QuerySelector("#summary")!.TextContent, StringComparison.Ordinal);
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d UTC \(in \d+ (min|h|days?)\)", text);
    }

    [Fact]
    public async Task The_timeline_shows_the_next_14_days_of_events_with_text_labels_and_no_script()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var seeded = await SeedEveryTaskAsync(env);

        var document = await StatusDocumentAsync(env);

        var svg = document.QuerySelector("#timeline svg")!;
        Assert.Equal("img", svg.GetAttribute("role"));
        Assert.Equal("Timeline of the next 14 days", svg.QuerySelector("title")!.TextContent);
        Assert.Contains("event", svg.QuerySelector("desc")!.TextContent, StringComparison.Ordinal);
        string Marks(string connection) =>
            string.Join("|", svg.QuerySelectorAll($"g.row[data-connection='{connection}'] g.mark text").Select(t => t.TextContent));

        // The TBA connection due for rotation in 3 days, then the revoke of its old token after the 48 h grace; the
        // consented confidential client's refresh token end (7 days) and the consent warning before it.
        Assert.Equal("token rotation|old token revoked", Marks(seeded.RotatingSoon));
        Assert.Contains("refresh token ends", Marks(seeded.Base.HealthyOAuth2), StringComparison.Ordinal);
        Assert.Contains("consent warning starts", Marks(seeded.Base.HealthyOAuth2), StringComparison.Ordinal);
        Assert.Contains("needs a person now", Marks(seeded.Base.NeedsConsent), StringComparison.Ordinal);
        Assert.Null(svg.QuerySelector("g.row[data-milestones]"));

        // The same events as text, in time order.
        var list = document.QuerySelectorAll("#timeline-list li").Select(li => li.TextContent).ToList();
        Assert.Contains(list, l => l.Contains($"{seeded.RotatingSoon} token rotation", StringComparison.Ordinal) && l.Contains("(in 3 days)", StringComparison.Ordinal));
        Assert.Empty(document.QuerySelectorAll("script, link, img"));
    }

    [Fact]
    public async Task The_timeline_marks_a_NetSuite_release_that_falls_in_the_next_14_days()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        env.Time.SetUtcNow(NetSuiteReleases.NoNewTba.At - TimeSpan.FromDays(5));
        await SeedAsync(env);

        var document = await StatusDocumentAsync(env);

        var release = Assert.Single(document.QuerySelectorAll("#timeline svg g.row[data-milestones] g.mark text")).TextContent;
        Assert.StartsWith("NetSuite 2027.1", release, StringComparison.Ordinal);
        Assert.Contains(document.QuerySelectorAll("#timeline-list li"), li => li.TextContent.Contains("NetSuite 2027.1", StringComparison.Ordinal)
            && li.TextContent.Contains("(in 5 days)", StringComparison.Ordinal));
        Assert.DoesNotContain("2028.1", document.Body!.TextContent, StringComparison.Ordinal);
    }

    internal static async Task<AngleSharp.Html.Dom.IHtmlDocument> StatusDocumentAsync(FunctionsTestEnvironment env)
    {
        var request = env.Host.NewRequest("GET", "/api/status");
        var response = await FunctionsTestHost.ExecuteAsync(await env.Host.Activate<ConnectionFunctions>().StatusPage(request, CancellationToken.None), request);
        Assert.Equal(200, response.StatusCode);
        return new HtmlParser().ParseDocument(response.Body);
    }

    internal sealed record EverySeeded(Seeded Base, string PasswordRefused, string Blocked, string RotatingSoon);

    /// <summary>
    /// <see cref="SeedAsync"/>, plus a TBA connection whose rotation user's password NetSuite refused, one whose
    /// integration waits for approval, and one due for rotation in 3 days: one of each thing a person is needed for.
    /// </summary>
    internal static async Task<EverySeeded> SeedEveryTaskAsync(FunctionsTestEnvironment env)
    {
        var seeded = await SeedAsync(env);
        var integration = env.SeedAccount();
        var now = env.Time.GetUtcNow();
        async Task<string> NeedsPersonAsync(string prefix, string code, string message)
        {
            var name = prefix + FunctionsTestEnvironment.NewName("tba");
            var doc = await env.SaveTbaAsync(name, integration);
            doc.Status = ConnectionStatus.NeedsPerson;
            doc.NeedsPersonReason = message;
            doc.LastError = new LastError { Class = "NeedsPerson", Code = code, Message = message, At = now, Attempts = 1 };
            doc.Generation++;
            await env.Store.SaveAsync(doc, Scheduler.Index(doc, new RotationOptions()));
            return name;
        }

        var refused = await NeedsPersonAsync("pw-", "INVALID_LOGIN_CREDENTIALS", "NetSuite refused the NLAuth login of the rotation user as invalid credentials.");
        var blocked = await NeedsPersonAsync("wa-", "WAITING_FOR_APPROVAL", "The integration record is waiting for approval.");
        var soon = "ro-" + FunctionsTestEnvironment.NewName("tba");
        var rotating = await env.SaveTbaAsync(soon, integration);
        rotating.Policy.TbaRotationInterval = TimeSpan.FromDays(3);
        rotating.Generation++;
        await env.Store.SaveAsync(rotating, Scheduler.Index(rotating, new RotationOptions()));
        return new EverySeeded(seeded, refused, blocked, soon);
    }

    internal static void AssertNoSecret(string text, IEnumerable<string> secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A secret ({secret.Length} characters, starting {secret[..4]}) appears in the output.");
        }
    }

    internal sealed record Seeded(string NeedsConsent, string Failing, string HealthyTba, string HealthyOAuth2, IReadOnlyList<string> Secrets);

    /// <summary>
    /// Four connections (names chosen so that alphabetical order would put the one needing a person last), with real
    /// secrets issued by the simulator as canaries, and one poisoned work message.
    /// </summary>
    internal static async Task<Seeded> SeedAsync(FunctionsTestEnvironment env)
    {
        var integration = env.SeedAccount();
        var needsConsent = "zz-" + FunctionsTestEnvironment.NewName("consent");
        var failing = "zy-" + FunctionsTestEnvironment.NewName("failing");
        var tbaName = "aa-" + FunctionsTestEnvironment.NewName("tba");
        var oauthName = "ab-" + FunctionsTestEnvironment.NewName("oauth");
        await env.ImportOAuth2Async(needsConsent, integration);
        var tba = await env.SaveTbaAsync(tbaName, integration);
        var oauth = await env.SaveConsentedOAuth2Async(oauthName, integration);

        var broken = await env.SaveTbaAsync(failing, integration);
        broken.Status = ConnectionStatus.Failing;
        broken.LastError = new LastError { Class = "Transient", Code = "HTTP 503", Message = "<img src=x onerror=alert(1)>", At = env.Time.GetUtcNow(), Attempts = 2, RetryAt = env.Time.GetUtcNow().AddMinutes(5) };
        broken.PossibleOrphans.Add(new PossibleOrphan { TokenName = "\"><b>orphan", Reason = "issuetoken answer lost", RecordedAt = env.Time.GetUtcNow() });
        broken.Generation++;
        await env.Store.SaveAsync(broken, Scheduler.Index(broken, new RotationOptions()));

        var recorder = env.Services.GetRequiredService<PoisonedWorkRecorder>();
        var message = System.Text.Json.JsonSerializer.Serialize(
            new AccountWorkItem(FunctionsTestEnvironment.Account, [tbaName], env.Time.GetUtcNow(), false), StorageWorkQueue.Json);
        await recorder.RecordFailureAsync(message, new InvalidOperationException("Key Vault was unreachable"));
        await recorder.RecordPoisonedAsync(message);

        string[] secrets =
        [
            integration.ClientSecret,
            integration.ConsumerSecret,
            tba.Credentials.Current!.Secret!,
            broken.Credentials.Current!.Secret!,
            oauth.OAuth2!.RefreshToken!,
            FunctionsTestEnvironment.UserPassword,
            FunctionsTestEnvironment.TotpSecret,
        ];
        return new Seeded(needsConsent, failing, tbaName, oauthName, secrets);
    }
}
