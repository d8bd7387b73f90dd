using KeyVault.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;
using Xunit.Abstractions;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>architecture section 5: one writer per connection, one TOTP code per window, fencing.</summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const string Account = EngineHarness.Account;

    [Fact]
    public async Task Twenty_concurrent_rotate_now_calls_issue_exactly_one_token()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-twenty", integration);
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);

        using var start = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await h.Processor.RunAsync(N("tba-twenty"), new RunRequest { Now = true, StartRotations = true, Trigger = "rotate-now" });
        })).ToArray();
        start.Set();
        var outcomes = await Task.WhenAll(calls);

        output.WriteLine(string.Join(Environment.NewLine, outcomes.GroupBy(o => o.Kind).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.Single(outcomes, o => o.Kind == OutcomeKind.Succeeded);
        Assert.All(outcomes.Where(o => o.Kind != OutcomeKind.Succeeded), o => Assert.Equal(OutcomeKind.Conflict, o.Kind));
        var issued = Audit(h.Simulator, SimEndpoint.IssueToken);
        Assert.Single(issued);
        Assert.True(issued[0].Success);
        var tokens = TbaTokens(h.Simulator, Account);
        Assert.Equal(2, tokens.Count);
        var after = (await h.GetAsync("tba-twenty"))!;
        Assert.Equal(Assert.Single(tokens, t => t.Id != original).Id, after.Credentials.Current!.Id);
        Assert.Equal(original, after.Credentials.Previous!.Id);
        Assert.Equal(after.Credentials.Current.Id, await TbaRotationTests.PublishedTokenIdAsync(h, "tba-twenty"));
    }

    [Fact]
    public async Task Two_connections_of_one_user_rotating_at_the_same_instant_never_reuse_a_totp_code()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount(twoFactor: true);
        var a = h.TbaConnection("tba-user-a", integration);
        var b = h.TbaConnection("tba-user-b", integration);
        var originals = new[] { a.Credentials.Current!.Id, b.Credentials.Current!.Id };
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(a, dryRun: false)).Kind);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(b, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));

        // Both at the same fake instant; the account gate makes one wait, and the clock is moved along only for that wait.
        var both = Task.WhenAll(
            Task.Run(() => h.Processor.RunAsync(N("tba-user-a"), Daily)),
            Task.Run(() => h.Processor.RunAsync(N("tba-user-b"), Daily)));
        var first = await PumpAsync(h.Time, both, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));
        output.WriteLine("same instant: " + string.Join(", ", first.Select(o => $"{o.Connection} {o.Kind}")));

        for (var i = 0; i < 10 && !await BothRotatedAsync(); i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(2));
            await SweepAndProcessAsync(h);
        }

        Assert.True(await BothRotatedAsync(), "Both connections should have rotated.");
        var logins = Audit(h.Simulator, SimEndpoint.IssueToken);
        output.WriteLine(string.Join(Environment.NewLine, logins.Select(e => $"{e.Time:O} {e.Detail} {e.Note}")));
        Assert.DoesNotContain(h.Simulator.State.AuditTrail, e => e.Detail is "OtpAlreadyUsed" or "InvalidOtp");
        Assert.Equal(2, logins.Count);
        Assert.All(logins, e => Assert.True(e.Success));
        Assert.NotEqual(NetSuite.Simulator.Protocol.Totp.StepAt(logins[0].Time), NetSuite.Simulator.Protocol.Totp.StepAt(logins[1].Time));
        Assert.Equal(0, h.Simulator.State.GetUser(Account, EngineHarness.UserEmail).FailedLoginCount);
        Assert.Empty(h.Simulator.State.OrphanedTokens(Account));

        async Task<bool> BothRotatedAsync()
        {
            var docA = (await h.GetAsync("tba-user-a"))!;
            var docB = (await h.GetAsync("tba-user-b"))!;
            return docA.Rotation?.Step == RotationStep.Promoted && docB.Rotation?.Step == RotationStep.Promoted
                && !originals.Contains(docA.Credentials.Current!.Id) && !originals.Contains(docB.Credentials.Current!.Id);
        }
    }

    [Fact]
    public async Task Lease_lost_mid_rotation_stops_the_holder_before_its_next_write_and_a_later_run_converges()
    {
        var hooks = new NetSuiteHooks();
        await using var h = await EngineHarness.StartAsync(overrides: services => hooks.Install(services));
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-lease", integration);
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));
        var secret = SecretNames.State(N("tba-lease"));
        SecretCounters? atLoss = null;
        long generationAtLoss = 0;

        // NetSuite takes longer than the lease: the answer to issuetoken arrives after the lease could have expired.
        hooks.AfterResponse = async (request, _) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/rest/issuetoken", StringComparison.Ordinal) && atLoss is null)
            {
                atLoss = h.StateVault.Counters.ForSecret(secret);
                generationAtLoss = (await h.GetAsync("tba-lease"))!.Generation;
                h.Time.Advance(new CoordinationOptions().LeaseDuration + TimeSpan.FromSeconds(1));
            }
        };

        var thrown = await Record.ExceptionAsync(() => h.Processor.RunAsync(N("tba-lease"), Daily));

        output.WriteLine($"the run stopped with {thrown?.GetType().Name}: {thrown?.Message}");
        Assert.True(thrown is LeaseLostException or FencingException, $"Expected the run to stop with LeaseLostException or FencingException, not {thrown?.GetType().Name}: {thrown}");
        Assert.NotNull(atLoss);
        var afterLoss = h.StateVault.Counters.ForSecret(secret);
        Assert.Equal(atLoss.Writes, afterLoss.Writes);
        Assert.Equal(atLoss.PropertyUpdates, afterLoss.PropertyUpdates);
        var stored = (await h.GetAsync("tba-lease"))!;
        Assert.Equal(generationAtLoss, stored.Generation);
        Assert.Equal(RotationStep.Intent, stored.Rotation!.Step);
        Assert.Null(stored.Credentials.Pending);
        Assert.Equal(original, await TbaRotationTests.PublishedTokenIdAsync(h, "tba-lease"));

        await ConvergeAsync(h, "tba-lease", original);
        var final = (await h.GetAsync("tba-lease"))!;
        var lostToken = Assert.Single(TbaTokens(h.Simulator, Account), t => t.Id != original && t.Id != final.Credentials.Current!.Id);
        Assert.Contains(final.PossibleOrphans, o => o.TokenName == lostToken.Name);
    }

    [Fact]
    public async Task Another_writer_bumping_the_generation_between_read_and_write_stops_the_run_with_a_fencing_exception()
    {
        var hooks = new NetSuiteHooks();
        await using var h = await EngineHarness.StartAsync(overrides: services => hooks.Install(services));
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-fence", integration);
        var original = doc.Credentials.Current!.Id;
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));
        var secret = SecretNames.State(N("tba-fence"));
        string? otherWriterVersion = null;

        // While the run waits for NetSuite, someone else (a CLI without the lease, a stale holder) writes the connection.
        hooks.AfterResponse = (request, _) =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/rest/issuetoken", StringComparison.Ordinal) && otherWriterVersion is null)
            {
                var latest = h.StateVault.State.GetSecret(secret)!;
                var other = ConnectionDocument.FromJson(latest.Value, secret);
                other.Generation++;
                other.Policy.GracePeriod = TimeSpan.FromHours(72);
                var index = Scheduler.Index(other, new Configuration.RotationOptions());
                otherWriterVersion = h.StateVault.State.Seed(secret, other.ToJson(), KeyVaultConnectionStore.JsonContentType, index.ToTags().AsReadOnly()).Version;
            }

            return Task.CompletedTask;
        };

        var thrown = await Record.ExceptionAsync(() => h.Processor.RunAsync(N("tba-fence"), Daily));

        var fencing = Assert.IsType<FencingException>(thrown);
        output.WriteLine(fencing.Message);
        Assert.Contains("another writer changed it", fencing.Message, StringComparison.Ordinal);
        var latest = h.StateVault.State.GetSecret(secret)!;
        Assert.Equal(otherWriterVersion, latest.Version);
        var stored = ConnectionDocument.FromJson(latest.Value, secret);
        Assert.Equal(TimeSpan.FromHours(72), stored.Policy.GracePeriod);
        Assert.Null(stored.Credentials.Pending);
        Assert.Equal(original, await TbaRotationTests.PublishedTokenIdAsync(h, "tba-fence"));

        // The next run starts from what the other writer left, records the token it never saved, and converges.
        await ConvergeAsync(h, "tba-fence", original);
        var final = (await h.GetAsync("tba-fence"))!;
        Assert.Equal(TimeSpan.FromHours(72), final.Policy.GracePeriod);
        var unsaved = Assert.Single(TbaTokens(h.Simulator, Account), t => t.Id != original && t.Id != final.Credentials.Current!.Id);
        Assert.Contains(final.PossibleOrphans, o => o.TokenName == unsaved.Name);
    }

    /// <summary>Runs the connection as the timers would until its rotation is done, then checks the old token was retired.</summary>
    private static async Task ConvergeAsync(EngineHarness h, string name, string original)
    {
        for (var i = 0; i < 20; i++)
        {
            var current = (await h.GetAsync(name))!;
            if (current.Rotation is null && current.Credentials.Current!.Id != original)
            {
                break;
            }

            var wait = (current.Rotation?.NextAttemptAt ?? current.Credentials.Previous?.RetireAfter) is { } at && at > h.Time.GetUtcNow()
                ? at - h.Time.GetUtcNow() + TimeSpan.FromSeconds(1)
                : TimeSpan.FromMinutes(1);
            h.Time.Advance(wait);
            await h.Processor.RunAsync(N(name), Daily);
        }

        var final = (await h.GetAsync(name))!;
        Assert.Null(final.Rotation);
        Assert.Equal(ConnectionStatus.Healthy, final.Status);
        Assert.NotEqual(original, final.Credentials.Current!.Id);
        Assert.Equal(final.Credentials.Current.Id, await TbaRotationTests.PublishedTokenIdAsync(h, name));
        var tokens = TbaTokens(h.Simulator, Account);
        Assert.Equal(TokenStatus.Revoked, Assert.Single(tokens, t => t.Id == original).Status);
        Assert.Equal(TokenStatus.Active, Assert.Single(tokens, t => t.Id == final.Credentials.Current.Id).Status);
    }
}

/// <summary>A hook on every NetSuite call of the engine, outermost in each client's handler chain.</summary>
internal sealed class NetSuiteHooks
{
    public Func<HttpRequestMessage, HttpResponseMessage, Task>? AfterResponse { get; set; }

    public void Install(IServiceCollection services) =>
        services.PostConfigureAll<HttpClientFactoryOptions>(o =>
            o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Insert(0, new HookHandler(this))));

    private sealed class HookHandler(NetSuiteHooks hooks) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (hooks.AfterResponse is { } after)
            {
                await after(request, response);
            }

            return response;
        }
    }
}
