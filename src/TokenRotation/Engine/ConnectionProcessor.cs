using Microsoft.Extensions.Logging;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>
/// Runs one connection under its lease: read the document, let the connection's state machine take whatever steps
/// are due, then bring the index tags up to date (a tag-only update, no version, when only scheduling changed).
/// Every path (timers, rotate-now, the callback, the CLI) comes through here, so every path takes the same lease.
/// </summary>
public sealed partial class ConnectionProcessor(EngineServices services, ILogger<ConnectionProcessor> logger)
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

        await using var lease = await services.Leases.TryAcquireAsync(LeaseKey(name), cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return ConnectionOutcome.Busy(name.Value);
        }

        var document = await services.Store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            return ConnectionOutcome.NotFound(name.Value);
        }

        if (document.Kind == ConnectionKind.Tba && request.Now && !request.Rotate)
        {
            request = request with { Rotate = true }; // a TBA token has nothing to refresh: "now" means rotate
        }

        var session = new ConnectionSession(services.Store, lease, document, d => Scheduler.Index(d, services.Rotation, null, services.Now));
        var ctx = new RunContext(session, services, request);
        OutcomeKind kind;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost))
        {
            try
            {
                kind = await work(ctx, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lease.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The lease's loss cancelled the work mid-call; say so rather than "a task was canceled".
                throw new LeaseLostException(lease.Key);
            }
        }

        var doc = ctx.Doc;
        var index = Scheduler.Index(doc, services.Rotation, ctx.AccessTokenExpiresAt, services.Now);
        if (!request.DryRun && !SameIndex(doc.StoredIndex, index))
        {
            doc.StoredIndex = index;
            lease.EnsureHeld();
            await services.Store.UpdateIndexAsync(index, cancellationToken).ConfigureAwait(false);
        }

        var message = ctx.Actions.Count > 0 ? string.Join("; ", ctx.Actions) : Describe(kind, doc);
        LogRun(name.Value, request.Trigger, kind, index.State, index.NextActionAt);
        return new ConnectionOutcome(name.Value, kind, message, index.State, index.NextActionAt, ctx.Actions.ToArray());
    }

    private static Task<OutcomeKind> DispatchAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        if (ctx.Doc.Paused && !ctx.Request.DryRun)
        {
            ctx.Did("paused: nothing done (resume it first)");
            return Task.FromResult(ctx.Request.Now ? OutcomeKind.Refused : OutcomeKind.NothingToDo);
        }

        return ctx.Doc.Kind switch
        {
            ConnectionKind.OAuth2AuthorizationCode => OAuth2RefreshMachine.RunAsync(ctx, cancellationToken),
            ConnectionKind.OAuth2ClientCredentials => RunClientCredentialsAsync(ctx, cancellationToken),
            ConnectionKind.Tba => CredentialRotationMachine.RunAsync(ctx, TbaRotationOperations.Instance, cancellationToken),
            _ => throw new InvalidDataException($"Connection {ctx.Name} has an unknown kind {ctx.Doc.Kind}."),
        };
    }

    private static async Task<OutcomeKind> RunClientCredentialsAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var mint = await ClientCredentialsMachine.MintIfDueAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (ctx.Services.CertificateRotation is { } certificates && mint is not OutcomeKind.NeedsPerson)
        {
            var rotation = await CredentialRotationMachine.RunAsync(ctx, certificates, cancellationToken).ConfigureAwait(false);
            return rotation is OutcomeKind.NothingToDo ? mint : rotation;
        }

        return mint;
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
