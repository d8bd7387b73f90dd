using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>Gives the signer of a client-credentials connection's assertions for one certificate version.</summary>
internal interface IAssertionSignerFactory
{
    /// <summary>A signer whose <c>kid</c> is the credential's NetSuite certificate id and whose key is the credential's key version.</summary>
    Task<IJwtSigner> CreateAsync(ConnectionDocument connection, RotatedCredential certificate, CancellationToken cancellationToken = default);
}
