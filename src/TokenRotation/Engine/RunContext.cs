using NetSuite.Auth;
using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>One run of one connection: the fenced session, the services, what was asked, and what happened.</summary>
public sealed class RunContext(ConnectionSession session, EngineServices services, RunRequest request)
{
    private readonly List<string> _actions = [];

    public ConnectionSession Session { get; } = session;

    public EngineServices Services { get; } = services;

    public RunRequest Request { get; } = request;

    public ConnectionDocument Doc => Session.Document;

    public NetSuiteAccountId Account => NetSuiteAccountId.Parse(Doc.Account);

    public string Name => Doc.Name;

    public string Kind => Doc.Kind.ToString();

    public DateTimeOffset Now => Services.Now;

    /// <summary>An access token expiry learnt in this run (it lives in tags, not in the document).</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }

    public IReadOnlyList<string> Actions => _actions;

    public void Did(string action) => _actions.Add(action);

    public Task SaveAsync(CancellationToken cancellationToken) => SaveCoreAsync(cancellationToken);

    /// <summary>
    /// Publishes an access token to the consumer vault, fenced like a state write: a holder whose lease is lost (or
    /// could have expired) stops here instead of overwriting what the next holder published.
    /// </summary>
    public Task PublishAccessTokenAsync(string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        Session.Lease.EnsureHeld();
        return Services.Consumers.PublishAccessTokenAsync(Session.Name, Doc.Account, accessToken, expiresAt, cancellationToken);
    }

    /// <summary>Publishes a TBA set to the consumer vault, fenced by the lease like <see cref="PublishAccessTokenAsync"/>.</summary>
    public Task PublishTbaAsync(Stores.TbaProjection projection, CancellationToken cancellationToken)
    {
        Session.Lease.EnsureHeld();
        return Services.Consumers.PublishTbaAsync(Session.Name, projection, cancellationToken);
    }

    /// <summary>Deletes the consumer secret, fenced by the lease.</summary>
    public Task<bool> DeleteConsumerSecretAsync(CancellationToken cancellationToken)
    {
        Session.Lease.EnsureHeld();
        return Services.Consumers.DeleteAsync(Session.Name, cancellationToken);
    }

    private async Task SaveCoreAsync(CancellationToken cancellationToken)
    {
        await Session.SaveAsync(cancellationToken).ConfigureAwait(false);
        Services.Telemetry.StateWritten(Name);
    }

    /// <summary>Records a classified failure on the document (not saved), with the retry time when it is retried.</summary>
    public void RecordError(NetSuiteError error, string operation, bool retry)
    {
        ArgumentNullException.ThrowIfNull(error);
        var attempts = Doc.LastError is { } last && last.Code == error.Code ? last.Attempts + 1 : 1;
        var message = error.LikelyCauses.Count > 0
            ? $"{error.Message} Likely causes: {string.Join("; ", error.LikelyCauses)}.{(error.AuditTrailHint is null ? "" : " " + error.AuditTrailHint)}"
            : error.Message;
        Doc.LastError = new LastError
        {
            Class = error.Class.ToString(),
            Code = error.Code,
            Message = $"{operation}: {message}",
            At = Now,
            Attempts = attempts,
            RetryAt = retry ? Now + Backoff(attempts, error.RetryAfter) : null,
        };
        Services.Telemetry.Failed(Name, Kind, operation, error.Class.ToString(), error.Code, message, attempts);
    }

    /// <summary>Exponential backoff with jitter, at least the server's Retry-After.</summary>
    public TimeSpan Backoff(int attempts, TimeSpan? retryAfter = null)
    {
        var engine = Services.Engine;
        var exponent = Math.Min(attempts - 1, 16);
        var delay = TimeSpan.FromTicks(Math.Min(engine.BaseRetryDelay.Ticks * (1L << exponent), engine.MaxRetryDelay.Ticks));
        var jitter = TimeSpan.FromTicks((long)(delay.Ticks * 0.2 * Random.Shared.NextDouble()));
        delay += jitter;
        return retryAfter is { } ra && ra > delay ? ra : delay;
    }

    /// <summary>Moves the connection to NeedsPerson with a reason that says what to do (not saved).</summary>
    public async Task NeedsPersonAsync(string reason, bool withConsentLink, CancellationToken cancellationToken)
    {
        string? link = null;
        if (withConsentLink)
        {
            link = await Services.ConsentLinks.CreateAsync(Session.Name, cancellationToken).ConfigureAwait(false);
        }

        var full = link is null ? reason : $"{reason} Consent link: {link}";
        var changed = Doc.Status != ConnectionStatus.NeedsPerson || Doc.NeedsPersonReason != reason;
        Doc.Status = ConnectionStatus.NeedsPerson;
        Doc.NeedsPersonReason = reason;
        if (changed)
        {
            Services.Telemetry.NeedsPerson(Name, Kind, reason, link);
        }

        Did($"needs a person: {full}");
    }

    /// <summary>
    /// A NeedsPerson warning that changes no durable state (the index says it): logged and counted once, when it
    /// begins, with a consent link; the document is not touched.
    /// </summary>
    public async Task WarnAsync(string reason, CancellationToken cancellationToken)
    {
        var link = await Services.ConsentLinks.CreateAsync(Session.Name, cancellationToken).ConfigureAwait(false);
        Services.Telemetry.NeedsPerson(Name, Kind, reason, link);
        Did($"needs a person: {(link is null ? reason : $"{reason} Consent link: {link}")}");
    }

    public void ClearError()
    {
        var wasRefused = Doc.LastError is not null && Doc.Status is ConnectionStatus.NeedsPerson;
        Doc.LastError = null;
        if (Doc.Status is ConnectionStatus.Failing || wasRefused)
        {
            // A success after a failure (or after a refusal only a person could fix, now fixed) is healthy again.
            Doc.Status = ConnectionStatus.Healthy;
            Doc.NeedsPersonReason = null;
        }
    }
}
