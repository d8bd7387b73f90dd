using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;

namespace NetSuiteConsumer;

/// <summary>
/// For the repository's Key Vault test server only (tests/KeyVault.TestServer.Host): trust its self-made TLS
/// certificate, skip the challenge's resource check (the host is 127.0.0.1) and send a placeholder bearer, which that
/// server accepts. Never used against a real vault.
/// </summary>
internal static class LocalTestVault
{
    public static SecretClientOptions ClientOptions(string certificatePemPath)
    {
        var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePemPath)).RawData;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(trusted),
            },
        };
        return new SecretClientOptions
        {
            DisableChallengeResourceVerification = true,
            Transport = new HttpClientTransport(new HttpClient(handler)),
        };
    }

    public sealed class PlaceholderCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("local-test-vault", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
