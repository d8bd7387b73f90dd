using NetSuite.Auth;

namespace TokenRotation.Kinds;

/// <summary>One thing a connection holds in NetSuite and how to revoke it (see <see cref="ICredentialKindHandler.Revocations"/>).</summary>
public sealed record Revocation(string What, Func<CancellationToken, Task<NetSuiteResult<string>>> RevokeAsync);
