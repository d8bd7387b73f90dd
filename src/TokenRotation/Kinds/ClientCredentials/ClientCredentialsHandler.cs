using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Kinds.ClientCredentials;

/// <summary>
/// OAuth 2.0 client-credentials connections: an access token is minted on schedule (<see cref="ClientCredentialsMachine"/>)
/// and the certificate rotated through the shared <see cref="CredentialRotationMachine"/> over
/// <see cref="CertificateRotationOperations"/>; set-up is <see cref="ClientCredentialsSetup"/>.
/// </summary>
public sealed class ClientCredentialsHandler(ClientCredentialsMachine mint, CredentialRotationMachine rotations, CertificateRotationOperations certificates)
    : ICredentialKindHandler
{
    public ConnectionKind Kind => ConnectionKind.OAuth2ClientCredentials;

    public void ValidateImport(ConnectionDocument document, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(problems);
        if (document.ClientCredentials is not { } cc)
        {
            problems.Add("a client-credentials connection needs its client and certificate (clientCredentials)");
            return;
        }

        if (string.IsNullOrWhiteSpace(cc.ClientId) || string.IsNullOrWhiteSpace(cc.RoleId) || string.IsNullOrWhiteSpace(cc.EntityId))
        {
            problems.Add("the client id, role and entity are required");
        }
    }

    public Task<string?> PrepareImportAsync(ConnectionDocument document, bool dryRun, ICollection<string> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        actions.Add("imported the client-credentials connection; the first sweep mints an access token");
        return Task.FromResult<string?>(null);
    }

    public Task CompleteImportAsync(ConnectionDocument document, ILease lease, ICollection<string> actions, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Mints when due, then advances (or starts) a certificate rotation unless the mint needs a person.</summary>
    public async Task<OutcomeKind> RunDueAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var minted = await mint.MintIfDueAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (minted is OutcomeKind.NeedsPerson)
        {
            return minted;
        }

        var rotated = await rotations.RunAsync(ctx, certificates, cancellationToken).ConfigureAwait(false);
        return rotated is OutcomeKind.NothingToDo ? minted : rotated;
    }

    /// <summary>A mint is the check.</summary>
    public Task<OutcomeKind> VerifyAsync(RunContext ctx, CancellationToken cancellationToken) => mint.MintIfDueAsync(ctx, cancellationToken);

    public Task<OutcomeKind> RollbackAsync(RunContext ctx, CancellationToken cancellationToken) => rotations.RollbackAsync(ctx, certificates, cancellationToken);

    public IReadOnlyList<Revocation> Revocations(RunContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var slots = ctx.Doc.Credentials;
        return new[] { slots.Current, slots.Pending, slots.Previous }.OfType<RotatedCredential>()
            .Select(certificate => new Revocation($"certificate {certificate.Id}", ct => certificates.RevokeAsync(ctx, certificate, ct)))
            .ToArray();
    }
}
