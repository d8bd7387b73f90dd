using Azure;
using Microsoft.Extensions.Options;
using NetSuite.Auth;
using Polly;
using Polly.Retry;
using TokenRotation.Connections;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Engine;

/// <summary>
/// What every machine does to a run's connection besides talking to NetSuite: the fenced save (and the single-use
/// token's save with its journal fallback), the fenced consumer publish, recording a failure, and moving the
/// connection to NeedsPerson with a consent link.
/// </summary>
public sealed class RunEffects(
    IConsumerPublisher consumers,
    IConsentLinkFactory consentLinks,
    ITokenJournal journal,
    TokenSealer sealer,
    RotationTelemetry telemetry,
    IOptions<EngineOptions> engineOptions,
    TimeProvider time)
{
    private readonly EngineOptions _engine = engineOptions.Value;

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Persists the run's document as a new version, fenced (<see cref="ConnectionSession.SaveAsync"/>).</summary>
    public async Task SaveAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        try
        {
            await ctx.Session.SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FencingException ex)
        {
            telemetry.LostUpdate(ctx.Name, ctx.Doc.Generation, ex.Message);
            throw;
        }

        telemetry.StateWritten(ctx.Name);
    }

    /// <summary>
    /// Persists an intent (a public client's refresh start, a rotation's intent) before the call it announces: a marker
    /// with the index where the store keeps markers (architecture section 13), otherwise the fenced document write.
    /// </summary>
    public async Task SaveIntentAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Session.KeepsMarkers)
        {
            await ctx.Session.SaveIntentAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads the journal's sealing keys before a single-use token is asked of NetSuite, so that sealing it later needs
    /// nothing from the state vault.
    /// </summary>
    public async Task PrepareSingleUseAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Sealing = await sealer.LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How many times <see cref="SaveRetryingAsync"/> tries a write before it gives up.</summary>
    public int SaveAttempts => _engine.SingleUseSaveRetries + 1;

    /// <summary>
    /// Persists the run's document like <see cref="SaveAsync"/>, retrying a transient refusal within the lease (bounded
    /// by <see cref="EngineOptions.SingleUseSaveRetries"/>): for a document that holds what a single-use call returned.
    /// </summary>
    public async Task SaveRetryingAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransientStoreFailure),
                MaxRetryAttempts = _engine.SingleUseSaveRetries,
                Delay = _engine.SingleUseSaveRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
            })
            .Build();
        await retry.ExecuteAsync(async token => await SaveAsync(ctx, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves a document that now holds a single-use token NetSuite just issued (architecture section 4): a state write that
    /// fails with a transient answer is retried within the lease (bounded); if it still fails the token is sealed into
    /// the journal, which the next run replays first (<see cref="RunContext.Journalled"/> is then true and the document
    /// is not saved). Only when the journal fails too does the connection need a person, with the token recorded as a
    /// possible orphan; then this throws.
    /// </summary>
    public async Task SaveSingleUseTokenAsync(RunContext ctx, string token, DateTimeOffset refreshStartedAt, DateTimeOffset? tokenExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentException.ThrowIfNullOrEmpty(token);
        Exception failure;
        try
        {
            await SaveRetryingAsync(ctx, cancellationToken).ConfigureAwait(false);
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
            : $"the state vault refused the write of the new single-use refresh token {_engine.SingleUseSaveRetries + 1} times ({Describe(failure)})";
        if (ctx.Sealing is { } sealing)
        {
            var expires = Now + _engine.JournalEntryLifetime;
            if (tokenExpiresAt is { } end && end < expires)
            {
                expires = end;
            }

            var entry = new TokenJournalEntry(ctx.Name, refreshStartedAt, sealing.Seal(token, ctx.Name, refreshStartedAt), Now, expires);
            try
            {
                // No lease check here: this may be the only copy of the token, and the entry applies only while the
                // state document still carries this refresh's intent marker, so a later holder cannot be misled.
                await journal.WriteAsync(entry, journalTimeout.Token).ConfigureAwait(false);
                ctx.Journalled = true;
                telemetry.Journal(ctx.Name, $"{what}; sealed it into the token journal, which the next run replays");
                ctx.Did("the state vault refused the write: the new refresh token is sealed in the token journal and the next run saves it");
            }
            catch (Exception ex)
            {
                what += $", and the token journal refused it too ({Describe(ex)})";
            }

            if (ctx.Journalled)
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
        telemetry.PossibleOrphan(ctx.Name, ctx.Doc.Account, tokenName, "a refresh answer neither the state vault nor the journal kept");
        ctx.Doc.PossibleOrphans.Add(new PossibleOrphan { TokenName = tokenName, RecordedAt = Now, Reason = "refresh answer not stored" });
        ctx.Doc.OAuth2!.RefreshToken = null;
        try
        {
            await NeedsPersonAsync(ctx, reason, true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransientStoreFailure(ex))
        {
            // A consent link may need a state-vault write (its key's first use); the person is told all the same.
            await NeedsPersonAsync(ctx, reason, false, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransientStoreFailure(ex))
        {
            // The state vault still refuses: the intent marker it holds makes the next run need a person as well.
        }

        throw new InvalidOperationException($"Connection {ctx.Name}: {reason}", failure);
    }

    /// <summary>A store failure worth retrying: a 408, 429 or 5xx answer, no answer, or a timeout.</summary>
    internal static bool IsTransientStoreFailure(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException => true,
        AggregateException a => a.InnerExceptions.All(IsTransientStoreFailure),
        _ => false,
    };

    internal static string Describe(Exception ex) => ex switch
    {
        RequestFailedException r => $"status {r.Status}",
        _ => ex.GetType().Name,
    };

    /// <summary>
    /// Publishes an access token to the consumer vault, fenced like a state write: a holder whose lease is lost (or
    /// could have expired) stops here instead of overwriting what the next holder published.
    /// </summary>
    public Task PublishAccessTokenAsync(RunContext ctx, string accessToken, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Session.Lease.EnsureHeld();
        return consumers.PublishAccessTokenAsync(ctx.Session.Name, ctx.Doc.Account, accessToken, expiresAt, cancellationToken);
    }

    /// <summary>Publishes a TBA set to the consumer vault, fenced by the lease like <see cref="PublishAccessTokenAsync"/>.</summary>
    public Task PublishTbaAsync(RunContext ctx, TbaProjection projection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Session.Lease.EnsureHeld();
        return consumers.PublishTbaAsync(ctx.Session.Name, projection, cancellationToken);
    }

    /// <summary>Deletes the consumer secret, fenced by the lease.</summary>
    public Task<bool> DeleteConsumerSecretAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ctx.Session.Lease.EnsureHeld();
        return consumers.DeleteAsync(ctx.Session.Name, cancellationToken);
    }

    /// <summary>Records a classified failure on the document (not saved), with the retry time when it is retried.</summary>
    public void RecordError(RunContext ctx, NetSuiteError error, string operation, bool retry)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(error);
        var doc = ctx.Doc;
        var now = Now;
        // The attempts of a streak also follow from the time since its recorded failure, so that a repeat a kind does
        // not save (it changed nothing durable, architecture section 13) still backs off as if it had been counted.
        var attempts = doc.LastError is { } last && last.Code == error.Code ? Math.Max(last.Attempts + 1, AttemptsSince(last)) : 1;
        var message = error.LikelyCauses.Count > 0
            ? $"{error.Message} Likely causes: {string.Join("; ", error.LikelyCauses)}.{(error.AuditTrailHint is null ? "" : " " + error.AuditTrailHint)}"
            : error.Message;
        doc.LastError = new LastError
        {
            Class = error.Class.ToString(),
            Code = error.Code,
            Message = $"{operation}: {message}",
            At = now,
            Attempts = attempts,
            RetryAt = retry ? now + Backoff(attempts, error.RetryAfter) : null,
        };
        telemetry.Failed(ctx.Name, ctx.Kind, operation, error.Class.ToString(), error.Code, message, attempts);
    }

    /// <summary>The attempt a failure is, counted from the time since the streak's recorded failure on the doubling backoff.</summary>
    private int AttemptsSince(LastError last)
    {
        var elapsed = Now - last.At;
        if (elapsed <= TimeSpan.Zero || _engine.BaseRetryDelay <= TimeSpan.Zero)
        {
            return 1;
        }

        // After attempt a, the next ones come d, 3d, 7d... later (d = base x 2^(a-1)): m more attempts take (2^m - 1) x d.
        var exponent = Math.Min(Math.Max(last.Attempts, 1) - 1, 16);
        var spans = elapsed / (_engine.BaseRetryDelay * (1L << exponent));
        return last.Attempts + Math.Min(16, (int)Math.Floor(Math.Log2(1 + spans)));
    }

    /// <summary>Exponential backoff with jitter, at least the server's Retry-After.</summary>
    public TimeSpan Backoff(int attempts, TimeSpan? retryAfter = null)
    {
        var exponent = Math.Min(attempts - 1, 16);
        var delay = TimeSpan.FromTicks(Math.Min(_engine.BaseRetryDelay.Ticks * (1L << exponent), _engine.MaxRetryDelay.Ticks));
        var jitter = TimeSpan.FromTicks((long)(delay.Ticks * 0.2 * Random.Shared.NextDouble()));
        delay += jitter;
        return retryAfter is { } ra && ra > delay ? ra : delay;
    }

    /// <summary>Moves the connection to NeedsPerson with a reason that says what to do (not saved).</summary>
    public async Task NeedsPersonAsync(RunContext ctx, string reason, bool withConsentLink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var link = withConsentLink ? await consentLinks.CreateAsync(ctx.Session.Name, cancellationToken).ConfigureAwait(false) : null;

        var doc = ctx.Doc;
        var full = link is null ? reason : $"{reason} Consent link: {link}";
        var changed = doc.Status != ConnectionStatus.NeedsPerson || doc.NeedsPersonReason != reason;
        doc.Status = ConnectionStatus.NeedsPerson;
        doc.NeedsPersonReason = reason;
        if (changed)
        {
            telemetry.NeedsPerson(ctx.Name, ctx.Kind, reason, link);
        }

        ctx.Did($"needs a person: {full}");
    }

    /// <summary>
    /// A NeedsPerson warning that changes no durable state (the index says it): logged and counted once, when it
    /// begins, with a consent link; the document is not touched.
    /// </summary>
    public async Task WarnAsync(RunContext ctx, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var link = await consentLinks.CreateAsync(ctx.Session.Name, cancellationToken).ConfigureAwait(false);
        telemetry.NeedsPerson(ctx.Name, ctx.Kind, reason, link);
        ctx.Did($"needs a person: {reason} Consent link: {link}");
    }
}
