using NetSuite.Auth;
using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>The credential-specific steps of a rotation (TBA token, M2M certificate).</summary>
internal interface IRotationOperations
{
    /// <summary>"TBA token" or "certificate", for messages.</summary>
    string Noun { get; }

    /// <summary>True when the current credential is old enough (or close enough to expiry) to rotate.</summary>
    bool IsRotationDue(RunContext ctx);

    /// <summary>Gets a new credential from NetSuite, named by the rotation id. Not retried here.</summary>
    Task<NetSuiteResult<RotatedCredential>> IssueAsync(RunContext ctx, string rotationId, CancellationToken cancellationToken);

    /// <summary>A real call with the pending credential, and a check that it is for the same account, role and entity.</summary>
    Task<VerifyResult> VerifyAsync(RunContext ctx, RotatedCredential pending, CancellationToken cancellationToken);

    /// <summary>Publishes the current credential to the consumer vault.</summary>
    Task PublishAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken);

    /// <summary>True when the consumer vault already shows <paramref name="current"/>.</summary>
    Task<bool> IsPublishedAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken);

    /// <summary>Revokes a credential in NetSuite; success also when it provably is no longer usable.</summary>
    Task<NetSuiteResult<string>> RevokeAsync(RunContext ctx, RotatedCredential credential, CancellationToken cancellationToken);
}
