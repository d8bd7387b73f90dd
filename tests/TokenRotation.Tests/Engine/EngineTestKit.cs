using System.Net;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Auth.OAuth2;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;

namespace TokenRotation.Tests.Engine;

/// <summary>Helpers the engine proof tests share: consent through the simulator, pumping fake time, simulator facts.</summary>
internal static class EngineTestKit
{
    public const string RedirectUri = "https://func-test.example.net/api/oauth/callback";

    public static readonly RunRequest Frequent = RunRequest.Sweep(startRotations: false);

    public static readonly RunRequest Daily = RunRequest.Sweep(startRotations: true);

    public static readonly RunRequest RotateNow = new() { Now = true, StartRotations = true, Trigger = "rotate-now" };

    /// <summary>
    /// A real authorization code: the simulator's authorize endpoint with its auto-approve switch redirects to the
    /// callback with <c>code</c>, <c>role</c>, <c>entity</c> and <c>company</c>, as NetSuite does after "Allow".
    /// </summary>
    public static async Task<ConsentCompletion> ConsentAsync(NetSuiteSimulator simulator, string account, string clientId, string redirectUri = RedirectUri)
    {
        simulator.Modes.Consent = ConsentMode.AutoApprove;
        var pkce = Pkce.Create();
        var state = NetSuiteAuthorizeUrl.CreateState();
        var url = NetSuiteAuthorizeUrl.Build(new Uri(simulator.AuthorizeUrl(account)), new NetSuiteAuthorizeRequest
        {
            ClientId = clientId,
            RedirectUri = new Uri(redirectUri),
            Scopes = NetSuiteScopeValues.Parse("rest_webservices"),
            State = state,
            CodeChallenge = pkce.CodeChallenge,
        });
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location ?? throw new InvalidOperationException("The authorize endpoint did not redirect.");
        var query = location.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "", StringComparer.Ordinal);
        Assert.Equal(state, query["state"]);
        Assert.True(query.ContainsKey("code"), $"No code in the redirect: {location.GetLeftPart(UriPartial.Path)} error={query.GetValueOrDefault("error")}");
        return new ConsentCompletion(query["code"], pkce.CodeVerifier, query["company"], query["role"], query["entity"]);
    }

    /// <summary>
    /// Waits for <paramref name="work"/> while moving the fake clock forward in small steps, for work that waits on
    /// the clock (the account gate's backoff, the Key Vault write limiter).
    /// </summary>
    public static async Task<T> PumpAsync<T>(FakeTimeProvider time, Task<T> work, TimeSpan? step = null, TimeSpan? maxFake = null)
    {
        var increment = step ?? TimeSpan.FromMilliseconds(100);
        var limit = maxFake ?? TimeSpan.FromMinutes(5);
        var moved = TimeSpan.Zero;
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(2));
            if (!work.IsCompleted && moved < limit)
            {
                time.Advance(increment);
                moved += increment;
            }
        }

        return await work;
    }

    /// <summary>
    /// Waits for <paramref name="work"/> and moves the fake clock only while <paramref name="waiting"/> says the work
    /// waits on it (for example a write queued at the write limiter). Time then passes in the engine only where the
    /// engine waits, not while real HTTP calls are slow, so how often the limiter bites does not depend on the
    /// machine's load. So that work waiting on some other fake timer cannot hang, the clock also moves one step after
    /// <paramref name="idleFallback"/> of real time without a move.
    /// </summary>
    public static async Task<T> PumpWhileWaitingAsync<T>(FakeTimeProvider time, Task<T> work, Func<bool> waiting, TimeSpan step, TimeSpan maxFake, TimeSpan? idleFallback = null)
    {
        var fallback = idleFallback ?? TimeSpan.FromMilliseconds(250);
        var moved = TimeSpan.Zero;
        var lastMove = System.Diagnostics.Stopwatch.StartNew();
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(2));
            if (!work.IsCompleted && moved < maxFake && (waiting() || lastMove.Elapsed >= fallback))
            {
                time.Advance(step);
                moved += step;
                lastMove.Restart();
            }
        }

        return await work;
    }

    public static async Task PumpAsync(FakeTimeProvider time, Task work, TimeSpan? step = null, TimeSpan? maxFake = null) =>
        await PumpAsync(time, work.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), step, maxFake);

    /// <summary>Requests to one endpoint as the audit trail shows them (the "ResponseLost" marker lines left out).</summary>
    public static IReadOnlyList<AuditEntry> Audit(NetSuiteSimulator simulator, SimEndpoint endpoint) =>
        simulator.State.AuditTrail.Where(e => e.Endpoint == endpoint && e.Detail != "ResponseLost").ToList();

    /// <summary>Every TBA token of the account as the simulator sees it.</summary>
    public static IReadOnlyList<TokenView> TbaTokens(NetSuiteSimulator simulator, string account) =>
        simulator.State.TokensFor(account).Where(t => t.Kind == TokenKind.Tba).ToList();

    public static ConnectionName N(string name) => ConnectionName.Parse(name);

    /// <summary>A sweep, then the queue worker on every message it enqueued, as the timers and the queue trigger do.</summary>
    public static async Task<IReadOnlyList<ConnectionOutcome>> SweepAndProcessAsync(EngineHarness h, bool daily = false)
    {
        await h.Sweeps.SweepAsync(startRotations: daily);
        var outcomes = new List<ConnectionOutcome>();
        while (h.Queue.TryDequeue(out var item))
        {
            outcomes.AddRange(await h.Worker.ProcessAsync(item));
        }

        return outcomes;
    }
}
