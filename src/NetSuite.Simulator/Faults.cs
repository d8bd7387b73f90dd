using System.Collections.Immutable;

namespace NetSuite.Simulator;

/// <summary>Every endpoint the simulator serves (for fault injection, the audit trail and routing).</summary>
public enum SimEndpoint
{
    /// <summary>Matches every endpoint in a fault rule.</summary>
    Any,
    Authorize,
    AuthorizeDecision,
    Token,
    Revoke,
    Keys,
    IssueToken,
    RevokeToken,
    TokenInfo,
    CertificatesList,
    CertificatesCreate,
    CertificatesRevoke,
    RestRecord,
    Restlet,
    DataCenterUrls,
}

/// <summary>What an injected fault does to the response.</summary>
public enum FaultAction
{
    /// <summary>Only the latency (if any) is added.</summary>
    None,

    /// <summary>Answer with <see cref="FaultRule.StatusCode"/> (for example 500, 502, 503) and a short HTML or text body.</summary>
    Status,

    /// <summary>Answer 429 Too Many Requests (with <c>Retry-After</c> when <see cref="FaultRule.RetryAfter"/> is set).</summary>
    TooManyRequests,

    /// <summary>Answer 200 with a truncated, unparseable JSON body.</summary>
    MalformedJson,

    /// <summary>Answer 200 with an HTML page (a login page or proxy error page, where JSON was expected).</summary>
    HtmlBody,

    /// <summary>Close the connection without an answer (the client sees a reset).</summary>
    DropConnection,
}

/// <summary>Whether the fault replaces the request's processing or follows it.</summary>
public enum FaultTiming
{
    /// <summary>The request never reaches the simulated NetSuite: no state changes.</summary>
    BeforeProcessing,

    /// <summary>
    /// NetSuite processes the request (tokens issued, codes spent, refresh tokens rotated), then the answer
    /// is lost or replaced: the case that makes single-use tokens dangerous. Credentials issued in a lost
    /// answer are marked <c>ResponseLost</c> (orphans).
    /// </summary>
    AfterProcessing,
}

/// <summary>One fault rule. Rules with <see cref="Remaining"/> null apply until removed.</summary>
public sealed record FaultRule
{
    public SimEndpoint Endpoint { get; init; } = SimEndpoint.Any;

    /// <summary>Only requests for this account (either form); null for all accounts.</summary>
    public string? Account { get; init; }

    /// <summary>Wall-clock latency added before the answer (while the request holds its concurrency slot).</summary>
    public TimeSpan Latency { get; init; }

    public FaultAction Action { get; init; }

    public FaultTiming Timing { get; init; } = FaultTiming.BeforeProcessing;

    public int StatusCode { get; init; } = 503;

    public TimeSpan? RetryAfter { get; init; }

    /// <summary>How many more requests this rule applies to; null for unlimited.</summary>
    public int? Remaining { get; init; }

    /// <summary>Chance (0..1] that a matching request is affected.</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>Identifier assigned when the rule is added.</summary>
    public int Id { get; init; }
}

/// <summary>Fault injection per endpoint. Thread-safe; rules are matched in the order they were added.</summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private ImmutableList<RuleState> _rules = [];
    private int _nextId;

    /// <summary>Adds a rule and returns it with its id.</summary>
    public FaultRule Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Probability is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), "Probability must be in (0, 1].");
        }

        lock (_gate)
        {
            var withId = rule with
            {
                Id = ++_nextId,
                Account = rule.Account is null ? null : Protocol.AccountIds.ToRealm(rule.Account),
            };
            _rules = _rules.Add(new RuleState(withId));
            return withId;
        }
    }

    /// <summary>Adds wall-clock latency to an endpoint.</summary>
    public FaultRule AddLatency(SimEndpoint endpoint, TimeSpan latency, int? times = null, string? account = null) =>
        Add(new FaultRule { Endpoint = endpoint, Latency = latency, Remaining = times, Account = account });

    /// <summary>Answers with a status code (5xx) without processing.</summary>
    public FaultRule AddStatus(SimEndpoint endpoint, int statusCode, int? times = 1, string? account = null) =>
        Add(new FaultRule { Endpoint = endpoint, Action = FaultAction.Status, StatusCode = statusCode, Remaining = times, Account = account });

    /// <summary>Answers 429 without processing.</summary>
    public FaultRule AddTooManyRequests(SimEndpoint endpoint, TimeSpan? retryAfter = null, int? times = 1, string? account = null) =>
        Add(new FaultRule { Endpoint = endpoint, Action = FaultAction.TooManyRequests, StatusCode = 429, RetryAfter = retryAfter, Remaining = times, Account = account });

    /// <summary>Processes the request, then drops the connection: the client never sees the answer.</summary>
    public FaultRule DropResponseAfterProcessing(SimEndpoint endpoint, int? times = 1, string? account = null) =>
        Add(new FaultRule { Endpoint = endpoint, Action = FaultAction.DropConnection, Timing = FaultTiming.AfterProcessing, Remaining = times, Account = account });

    /// <summary>Removes one rule.</summary>
    public bool Remove(int id)
    {
        lock (_gate)
        {
            var before = _rules.Count;
            _rules = _rules.RemoveAll(r => r.Rule.Id == id);
            return _rules.Count != before;
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules = [];
        }
    }

    /// <summary>The rules still active, with their remaining counts.</summary>
    public IReadOnlyList<FaultRule> Rules =>
        _rules.Select(r => r.Rule with { Remaining = r.Rule.Remaining is null ? null : Volatile.Read(ref r.RemainingCount) }).ToList();

    /// <summary>How many requests a fault has affected, in total.</summary>
    public long AppliedCount => Interlocked.Read(ref _applied);

    private long _applied;

    /// <summary>
    /// Picks the rules for one request: the total latency of matching rules and the first matching action.
    /// Consumes one use of each rule it returns.
    /// </summary>
    internal (TimeSpan Latency, FaultRule? Action) Match(SimEndpoint endpoint, string accountRealm)
    {
        var current = _rules;
        if (current.IsEmpty)
        {
            return (TimeSpan.Zero, null);
        }

        var latency = TimeSpan.Zero;
        FaultRule? action = null;
        var exhausted = false;
        foreach (var state in current)
        {
            var rule = state.Rule;
            if ((rule.Endpoint != SimEndpoint.Any && rule.Endpoint != endpoint)
                || (rule.Account is not null && rule.Account != accountRealm)
                || (rule.Action != FaultAction.None && action is not null))
            {
                continue;
            }

            if (rule.Probability < 1.0 && Random.Shared.NextDouble() >= rule.Probability)
            {
                continue;
            }

            if (rule.Remaining is not null)
            {
                var left = Interlocked.Decrement(ref state.RemainingCount);
                if (left < 0)
                {
                    exhausted = true;
                    continue;
                }

                exhausted |= left == 0;
            }

            Interlocked.Increment(ref _applied);
            latency += rule.Latency;
            if (rule.Action != FaultAction.None)
            {
                action = rule;
            }
        }

        if (exhausted)
        {
            lock (_gate)
            {
                _rules = _rules.RemoveAll(r => r.Rule.Remaining is not null && Volatile.Read(ref r.RemainingCount) <= 0);
            }
        }

        return (latency, action);
    }

    private sealed class RuleState(FaultRule rule)
    {
        public readonly FaultRule Rule = rule;
        public int RemainingCount = rule.Remaining ?? int.MaxValue;
    }
}
