using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Kinds;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Engine;

/// <summary>
/// Runs one connection under its lease: read the document, let the connection's state machine take whatever steps
/// are due, then bring the index tags up to date (a tag-only update, no version, when only scheduling changed).
/// Every path (timers, rotate-now, the callback, the CLI) comes through here, so every path takes the same lease.
/// </summary>
public sealed partial class ConnectionProcessor(
    ILeaseProvider leases,
    IConnectionStore store,
    RunEffects effects,
    ITokenJournal journal,
    TokenSealer sealer,
    CredentialKindHandlers handlers,
    OAuth2RefreshMachine refresh,
    RotationTelemetry telemetry,
    IOptions<RotationOptions> rotation,
    TimeProvider time,
    ILogger<ConnectionProcessor> logger)
{
    public static string LeaseKey(ConnectionName name) => $"conn-{name.Value}";

    public async Task<ConnectionOutcome> RunAsync(ConnectionName name, RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(request);
        return await WithSessionAsync(name, request, (ctx, ct) => DispatchAsync(ctx, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> on the connection under its lease, then refreshes its index.</summary>
    public async Task<ConnectionOutcome> WithSessionAsync(
        ConnectionName name, RunRequest request, Func<RunContext, CancellationToken, Task<OutcomeKind>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(work);
        using var activity = Telemetry.RotationTelemetry.ActivitySource.StartActivity("connection.run");
        activity?.SetTag("connection", name.Value);
        activity?.SetTag("trigger", request.Trigger);

        await using var lease = await leases.TryAcquireAsync(LeaseKey(name), cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ConnectionOutcome.Busy(name.Value);
        }

        var document = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return ConnectionOutcome.NotFound(name.Value);
        }

        if (document.Kind == ConnectionKind.Tba && request.Now && !request.Rotate)
        {
            request = request with { Rotate = true }; // a TBA token has nothing to refresh: "now" means rotate
        }

        var session = new ConnectionSession(store, lease, document, d => Scheduler.Index(d, rotation.Value, null, time.GetUtcNow()));
        var ctx = new RunContext(session, request);
        OutcomeKind kind;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost))
        {
            try
            {
                // Before anything else: a single-use token a previous run could only journal goes into the state first.
                if (!request.DryRun && document.OAuth2?.RefreshStartedAt is { } started)
                {
                    await ReplayJournalAsync(ctx, started, linked.Token).ConfigureAwait(false);
                }

                kind = await work(ctx, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The lease's loss cancelled the work mid-call; say so rather than "a task was canceled".
                throw new LeaseLostException(lease.Key);
            }
        }

        var doc = ctx.Doc;
        var index = Scheduler.Index(doc, rotation.Value, ctx.AccessTokenExpiresAt, time.GetUtcNow());

        // After a journalled token the stored document lags the working copy: its tags stay until the replay's write.
        // After an unsaved run the working copy is not what is stored: its index must not be either.
        if (!request.DryRun && !ctx.Journalled && !ctx.Unsaved && !SameIndex(doc.StoredIndex, index))
        {
            await session.UpdateIndexAsync(index, cancellationToken).ConfigureAwait(false);
        }

        var message = ctx.Actions.Count > 0 ? string.Join("; ", ctx.Actions) : Describe(kind, doc);
        var said = ctx.Unsaved && doc.StoredIndex is { } stored ? stored : index;
        LogRun(name.Value, request.Trigger, kind, said.State, said.NextActionAt);
        return new ConnectionOutcome(name.Value, kind, message, said.State, said.NextActionAt, ctx.Actions.ToArray());
    }

    private async Task ReplayJournalAsync(RunContext ctx, DateTimeOffset refreshStartedAt, CancellationToken cancellationToken)
    {
        var entry = await journal.GetAsync(ctx.Session.Name, cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return;
        }

        if (entry.RefreshStartedAt != refreshStartedAt || entry.ExpiresAt <= time.GetUtcNow())
        {
            // Another refresh's entry, or one whose token has ended: it can only mislead.
            await journal.DeleteAsync(ctx.Session.Name, cancellationToken).ConfigureAwait(false);
            telemetry.Journal(ctx.Name, $"dropped an entry written at {entry.WrittenAt:u} that does not belong to the pending refresh or has expired");
            return;
        }

        var token = await sealer.OpenAsync(entry.Sealed, ctx.Name, refreshStartedAt, cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            telemetry.Journal(ctx.Name, $"an entry written at {entry.WrittenAt:u} could not be opened with the service's keys; it is left for a person to look at");
            return;
        }

        refresh.AcceptRefreshToken(ctx, ctx.Doc.OAuth2!, token);
        ctx.ClearError();
        ctx.Doc.LastSuccessAt = entry.WrittenAt;
        await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        await journal.DeleteAsync(ctx.Session.Name, cancellationToken).ConfigureAwait(false);
        telemetry.Journal(ctx.Name, $"replayed the refresh token journalled at {entry.WrittenAt:u} into the state document");
        ctx.Did($"saved the new refresh token the token journal held since {entry.WrittenAt:u}");
    }

    private Task<OutcomeKind> DispatchAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        if (ctx.Doc.Paused && !ctx.Request.DryRun)
        {
            ctx.Did("paused: nothing done (resume it first)");
            return Task.FromResult(ctx.Request.Now ? OutcomeKind.Refused : OutcomeKind.NothingToDo);
        }

        return handlers.For(ctx.Doc).RunDueAsync(ctx, cancellationToken);
    }

    private static bool SameIndex(ConnectionIndex? a, ConnectionIndex b) =>
        a is not null && a.ToTags().OrderBy(t => t.Key).SequenceEqual(b.ToTags().OrderBy(t => t.Key));

    private static string Describe(OutcomeKind kind, ConnectionDocument doc) => kind switch
    {
        OutcomeKind.NothingToDo => "nothing was due",
        OutcomeKind.NeedsPerson => doc.NeedsPersonReason ?? "needs a person",
        OutcomeKind.Failed => doc.LastError?.Message ?? "failed",
        _ => kind.ToString(),
    };

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Connection {Connection} ({Trigger}): {Outcome}, state {State}, next action {NextActionAt}")]
    private partial void LogRun(string connection, string trigger, OutcomeKind outcome, ConnectionStatus state, DateTimeOffset? nextActionAt);
}
