using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>Used where no consent endpoint is configured: messages then say to run <c>nstoken consent-link</c>.</summary>
internal sealed class NoConsentLinks : IConsentLinkFactory
{
    public Task<string?> CreateAsync(ConnectionName name, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);
}

/// <summary>Used where no certificate key store is configured: minting fails with a message that says so.</summary>
internal sealed class UnavailableAssertionSigners : IAssertionSignerFactory
{
    public Task<IJwtSigner> CreateAsync(ConnectionDocument connection, RotatedCredential certificate, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(
            $"Connection {connection?.Name}: no signer for client-credentials assertions is configured (register an IAssertionSignerFactory, e.g. the Key Vault one).");
}
