using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using NetSuite.Simulator;
using TokenRotation.Engine;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// A possible orphan is a credential NetSuite may have issued in an answer we did not see. When the failure shows
/// the request never reached NetSuite (the connection was refused, before any byte was sent), nothing can have been
/// issued, so no orphan is recorded and no alert is raised. The refusal is a real one: the issue request is sent
/// to a loopback port nobody listens on.
/// </summary>
public sealed class UnsentRequestOrphanTests
{
    private const string Account = EngineHarness.Account;

    [Fact]
    public async Task A_refused_connection_on_issuetoken_records_no_orphan_and_the_retry_rotates()
    {
        var refuse = new RefuseIssueToken { Port = ClosedPort() };
        await using var h = await EngineHarness.StartAsync(overrides: services => services.PostConfigureAll<HttpClientFactoryOptions>(o =>
            o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Insert(0, new RefusingHandler(refuse)))));
        var integration = h.SeedAccount();
        var doc = h.TbaConnection("tba-refused", integration);
        Assert.Equal(OutcomeKind.Succeeded, (await h.Imports.ImportAsync(doc, dryRun: false)).Kind);
        h.Time.Advance(TimeSpan.FromDays(91));
        refuse.On = true;

        var first = await h.Processor.RunAsync(N("tba-refused"), Daily);

        Assert.Equal(OutcomeKind.Failed, first.Kind);
        Assert.True(refuse.Refused > 0, "the issue request was not sent to the refusing port");
        var afterRefusal = (await h.GetAsync("tba-refused"))!;
        Assert.Empty(afterRefusal.PossibleOrphans);
        Assert.Equal("connection_refused", afterRefusal.LastError!.Code);
        Assert.False(afterRefusal.Rotation!.IssueSent);
        Assert.Empty(Audit(h.Simulator, SimEndpoint.IssueToken));
        Assert.DoesNotContain(h.Logs.Entries, e => e.Message.StartsWith("PossibleOrphan", StringComparison.Ordinal));

        // NetSuite is reachable again: the retry issues, verifies and promotes, still without an orphan.
        refuse.On = false;
        h.Time.Advance(afterRefusal.Rotation.NextAttemptAt!.Value - h.Time.GetUtcNow() + TimeSpan.FromSeconds(1));
        var second = await h.Processor.RunAsync(N("tba-refused"), Daily);

        Assert.Equal(OutcomeKind.Succeeded, second.Kind);
        var final = (await h.GetAsync("tba-refused"))!;
        Assert.Empty(final.PossibleOrphans);
        Assert.NotEqual(doc.Credentials.Current!.Id, final.Credentials.Current!.Id);
        Assert.Empty(h.Simulator.State.OrphanedTokens(Account));
    }

    private static int ClosedPort()
    {
        // Bind, read the port, close: nothing listens there afterwards, so a connect is refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class RefuseIssueToken
    {
        public int Port { get; init; }

        public volatile bool On;

        public int Refused;
    }

    /// <summary>Sends issuetoken to the closed port while switched on; everything else goes to the simulator.</summary>
    private sealed class RefusingHandler(RefuseIssueToken refuse) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (refuse.On && request.RequestUri!.AbsolutePath.Contains("issuetoken", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref refuse.Refused);
                request.RequestUri = new UriBuilder(request.RequestUri) { Host = "127.0.0.1", Port = refuse.Port }.Uri;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
