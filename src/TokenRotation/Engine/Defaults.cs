using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>Used where no certificate key store is configured: minting fails with a message that says so.</summary>
internal sealed class UnavailableAssertionSigners : IAssertionSignerFactory
{
    public Task<IJwtSigner> CreateAsync(ConnectionDocument connection, RotatedCredential certificate, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(
            $"Connection {connection?.Name}: no signer for client-credentials assertions is configured (register an IAssertionSignerFactory, e.g. the Key Vault one).");
}
