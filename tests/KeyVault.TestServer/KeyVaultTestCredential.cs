using System.Collections.Concurrent;
using Azure.Core;

namespace KeyVault.TestServer;

/// <summary>A token request the SDK made after reading the bearer challenge.</summary>
public sealed record KeyVaultTokenRequest(IReadOnlyList<string> Scopes, string? TenantId);

/// <summary>
/// Fake credential for the test server: issues opaque tokens the server accepts and records what the SDK asked for.
/// Token lifetimes are on the real clock because Azure.Core's bearer policy compares them with the real clock.
/// </summary>
public sealed class KeyVaultTestCredential : TokenCredential
{
    private readonly ConcurrentQueue<KeyVaultTokenRequest> _requests = new();
    private int _issued;

    /// <summary>Every token request, in order.</summary>
    public IReadOnlyList<KeyVaultTokenRequest> Requests => _requests.ToArray();

    /// <summary>Number of tokens issued.</summary>
    public int TokensIssued => Volatile.Read(ref _issued);

    /// <inheritdoc />
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        _requests.Enqueue(new KeyVaultTokenRequest(requestContext.Scopes.ToArray(), requestContext.TenantId));
        var n = Interlocked.Increment(ref _issued);
        return new AccessToken($"kv-test-token-{n}", TimeProvider.System.GetUtcNow().AddHours(1));
    }

    /// <inheritdoc />
    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
