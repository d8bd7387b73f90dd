using Azure;
using NetSuite.Auth;
using Polly;
using Polly.Retry;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>One run of one connection: the fenced session, the services, what was asked, and what happened.</summary>
public sealed class RunContext(ConnectionSession session, EngineServices services, RunRequest request)
{
    private readonly List<string> _actions = [];
    private SealingKeys? _sealing;

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

    /// <summary>Persists an intent marker before the call it announces (<see cref="ConnectionSession.SaveIntentAsync"/>).</summary>
    public Task SaveIntentAsync(CancellationToken cancellationToken) => Session.SaveIntentAsync(cancellationToken);

    /// <summary>True when this run's state write failed and a single-use token went to the journal instead.</summary>
    public bool Journalled { get; private set; }

    /// <summary>
    /// Loads the journal's sealing keys before a single-use token is asked of NetSuite, so that sealing it later needs
    /// nothing from the state vault. Without a journal (or sealer) configured it does nothing.
    /// </summary>
    public async Task PrepareSingleUseAsync(CancellationToken cancellationToken)
    {
        if (Services.Journal is not null && Services.Sealer is not null)
        {
            _sealing = await Services.Sealer.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Saves a document that now holds a single-use token NetSuite just issued (architecture section 4): a state write that
    /// fails with a transient answer is retried within the lease (bounded); if it still fails the token is sealed into
    /// the journal, which the next run replays first (<see cref="Journalled"/> is then true and the document is not
    /// saved). Only when the journal fails too does the connection need a person, with the token recorded as a
    /// possible orphan; then this throws.
    /// </summary>
    public async Task SaveSingleUseTokenAsync(string token, DateTimeOffset refreshStartedAt, DateTimeOffset? tokenExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var engine = Services.Engine;
        var retry = new ResiliencePipelineBuilder { TimeProvider = Services.Time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransientStoreFailure),
                MaxRetryAttempts = engine.SingleUseSaveRetries,
                Delay = engine.SingleUseSaveRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            })
            .Build();
        Exception failure;
        try
        {
            await retry.ExecuteAsync(async token => await SaveCoreAsync(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            // Whatever stopped the write (the vault, a lost lease, a fencing mismatch), this may be the only copy.
            failure = ex;
        }

        // The journal write is not cancelled with the run: a lost lease cancels the run, and the token must still land.
        using var journalTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stopped = !IsTransientStoreFailure(failure);

        var what = stopped
            ? $"the write of the new single-use refresh token was stopped ({Describe(failure)})"
            : $"the state vault refused the write of the new single-use refresh token {engine.SingleUseSaveRetries + 1} times ({Describe(failure)})";
        if (Services.Journal is { } journal && _sealing is { } sealing)
        {
            var expires = Now + engine.JournalEntryLifetime;
            if (tokenExpiresAt is { } end && end < expires)
            {
                expires = end;
            }

            var entry = new TokenJournalEntry(Name, refreshStartedAt, sealing.Seal(token, Name, refreshStartedAt), Now, expires);
            try
            {
                // No lease check here: this may be the only copy of the token, and the entry applies only while the
                // state document still carries this refresh's intent marker, so a later holder cannot be misled.
                await journal.WriteAsync(entry, journalTimeout.Token).ConfigureAwait(false);
                Journalled = true;
                Services.Telemetry.Journal(Name, $"{what}; sealed it into the token journal, which the next run replays");
                Did("the state vault refused the write: the new refresh token is sealed in the token journal and the next run saves it");
            }
            catch (Exception ex)
            {
                what += $", and the token journal refused it too ({Describe(ex)})";
            }

            if (Journalled)
            {
                if (stopped)
                {
                    // A lost lease or a lost update: the token is safe, and this holder still stops.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                }

                return;
            }
        }

        if (stopped)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        var reason = $"The new single-use refresh token could not be stored: {what}. It is recorded as a possible orphan; consent again.";
        var tokenName = NetSuite.Auth.OAuth2.NetSuiteTokenFacts.TryRead(token, out var facts) && facts.TokenId is { } id ? id : $"refresh token issued at {Now:u}";
        Services.Telemetry.PossibleOrphan(Name, Doc.Account, tokenName, "a refresh answer neither the state vault nor the journal kept");
        Doc.PossibleOrphans.Add(new PossibleOrphan { TokenName = tokenName, RecordedAt = Now, Reason = "refresh answer not stored" });
        Doc.OAuth2!.RefreshToken = null;
        try
        {
            await NeedsPersonAsync(reason, true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransientStoreFailure(ex))
        {
            // A consent link may need a state-vault write (its key's first use); the person is told all the same.
            await NeedsPersonAsync(reason, false, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await SaveCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransientStoreFailure(ex))
        {
            // The state vault still refuses: the intent marker it holds makes the next run need a person as well.
        }

        throw new InvalidOperationException($"Connection {Name}: {reason}", failure);
    }

    private static bool IsTransientStoreFailure(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException => true,
        AggregateException a => a.InnerExceptions.All(IsTransientStoreFailure),
        _ => false,
    };

    private static string Describe(Exception ex) => ex switch
    {
        RequestFailedException r => $"status {r.Status}",
        _ => ex.GetType().Name,
    };

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
        try
        {
            await Session.SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FencingException ex)
        {
            Services.Telemetry.LostUpdate(Name, Doc.Generation, ex.Message);
            throw;
        }

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
