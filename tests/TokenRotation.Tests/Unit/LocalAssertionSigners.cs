using System.Security.Cryptography;
using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Tests.Unit;

/// <summary>Client-credentials signers with a P-256 key in memory instead of Key Vault's sign operation; remembers whose key signed.</summary>
internal sealed class LocalAssertionSigners : IAssertionSignerFactory
{
    public List<string> SignedFor { get; } = [];

    public Task<IJwtSigner> CreateAsync(ConnectionDocument connection, RotatedCredential certificate, CancellationToken cancellationToken = default)
    {
        SignedFor.Add(certificate.Id);
        return Task.FromResult<IJwtSigner>(new EcdsaJwtSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256), certificate.Id));
    }
}
