using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Kinds;

/// <summary>
/// Everything kind-specific the processor, the operator actions and the CLI ask of a connection, for one
/// <see cref="ConnectionKind"/>. Each implementation gets exactly its dependencies through its constructor; the
/// processor and the operator actions find it by kind (<see cref="CredentialKindHandlers"/>).
/// </summary>
public interface ICredentialKindHandler
{
    ConnectionKind Kind { get; }

    /// <summary>Checks an import's fields (normalising what it may), adding a problem per wrong field; nothing is called.</summary>
    void ValidateImport(ConnectionDocument document, ICollection<string> problems);

    /// <summary>
    /// Readies a valid import before its first save: the initial status and reason, and the live checks (not on a dry
    /// run). Returns a refusal that names what is wrong, or null; adds what it did to <paramref name="actions"/>.
    /// </summary>
    Task<string?> PrepareImportAsync(ConnectionDocument document, bool dryRun, ICollection<string> actions, CancellationToken cancellationToken);

    /// <summary>After the import's first save, under the lease: publishes what consumers need at once, if anything.</summary>
    Task CompleteImportAsync(ConnectionDocument document, ILease lease, ICollection<string> actions, CancellationToken cancellationToken);

    /// <summary>Runs whatever is due for the connection: a refresh, a mint, a rotation step.</summary>
    Task<OutcomeKind> RunDueAsync(RunContext ctx, CancellationToken cancellationToken);

    /// <summary>
    /// Checks now that the live credential works, the way the kind can: a refresh (authorization code), a mint (client
    /// credentials), tokeninfo and a re-publish when the consumer vault lacks the set (TBA). <c>nstoken refresh</c>.
    /// </summary>
    Task<OutcomeKind> VerifyAsync(RunContext ctx, CancellationToken cancellationToken);

    /// <summary>During grace: makes the previous credential current again; Refused when the kind has nothing to roll back.</summary>
    Task<OutcomeKind> RollbackAsync(RunContext ctx, CancellationToken cancellationToken);

    /// <summary>Everything the connection holds in NetSuite, each with how to revoke it (a delete revokes them all first).</summary>
    IReadOnlyList<Revocation> Revocations(RunContext ctx);
}
