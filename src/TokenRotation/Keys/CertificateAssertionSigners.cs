using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Keys;

/// <summary>The engine's <see cref="IAssertionSignerFactory"/> over an <see cref="ICertificateKeyStore"/>.</summary>
internal sealed class CertificateAssertionSigners(ICertificateKeyStore keys) : IAssertionSignerFactory
{
    public Task<IJwtSigner> CreateAsync(ConnectionDocument connection, RotatedCredential certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(certificate);
        var cc = connection.ClientCredentials ?? throw new InvalidDataException($"Connection {connection.Name} has no clientCredentials section.");
        var version = certificate.KeyVersion ?? throw new InvalidDataException($"Connection {connection.Name}: certificate {certificate.Id} has no key version to sign with.");
        return Task.FromResult(keys.CreateSigner(cc.CertificateName, version, cc.Algorithm, certificate.Id));
    }
}
