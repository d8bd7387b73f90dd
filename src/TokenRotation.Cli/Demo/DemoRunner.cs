using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetSuite.Auth.KeyVault;
using NetSuite.Simulator;
using TokenRotation.Cli.Commands;
using TokenRotation.Cli.Output;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Keys;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Demo;

/// <summary>What the demo built, for a test to inspect before it is torn down.</summary>
public sealed record DemoWorld(
    NetSuiteSimulator Simulator, IServiceProvider Services, string Folder, AdjustableTimeProvider Clock, string OriginalTbaTokenId,
    string StatusPage, int ConsumerCalls, int ConsumerFailedCalls);

/// <summary>
/// The embedded demo: the NetSuite simulator in-process on loopback, the engine composed as the CLI composes it on
/// the file-backed store, and a clock shared by both that jumps forward when the story needs it. Every step goes
/// through the same code as the service (sweeps, the queue worker, the consent flow, rotate-now).
/// </summary>
public static partial class DemoRunner
{
    public const string Account = "1234567_SB1";
    public const string OAuthConnection = "crm-oauth2";
    public const string TbaConnection = "erp-tba";
    public const string M2MConnection = "wms-m2m";
    public const string PublicBaseUrl = "http://localhost:7071";

    private const string UserEmail = "integration@example.com";

    // How often the demo's consumer calls NetSuite, and the timer sweeps while time runs on, in simulated time.
    private static readonly TimeSpan ConsumerTick = TimeSpan.FromMinutes(5);

    // Demo-only values for a simulated user, never printed: the simulator needs a password and a TOTP secret.
    private const string UserPassword = "Demo-Only-Passw0rd!";
    private const string UserTotpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    private const int RoleId = 1000;

    /// <param name="statusPageFile">Where the status page goes; default status.html in <paramref name="folder"/>.</param>
    public static async Task<int> RunAsync(string folder, TextWriter output, Func<DemoWorld, Task>? inspect = null, string? statusPageFile = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        OwnerOnlyFiles.CreateFolder(folder);
        var say = new Narrator(output);
        var clock = new AdjustableTimeProvider();
        await using var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions { TimeProvider = clock }, cancellationToken).ConfigureAwait(false);
        simulator.Modes.Consent = ConsentMode.AutoApprove;

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenRotation:PublicBaseUrl"] = PublicBaseUrl,
            ["TokenRotation:ServiceName"] = "nstoken-demo",
            ["NetSuite:SuiteTalkUrlTemplate"] = simulator.SuiteTalkTemplate,
            ["NetSuite:RestletsUrlTemplate"] = simulator.RestletsTemplate,
            ["NetSuite:AppUrlTemplate"] = simulator.AppTemplate,
            ["Engine:WorkerParallelism"] = "4",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        collection.AddSingleton<TimeProvider>(clock);

        // The resilience pipeline's retries, narrated when NetSuite fails (step 13).
        using var retries = new StringWriter();
        collection.AddSingleton<ILoggerProvider>(new ProgressReporter(retries, Style.None) { Waiting = "a token call" });
        collection.AddTokenRotation(configuration, o => o.UseLocalStores(folder));
        await using var services = collection.BuildServiceProvider();

        say.Title("nstoken demo: keeping NetSuite credentials alive, on this machine");
        say.Line($"""
            This demo runs the whole job locally. NetSuite is a simulator on {simulator.BaseUrl} (loopback only, it is not
            NetSuite); the engine is the same code the Azure Functions app runs; Key Vault is replaced by files in
            {folder}. Time is simulated: it starts at {clock.GetUtcNow():u} and jumps forward when the story needs it.
            """);

        // 1. The NetSuite side, as an administrator would set it up.
        say.Step("Set up the NetSuite side");
        simulator.State.AddAccount(Account, concurrencyLimit: 5, companyName: "Demo Company (Sandbox 1)");
        simulator.State.AddRole(Account, RoleId, "Integration Role", twoFactorRequired: true);
        var user = simulator.State.AddUser(Account, UserEmail, UserPassword, UserTotpSecret, RoleId);
        simulator.State.SetConsentUser(Account, UserEmail, RoleId);
        var crm = simulator.State.AddIntegration(Account, new IntegrationSpec { Name = "CRM (OAuth 2.0)", RedirectUris = [PublicBaseUrl + "/api/oauth/callback"] });
        var erp = simulator.State.AddIntegration(Account, new IntegrationSpec { Name = "ERP (TBA)" });
        var wms = simulator.State.AddIntegration(Account, new IntegrationSpec { Name = "WMS (client credentials)" });
        say.Did($"sandbox account {Account}, user {UserEmail} (entity {user.EntityId}) with role {RoleId} \"Integration Role\" that requires two-factor authentication, and three integration records: CRM, ERP, WMS");
        say.Why("In real life a NetSuite administrator creates these; the service never creates integration records.");

        var admin = services.GetRequiredService<ConnectionImport>();
        var time = services.GetRequiredService<TimeProvider>();

        // 2. OAuth 2.0: import, then a person consents once.
        say.Step($"Import the OAuth 2.0 connection {OAuthConnection}");
        var imported = await admin.ImportAsync(new ConnectionDocument
        {
            Name = OAuthConnection,
            Kind = ConnectionKind.OAuth2AuthorizationCode,
            Account = Account,
            OAuth2 = new OAuth2Definition { ClientId = crm.ClientId, ClientSecret = crm.ClientSecret, RedirectUri = PublicBaseUrl + "/api/oauth/callback" },
        }, dryRun: false, cancellationToken).ConfigureAwait(false);
        say.Outcome(imported);
        say.Why("An OAuth 2.0 authorization-code connection starts with a person's consent: the service cannot log in to NetSuite for them. Until then it is NeedsPerson.");

        say.Step("A person consents (the simulator approves automatically)");
        var consent = await ConsentAsync(services, simulator, ConnectionName.Parse(OAuthConnection), say, cancellationToken).ConfigureAwait(false);
        if (consent.Kind != ConsentOutcomeKind.Connected)
        {
            say.Line($"The consent did not complete: {consent.Title}. {consent.Message}");
            return ExitCodes.Failure;
        }

        var crmDoc = (await services.GetRequiredService<IConnectionStore>().GetAsync(ConnectionName.Parse(OAuthConnection), cancellationToken).ConfigureAwait(false))!;
        say.Did(consent.Message);
        say.Why($"NetSuite's refresh token lives 7 days (until {crmDoc.OAuth2!.RefreshTokenExpiresAt:u}) and refreshing does not extend it. The service refreshes the 60-minute access token before it expires, publishes it to the consumer vault, and warns 2 days before the refresh token ends.");

        // 3. TBA: a token made in NetSuite's UI.
        say.Step($"Import the TBA connection {TbaConnection}");
        var uiToken = simulator.State.IssueTbaToken(Account, erp.ConsumerKey, UserEmail, RoleId, name: "made in the NetSuite UI");
        var tbaImport = await admin.ImportAsync(new ConnectionDocument
        {
            Name = TbaConnection,
            Kind = ConnectionKind.Tba,
            Account = Account,
            Tba = new TbaDefinition
            {
                ConsumerKey = erp.ConsumerKey,
                ConsumerSecret = erp.ConsumerSecret,
                User = new RotationUser { Email = UserEmail, Password = UserPassword, TotpSecret = UserTotpSecret, RoleId = RoleId.ToString(CultureInfo.InvariantCulture) },
            },
            Credentials = new CredentialSlots { Current = new RotatedCredential { Id = uiToken.TokenId, Secret = uiToken.TokenSecret, Name = uiToken.Name, IssuedAt = time.GetUtcNow() } },
        }, dryRun: false, cancellationToken).ConfigureAwait(false);
        say.Outcome(tbaImport);
        say.Why("A TBA token never expires, but policy wants it rotated. The import checks it with tokeninfo (account, role, entity) and publishes the TBA set (consumer key and secret, token id and secret) to the consumer vault, where other systems read it.");

        // 4. Client credentials: a key in the key store, its certificate uploaded in NetSuite.
        say.Step($"Import the client-credentials connection {M2MConnection}");
        var keys = services.GetRequiredService<ICertificateKeyStore>();
        var certificateName = SecretNames.Certificate(ConnectionName.Parse(M2MConnection));
        var version = await keys.CreateVersionAsync(certificateName, "nstoken demo " + M2MConnection, TimeSpan.FromDays(365), cancellationToken).ConfigureAwait(false);
        using var certificate = X509Certificate2.CreateFromPem(version.CertificatePem);
        var mapped = simulator.State.AddCertificate(Account, wms.ClientId, UserEmail, RoleId, certificate);
        var m2mImport = await admin.ImportAsync(new ConnectionDocument
        {
            Name = M2MConnection,
            Kind = ConnectionKind.OAuth2ClientCredentials,
            Account = Account,
            ClientCredentials = new ClientCredentialsDefinition
            {
                ClientId = wms.ClientId,
                RoleId = RoleId.ToString(CultureInfo.InvariantCulture),
                EntityId = user.EntityId.ToString(CultureInfo.InvariantCulture),
                CertificateName = certificateName,
            },
            Credentials = new CredentialSlots { Current = new RotatedCredential { Id = mapped.CertificateId, KeyVersion = version.KeyVersion, Name = "demo", IssuedAt = time.GetUtcNow(), ExpiresAt = version.NotAfter } },
        }, dryRun: false, cancellationToken).ConfigureAwait(false);
        say.Did($"made an EC P-256 key and certificate ({certificateName}, version {version.Version[..8]}…) in the key store; a person uploaded the certificate in NetSuite's M2M setup, which named it {mapped.CertificateId}");
        say.Outcome(m2mImport);
        say.Why("Client credentials need no person after set-up: the service signs a short JWT with the private key (which never leaves the key store; in Azure it is a non-exportable Key Vault key) and NetSuite answers with an access token.");

        // 5. The timer's sweep.
        var sweeps = services.GetRequiredService<SweepService>();
        var dispatcher = new LocalWorkDispatcher(
            services.GetRequiredService<InMemoryWorkQueue>(), services.GetRequiredService<AccountWorker>(),
            services.GetRequiredService<IOptions<EngineOptions>>().Value.WorkerParallelism);
        say.Step("The 5-minute timer sweeps");
        await SweepAsync(sweeps, dispatcher, say, cancellationToken).ConfigureAwait(false);
        say.Why("A sweep reads only the index (tags) of every connection, never a secret, and queues the due ones, one message per NetSuite account. The client-credentials connection had no access token yet, so it was due; the OAuth 2.0 one got its access token at consent.");

        // 6. A consumer: another system that calls NetSuite with what the service publishes.
        say.Step("A consumer starts calling NetSuite (NetSuite.Auth.KeyVault)");
        var recordUrl = simulator.RecordUrl(Account, "customer/42");
        using var consumer = new DemoConsumer(
            services.GetRequiredService<FileConsumerPublisher>().Folder, clock, recordUrl, [OAuthConnection, TbaConnection, M2MConnection]);
        await ConsumerCallAsync(consumer, clock, say, cancellationToken).ConfigureAwait(false);
        say.Did($"each call is GET {new Uri(recordUrl).AbsolutePath}; the consumer calls once per connection every {ConsumerTick.TotalMinutes:0} simulated minutes from now on, through every refresh and the TBA rotation");
        say.Why("The consumer has no credential code of its own: an HttpClient with the library's handler reads the connection's consumer secret, caches it (an access token until 5 minutes before it expires, a TBA set for an hour), sends it as a bearer token or signs with it, and on a refusal reads once more and resends if a newer version exists. In Azure it reads Key Vault; here the same projection comes from the demo's consumer-vault folder through the library's reader seam.");

        // 7. 50 minutes later.
        say.Step("50 minutes later");
        await ConsumerRunAsync(consumer, clock, TimeSpan.FromMinutes(50), sweep: null, say, cancellationToken).ConfigureAwait(false);
        say.Line($"Simulated time is now {clock.GetUtcNow():u}.");
        await SweepAsync(sweeps, dispatcher, say, cancellationToken).ConfigureAwait(false);
        await ConsumerCallAsync(consumer, clock, say, cancellationToken).ConfigureAwait(false);
        say.Why("Both access tokens were within 15 minutes of expiry (Rotation:AccessTokenLeadTime), so the sweep refreshed one and minted the other. The refresh wrote only the consumer vault: a confidential client's state does not change on refresh, which saves Key Vault writes. The consumer keeps its cached tokens until 5 minutes before they expire, then reads the new ones once.");

        // 7. Rotate the TBA token now.
        say.Step($"Rotate the TBA token (what `nstoken rotate {TbaConnection}` does)");
        var rotated = await RunCommands.RotateAsync(services, ConnectionName.Parse(TbaConnection), dryRun: false, force: false, cancellationToken).ConfigureAwait(false);
        say.Outcome(rotated);
        var afterRotation = (await services.GetRequiredService<IConnectionStore>().GetAsync(ConnectionName.Parse(TbaConnection), cancellationToken).ConfigureAwait(false))!;
        var active = simulator.State.ActiveTbaTokens(Account).Count(t => t.ConsumerKey == erp.ConsumerKey);
        say.Did($"NetSuite now has {active} active tokens for ERP: the new current one {afterRotation.Credentials.Current!.Id[..8]}… and the previous {uiToken.TokenId[..8]}…, kept until {afterRotation.Credentials.Previous?.RetireAfter:u}");
        await ConsumerCallAsync(consumer, clock, say, cancellationToken).ConfigureAwait(false);
        say.Did($"the consumer's TBA call still signed with its cached set (token {uiToken.TokenId[..8]}…), which NetSuite accepts during the grace period");
        say.Why("Issue: the rotation id is saved first, then issuetoken is called with the user's password and a one-time TOTP code. Verify: a real signed call (tokeninfo) must show the same account, role and entity. Promote: the state vault first, then the consumer vault. The old token stays valid for the 48-hour grace period, because consumers cache the TBA set; during grace `nstoken rollback` could swap back.");

        // 8. Past the grace period.
        say.Step("49 hours later: past the grace period");
        await ConsumerRunAsync(consumer, clock, TimeSpan.FromHours(49), (sweeps, dispatcher), say, cancellationToken).ConfigureAwait(false);
        say.Line($"Simulated time is now {clock.GetUtcNow():u}.");
        var original = simulator.State.TokensFor(Account).Single(t => t.Id == uiToken.TokenId);
        say.Did($"in NetSuite the original token {uiToken.TokenId[..8]}… is now {original.Status}");
        say.Why("Retire: after the grace period the previous token is revoked in NetSuite (revoketoken) and dropped. The current one is never revoked, and never replaced by one that was not verified. The consumer moved to the new TBA set at its next scheduled read, within the hour, long before the old token was revoked; it read each new access token once, 5 minutes before the previous one expired.");
        say.Did($"the consumer pauses while the next steps jump days ahead; since it started: {consumer.Calls} calls, {consumer.Failed} failed, {consumer.Reads} reads of the consumer vault");
        foreach (var failure in consumer.Failures.Take(5))
        {
            say.Did("consumer call failed: " + failure);
        }

        // 9. The warning ahead of the refresh token's end.
        var warningAt = crmDoc.OAuth2.RefreshTokenExpiresAt!.Value - TimeSpan.FromHours(47);
        say.Step("Three days later: the refresh token's end approaches");
        clock.Advance(warningAt - clock.GetUtcNow());
        say.Line($"Simulated time is now {clock.GetUtcNow():u}.");
        await SweepAsync(sweeps, dispatcher, say, cancellationToken).ConfigureAwait(false);
        say.Why("Two days before the refresh token ends (Rotation:ConsentWarningLeadTime) the connection becomes NeedsPerson with a consent link, so a person can consent again in time. Refreshing continues until the token dies.");

        // 10. The refresh token's end.
        say.Step("Two more days: the refresh token has expired");
        clock.Advance(crmDoc.OAuth2.RefreshTokenExpiresAt.Value + TimeSpan.FromHours(1) - clock.GetUtcNow());
        say.Line($"Simulated time is now {clock.GetUtcNow():u}.");
        await SweepAsync(sweeps, dispatcher, say, cancellationToken).ConfigureAwait(false);
        say.Why("Nobody consented, so the OAuth 2.0 connection now needs a person; its consumers' last access token has expired too. The TBA and client-credentials connections need nobody.");

        // 11. The person consents again.
        say.Step("A person consents again, and the connection is healthy again");
        simulator.Modes.Consent = ConsentMode.Interactive;
        var again = await ConsentAsync(services, simulator, ConnectionName.Parse(OAuthConnection), say, cancellationToken).ConfigureAwait(false);
        say.Did(again.Kind == ConsentOutcomeKind.Connected ? again.Message : $"the consent did not complete: {again.Title}. {again.Message}");
        await SweepAsync(sweeps, dispatcher, say, cancellationToken).ConfigureAwait(false);
        crmDoc = (await services.GetRequiredService<IConnectionStore>().GetAsync(ConnectionName.Parse(OAuthConnection), cancellationToken).ConfigureAwait(false))!;
        say.Did($"{OAuthConnection} is {crmDoc.Status} again; its new refresh token lasts until {crmDoc.OAuth2!.RefreshTokenExpiresAt:u}");
        await ConsumerCallAsync(consumer, clock, say, cancellationToken).ConfigureAwait(false);
        say.Why("The consent link from the status (or `nstoken consent-link`) opens NetSuite's consent page; the person logs in and chooses Allow, and the callback exchanges the code for a new refresh token. The consumer's next call read the new access token by itself: nothing changed on its side.");

        // 12. Client credentials: the certificate rotation.
        say.Step($"Rotate the client-credentials certificate (what `nstoken rotate {M2MConnection}` does)");
        var m2mRotated = await RunCommands.RotateAsync(services, ConnectionName.Parse(M2MConnection), dryRun: false, force: false, cancellationToken).ConfigureAwait(false);
        say.Outcome(m2mRotated);
        await ConsumerCallAsync(consumer, clock, say, cancellationToken).ConfigureAwait(false);
        say.Why("A certificate lasts at most two years, so the service makes a new key in the key store, uploads its certificate through NetSuite's certificate API, mints a token with it to verify, and promotes it. The old certificate stays mapped for the grace period, then it is revoked. Consumers only ever see access tokens, so they notice nothing.");

        // 13. A NetSuite failure, survived.
        say.Step("NetSuite fails once: a 503 on the token endpoint");
        simulator.Faults.AddStatus(SimEndpoint.Token, 503, times: 1);
        clock.Advance(TimeSpan.FromMinutes(50));
        say.Line($"Simulated time is now {clock.GetUtcNow():u}; the access tokens are due again, and NetSuite's next token call answers 503 Service Unavailable.");
        await SweepAsync(sweeps, dispatcher, say, cancellationToken).ConfigureAwait(false);
        foreach (var retry in retries.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            say.Did("the call's resilience pipeline: " + retry.TrimStart('.', ' '));
        }

        await ConsumerCallAsync(consumer, clock, say, cancellationToken).ConfigureAwait(false);
        say.Why("A 503 never reached a single-use token: NetSuite did not process the request, so the call was retried after a short pause with jitter, and the sweep's outcome is an ordinary success. Had the answer been lost after NetSuite processed it, the rotation id saved first lets the next run resume instead of issuing twice.");

        // 14. What a consumer reads.
        say.Step("What a consumer reads from the consumer vault");
        var published = services.GetRequiredService<FileConsumerPublisher>();
        foreach (var name in new[] { OAuthConnection, M2MConnection, TbaConnection })
        {
            if (await published.GetAsync(ConnectionName.Parse(name), cancellationToken).ConfigureAwait(false) is { } projection)
            {
                say.Did($"secret {SecretNames.Consumer(ConnectionName.Parse(name))}: {DescribeProjection(projection)}");
            }
        }

        say.Line($"consumer: {consumer.Calls} calls, {consumer.Failed} failed (across the refreshes, the mints, the TBA rotation, the second consent, the certificate rotation and the 503)");
        say.Why("That is all a consumer needs: one secret per connection, read with its own identity (Key Vault Secrets User on the consumer vault only). It never sees the state vault, a refresh token, a password or a private key.");

        // 15. Where everything stands.
        say.Step("Status (what `nstoken status` prints)");
        var views = await services.GetRequiredService<ConnectionStatusQuery>().StatusAsync(cancellationToken).ConfigureAwait(false);
        say.Raw(StatusCommand.Render(views, time));
        var statusPage = statusPageFile ?? Path.Combine(folder, "status.html");
        await File.WriteAllTextAsync(statusPage, StatusHtml.Render(views, time.GetUtcNow(), "nstoken-demo"), cancellationToken).ConfigureAwait(false);
        say.Did($"the status page, as a file: {statusPage}");
        var healthy = views.Where(v => v.State is ConnectionStatus.Healthy or ConnectionStatus.Rotating).Select(v => v.Name).ToList();
        var needy = views.Where(v => v.State == ConnectionStatus.NeedsPerson).Select(v => v.Name).ToList();
        await DemoClock.WriteAsync(folder, clock, cancellationToken).ConfigureAwait(false);
        say.Line($"""
            Summary: {(healthy.Count == 0 ? "none" : string.Join(", ", healthy))} kept alive without a person{(needy.Count == 0 ? "" : $"; {string.Join(", ", needy)} needs a person")}.
            The original TBA token was revoked in NetSuite after the grace period; the OAuth 2.0 connection came back with one consent.
            Times in the demo's folder are simulated: the story ends at {clock.GetUtcNow():u}, {clock.Offset.TotalDays:0.#} days ahead of this machine's clock. `nstoken status --local FOLDER` on a kept folder (--folder) reads the offset from {DemoClock.FileName} and shows the same clock.
            Next: `nstoken --help`, `nstoken doctor NAME`, and the README's deploy section for Azure.
            """);

        if (inspect is not null)
        {
            await inspect(new DemoWorld(simulator, services, folder, clock, uiToken.TokenId, statusPage, consumer.Calls, consumer.Failed)).ConfigureAwait(false);
        }

        return consumer.Failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>A consumer-vault secret as the demo may print it: field names, ids cut short, secrets only counted.</summary>
    private static string DescribeProjection(ConsumerProjection projection)
    {
        var expires = projection.ExpiresOn is { } at ? $", expires {at:u}" : "";
        if (!projection.Value.TrimStart().StartsWith('{'))
        {
            return $"an access token ({projection.Value.Length} characters, not shown){expires}; tags {string.Join(", ", projection.Tags.Select(t => $"{t.Key}={t.Value}"))}";
        }

        using var json = System.Text.Json.JsonDocument.Parse(projection.Value);
        var fields = json.RootElement.EnumerateObject().Select(p =>
            p.Name.Contains("secret", StringComparison.OrdinalIgnoreCase) ? $"{p.Name} (secret, not shown)"
            : p.Value.ValueKind == System.Text.Json.JsonValueKind.String ? $"{p.Name} {TextLayout.ShortId(p.Value.GetString() ?? "")}"
            : $"{p.Name} {p.Value.GetRawText()}");
        return $"a TBA set: {string.Join(", ", fields)}{expires}";
    }

    /// <summary>One call per connection now; narrates what the consumer read that it had not read before.</summary>
    private static async Task ConsumerCallAsync(DemoConsumer consumer, TimeProvider clock, Narrator say, CancellationToken cancellationToken)
    {
        foreach (var read in await consumer.CallAsync(clock.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            say.Did($"the consumer read {read.Describe()}");
        }
    }

    /// <summary>
    /// Moves time on in consumer ticks: at each, the timer sweeps (when given) and the consumer calls. Narrates the TBA
    /// connection's outcomes and any failure in full, the routine access-token refreshes and mints as counts, and the
    /// TBA sets the consumer read.
    /// </summary>
    private static async Task ConsumerRunAsync(
        DemoConsumer consumer, AdjustableTimeProvider clock, TimeSpan by, (SweepService Sweeps, LocalWorkDispatcher Dispatcher)? sweep, Narrator say, CancellationToken cancellationToken)
    {
        var (calls, failed, reads) = (consumer.Calls, consumer.Failed, consumer.Reads);
        var accessTokenReads = new Dictionary<string, int>(StringComparer.Ordinal);
        var routine = new Dictionary<string, int>(StringComparer.Ordinal);
        var sweepCount = 0;
        var end = clock.GetUtcNow() + by;
        while (clock.GetUtcNow() < end)
        {
            clock.Advance(TimeSpan.FromTicks(Math.Min(ConsumerTick.Ticks, (end - clock.GetUtcNow()).Ticks)));
            if (sweep is { } timer)
            {
                sweepCount++;
                await timer.Sweeps.SweepAsync(startRotations: false, cancellationToken).ConfigureAwait(false);
                foreach (var outcome in (await timer.Dispatcher.DrainAsync(cancellationToken).ConfigureAwait(false)).OrderBy(o => o.Connection, StringComparer.Ordinal))
                {
                    if (outcome.Kind == OutcomeKind.Succeeded && outcome.Connection != TbaConnection)
                    {
                        routine[outcome.Connection] = routine.GetValueOrDefault(outcome.Connection) + 1;
                    }
                    else if (outcome.Kind != OutcomeKind.NothingToDo)
                    {
                        say.Did($"at {clock.GetUtcNow():u} the timer's sweep:");
                        say.Outcome(outcome);
                    }
                }
            }

            foreach (var read in await consumer.CallAsync(clock.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                if (read.Credential.Kind == ConsumerCredentialKind.Tba)
                {
                    say.Did($"at {read.At:u} the consumer read {read.Describe()}");
                }
                else
                {
                    accessTokenReads[read.Connection] = accessTokenReads.GetValueOrDefault(read.Connection) + 1;
                }
            }
        }

        if (sweepCount > 0)
        {
            say.Did($"the timer swept {sweepCount} times (every {ConsumerTick.TotalMinutes:0} minutes): {(routine.Count == 0 ? "no access token was due" : string.Join(", ", routine.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} got {r.Value} new access tokens")))}");
        }

        var newTokens = accessTokenReads.Count == 0
            ? "no new access token"
            : string.Join(", ", accessTokenReads.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} new access token(s) for {r.Key}"));
        say.Did($"the consumer made {consumer.Calls - calls} calls ({consumer.Failed - failed} failed) and read the consumer vault {consumer.Reads - reads} times: {newTokens}");
    }

    /// <summary>The browser consent through the real flow: link, start, NetSuite's authorize page, callback.</summary>
    private static async Task<ConsentResult> ConsentAsync(IServiceProvider services, NetSuiteSimulator simulator, ConnectionName name, Narrator say, CancellationToken cancellationToken)
    {
        var link = await services.GetRequiredService<IConsentLinkFactory>().CreateAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("No consent link factory is registered.");
        say.Did($"made a signed consent link, valid 72 hours: {link[..Math.Min(link.Length, 60)]}…");
        var token = link[(link.IndexOf(ConsentLinkFactory.PathPrefix, StringComparison.Ordinal) + ConsentLinkFactory.PathPrefix.Length)..];
        var consent = services.GetRequiredService<ConsentService>();
        var start = await consent.StartAsync(token, cancellationToken).ConfigureAwait(false);
        if (start.Status != ConsentStartStatus.Redirect || start.AuthorizeUrl is null)
        {
            return new ConsentResult(ConsentOutcomeKind.Failed, name.Value, start.StatusCode, start.Title, start.Message, start.NextStep);
        }

        say.Did($"opening the link redirected the browser to NetSuite's consent page ({start.AuthorizeUrl.GetLeftPart(UriPartial.Path)}) with a state and a PKCE challenge");
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await browser.GetAsync(start.AuthorizeUrl, cancellationToken).ConfigureAwait(false);
        Uri location;
        if (response.Headers.Location is { } redirect)
        {
            location = redirect;
            say.Did("the person logged in; the simulator approved at once (its automatic mode)");
        }
        else
        {
            // The consent page as a person sees it: a form with the roles to choose from and Allow or Deny.
            var page = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var form = ConsentForm().Match(page);
            var option = SelectedRole().Match(page) is { Success: true } selected ? selected : FirstRole().Match(page);
            if (!form.Success || !option.Success)
            {
                throw new InvalidOperationException($"NetSuite's consent page answered {(int)response.StatusCode} without a consent form.");
            }

            var heading = HttpUtility.HtmlDecode(Heading().Match(page).Groups[1].Value);
            var action = new Uri(start.AuthorizeUrl, HttpUtility.HtmlDecode(form.Groups["action"].Value));
            using var decision = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["txn"] = HttpUtility.HtmlDecode(form.Groups["txn"].Value),
                ["role"] = HttpUtility.HtmlDecode(option.Groups["value"].Value),
                ["decision"] = "allow",
            });
            using var answer = await browser.PostAsync(action, decision, cancellationToken).ConfigureAwait(false);
            location = answer.Headers.Location ?? throw new InvalidOperationException($"NetSuite's consent form answered {(int)answer.StatusCode} without a redirect.");
            say.Did($"the consent page asked \"{heading}\"; the person kept the role {HttpUtility.HtmlDecode(option.Groups["label"].Value)} and chose Allow (the form posted over HTTP)");
        }

        var query = HttpUtility.ParseQueryString(location.Query);
        say.Did($"NetSuite redirected to the callback with company {query["company"]}, role {query["role"]} and entity {query["entity"]}");
        return await consent.CompleteAsync(new ConsentCallback
        {
            State = query["state"],
            Code = query["code"],
            Error = query["error"],
            Company = query["company"],
            Role = query["role"],
            Entity = query["entity"],
            ReadCookie = cookie => cookie == start.CookieName ? start.CookieValue : null,
        }, cancellationToken).ConfigureAwait(false);
    }

    [System.Text.RegularExpressions.GeneratedRegex("<form id=\"consent\" method=\"post\" action=\"(?<action>[^\"]+)\">\\s*<input type=\"hidden\" name=\"txn\" value=\"(?<txn>[^\"]+)\">")]
    private static partial System.Text.RegularExpressions.Regex ConsentForm();

    [System.Text.RegularExpressions.GeneratedRegex("<option value=\"(?<value>[^\"]+)\" selected>(?<label>[^<]+)</option>")]
    private static partial System.Text.RegularExpressions.Regex SelectedRole();

    [System.Text.RegularExpressions.GeneratedRegex("<option value=\"(?<value>[^\"]+)\"[^>]*>(?<label>[^<]+)</option>")]
    private static partial System.Text.RegularExpressions.Regex FirstRole();

    [System.Text.RegularExpressions.GeneratedRegex("<h1>([^<]+)</h1>")]
    private static partial System.Text.RegularExpressions.Regex Heading();

    private static async Task SweepAsync(SweepService sweeps, LocalWorkDispatcher dispatcher, Narrator say, CancellationToken cancellationToken)
    {
        var sweep = await sweeps.SweepAsync(startRotations: false, cancellationToken).ConfigureAwait(false);
        say.Did($"sweep: {sweep.Connections} connections listed, {sweep.Due} due, {sweep.Messages} queue message(s)");
        foreach (var outcome in (await dispatcher.DrainAsync(cancellationToken).ConfigureAwait(false)).OrderBy(o => o.Connection, StringComparer.Ordinal))
        {
            say.Outcome(outcome);
        }
    }

    /// <summary>Writes the story: steps, what happened, and why.</summary>
    private sealed class Narrator(TextWriter output)
    {
        private int _step;

        public void Title(string text)
        {
            output.WriteLine(text);
            output.WriteLine(new string('=', text.Length));
        }

        public void Step(string title)
        {
            output.WriteLine();
            output.WriteLine($"Step {++_step}. {title}");
        }

        public void Line(string text) => output.WriteLine(Unwrap(text));

        public void Raw(string text) => output.Write(text);

        public void Did(string text) => output.WriteLine($"  - {text}");

        public void Why(string text) => output.WriteLine($"  Why: {text}");

        public void Outcome(ConnectionOutcome outcome)
        {
            var lines = outcome.Actions.Count > 0 ? outcome.Actions : [outcome.Message];
            output.WriteLine($"  - {outcome.Connection}: {CommandSupport.Describe(outcome.Kind)} -> {outcome.Status}");
            foreach (var line in lines)
            {
                output.WriteLine($"      {line}");
            }
        }

        // Raw string literals keep their line breaks; the story reads better as paragraphs.
        private static string Unwrap(string text)
        {
            var paragraphs = text.Replace("\r", "", StringComparison.Ordinal).Split("\n");
            var result = new StringBuilder();
            foreach (var line in paragraphs)
            {
                if (result.Length > 0)
                {
                    result.Append(line.Length > 0 && char.IsUpper(line[0]) && result[^1] is '.' or ':' ? Environment.NewLine : " ");
                }

                result.Append(line.Trim());
            }

            return result.ToString();
        }
    }
}
