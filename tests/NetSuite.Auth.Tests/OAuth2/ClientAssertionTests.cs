using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.OAuth2.Jwt;

namespace NetSuite.Auth.Tests.OAuth2;

public class ClientAssertionTests
{
    private const string ClientId = "1c343a71e3e2";
    private const string CertificateId = "HRril7VwkkW2y0wAzFR9GKk1LVTHSZPeq5EeWT2Fgks";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly NetSuiteAccountId Account = NetSuiteAccountId.Parse("3829855");

    private static ClientAssertionOptions Options() => new()
    {
        ClientId = ClientId,
        Scopes = NetSuiteScopes.Restlets | NetSuiteScopes.RestWebServices,
    };

    private static NetSuiteClientAssertionBuilder Builder(FakeTimeProvider? time = null) =>
        new(new NetSuiteEndpoints(new NetSuiteEndpointOptions()), time ?? new FakeTimeProvider(Now));

    private static (JsonElement Header, JsonElement Payload, byte[] SigningInput, byte[] Signature) Split(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.DoesNotContain('=', jwt);
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
        return (header, payload, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]));
    }

    [Fact]
    public async Task Default_assertion_is_ES256_with_kid_iss_scope_array_suitetalk_aud_jti_and_five_minute_exp()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, CertificateId);

        var jwt = await Builder().CreateAsync(Account, Options(), signer);

        var (header, payload, input, signature) = Split(jwt);
        Assert.Equal(["typ", "alg", "kid"], header.EnumerateObject().Select(p => p.Name));
        Assert.Equal("JWT", header.GetProperty("typ").GetString());
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(CertificateId, header.GetProperty("kid").GetString());
        Assert.Equal(ClientId, payload.GetProperty("iss").GetString());
        Assert.Equal(["restlets", "rest_webservices"], payload.GetProperty("scope").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("https://3829855.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token", payload.GetProperty("aud").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds(), payload.GetProperty("iat").GetInt64());
        Assert.Equal(Now.ToUnixTimeSeconds() + 300, payload.GetProperty("exp").GetInt64());
        Assert.True(payload.GetProperty("jti").GetString()!.Length >= 20);

        // Verified independently with the public key only, in the JWS (IEEE P1363 r||s) format.
        using var verifier = ECDsa.Create(key.ExportParameters(includePrivateParameters: false));
        Assert.Equal(64, signature.Length);
        Assert.True(verifier.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData("nistP384", "ES384", 96)]
    [InlineData("nistP521", "ES512", 132)]
    public async Task Larger_EC_curves_sign_with_ES384_and_ES512(string curve, string algorithm, int signatureLength)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var signer = new EcdsaJwtSigner(key, CertificateId);
        var hash = algorithm == "ES384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA512;

        var (header, _, input, signature) = Split(await Builder().CreateAsync(Account, Options(), signer));

        Assert.Equal(algorithm, header.GetProperty("alg").GetString());
        Assert.Equal(signatureLength, signature.Length);
        using var verifier = ECDsa.Create(key.ExportParameters(false));
        Assert.True(verifier.VerifyData(input, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    public async Task RSA_PSS_assertions_verify_with_the_public_key(string algorithm)
    {
        using var key = TestKeys.NewRsa();
        using var signer = new RsaPssJwtSigner(key, CertificateId, algorithm);
        var hash = algorithm switch { "PS256" => HashAlgorithmName.SHA256, "PS384" => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA512 };

        var (header, _, input, signature) = Split(await Builder().CreateAsync(Account, Options(), signer));

        Assert.Equal(algorithm, header.GetProperty("alg").GetString());
        using var verifier = RSA.Create(key.ExportParameters(false));
        Assert.True(verifier.VerifyData(input, signature, hash, RSASignaturePadding.Pss));
        Assert.False(verifier.VerifyData(input, signature, hash, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task Tampered_payload_fails_verification()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, CertificateId);
        var (_, _, input, signature) = Split(await Builder().CreateAsync(Account, Options(), signer));
        input[^1] ^= 1;

        using var verifier = ECDsa.Create(key.ExportParameters(false));
        Assert.False(verifier.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public async Task Scope_can_be_a_comma_separated_string_and_aud_the_restlets_host()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, CertificateId);
        var options = Options() with
        {
            ScopeFormat = ScopeClaimFormat.CommaSeparated,
            Audience = "https://3829855.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/token",
            Scopes = NetSuiteScopes.Restlets | NetSuiteScopes.RestWebServices | NetSuiteScopes.SuiteAnalytics,
        };

        var (_, payload, _, _) = Split(await Builder().CreateAsync(Account, options, signer));

        Assert.Equal("restlets,rest_webservices,suite_analytics", payload.GetProperty("scope").GetString());
        Assert.Equal("https://3829855.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/token", payload.GetProperty("aud").GetString());
    }

    [Fact]
    public async Task Lifetime_is_configurable_below_sixty_minutes_and_iat_follows_the_clock()
    {
        var time = new FakeTimeProvider(Now);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, CertificateId);
        var builder = Builder(time);
        time.Advance(TimeSpan.FromMinutes(10));

        var (_, payload, _, _) = Split(await builder.CreateAsync(Account, Options() with { Lifetime = TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(59) }, signer));

        var iat = payload.GetProperty("iat").GetInt64();
        Assert.Equal(Now.AddMinutes(10).ToUnixTimeSeconds(), iat);
        Assert.Equal(3599, payload.GetProperty("exp").GetInt64() - iat);
    }

    [Theory]
    [InlineData(60 * 60)]
    [InlineData(2 * 60 * 60)]
    public async Task Lifetime_of_sixty_minutes_or_more_is_rejected_clearly(int seconds)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, CertificateId);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            Builder().CreateAsync(Account, Options() with { Lifetime = TimeSpan.FromSeconds(seconds) }, signer).AsTask());

        Assert.Contains("less than 60 minutes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jti_differs_between_assertions()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, CertificateId);
        var builder = Builder();

        var first = Split(await builder.CreateAsync(Account, Options(), signer)).Payload.GetProperty("jti").GetString();
        var second = Split(await builder.CreateAsync(Account, Options(), signer)).Payload.GetProperty("jti").GetString();

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_remote_signer_gets_the_signing_input_and_the_cancellation_token()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var remote = new RemoteSigner(key);
        using var cts = new CancellationTokenSource();

        var jwt = await Builder().CreateAsync(Account, Options(), remote, cts.Token);

        var (header, _, input, signature) = Split(jwt);
        Assert.Equal(input, remote.Signed);
        Assert.Equal(cts.Token, remote.Token);
        Assert.Equal("remote-kid", header.GetProperty("kid").GetString());
        using var verifier = ECDsa.Create(key.ExportParameters(false));
        Assert.True(verifier.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData("RS256", "kid", "RS256")]
    [InlineData("HS256", "kid", "HS256")]
    [InlineData("ES256", " ", "kid")]
    public async Task Signer_with_unsupported_algorithm_or_no_kid_is_rejected(string algorithm, string keyId, string expected)
    {
        var signer = new FixedSigner(algorithm, keyId, [1, 2, 3]);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Builder().CreateAsync(Account, Options(), signer).AsTask());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal("signer", ex.ParamName);
    }

    [Fact]
    public async Task Signer_returning_an_empty_or_no_signature_is_an_error()
    {
        var empty = new FixedSigner("ES256", "kid", []);
        var none = new FixedSigner("ES256", "kid", null!);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Builder().CreateAsync(Account, Options(), empty).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => Builder().CreateAsync(Account, Options(), none).AsTask());
    }

    [Fact]
    public async Task Invalid_options_are_rejected()
    {
        var signer = new FixedSigner("ES256", "kid", [1]);
        var builder = Builder();

        var noClient = await Assert.ThrowsAsync<ArgumentException>(() => builder.CreateAsync(Account, Options() with { ClientId = "" }, signer).AsTask());
        var noScope = await Assert.ThrowsAsync<ArgumentException>(() => builder.CreateAsync(Account, Options() with { Scopes = NetSuiteScopes.None }, signer).AsTask());
        var zero = await Assert.ThrowsAsync<ArgumentException>(() => builder.CreateAsync(Account, Options() with { Lifetime = TimeSpan.Zero }, signer).AsTask());
        var relative = await Assert.ThrowsAsync<ArgumentException>(() => builder.CreateAsync(Account, Options() with { Audience = "/token" }, signer).AsTask());
        var notUrl = await Assert.ThrowsAsync<ArgumentException>(() => builder.CreateAsync(Account, Options() with { Audience = "not a url" }, signer).AsTask());
        var plainHttp = await Assert.ThrowsAsync<ArgumentException>(() =>
            builder.CreateAsync(Account, Options() with { Audience = "http://3829855.suitetalk.api.netsuite.com/token" }, signer).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => builder.CreateAsync(null!, Options(), signer).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => builder.CreateAsync(Account, null!, signer).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => builder.CreateAsync(Account, Options(), null!).AsTask());

        Assert.Contains("client id", noClient.Message, StringComparison.Ordinal);
        Assert.Contains("scope", noScope.Message, StringComparison.Ordinal);
        Assert.Contains("at least one second", zero.Message, StringComparison.Ordinal);
        Assert.Contains("aud", relative.Message, StringComparison.Ordinal);
        Assert.Contains("aud", notUrl.Message, StringComparison.Ordinal);
        Assert.Contains("aud", plainHttp.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Builder_rejects_null_dependencies()
    {
        Assert.Throws<ArgumentNullException>(() => new NetSuiteClientAssertionBuilder(null!, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new NetSuiteClientAssertionBuilder(new NetSuiteEndpoints(new NetSuiteEndpointOptions()), null!));
    }

    [Fact]
    public async Task Assertion_goes_into_the_client_credentials_request()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = new EcdsaJwtSigner(key, CertificateId);
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());
        var jwt = await new NetSuiteClientAssertionBuilder(endpoints, new FakeTimeProvider(Now)).CreateAsync(Account, Options(), signer);
        var handler = new RecordingHandler().Respond(System.Net.HttpStatusCode.OK, $$"""{"access_token":"{{TestJwt.Access()}}","expires_in":3600,"token_type":"bearer"}""");

        var result = await new NetSuiteTokenClient(handler.CreateClient(), endpoints).ClientCredentialsAsync(Account, jwt);

        Assert.True(result.IsSuccess);
        Assert.Equal(jwt, handler.Single.Form()["client_assertion"]);
        Assert.Equal(endpoints.Token(Account), handler.Single.Uri);
    }

    [Fact]
    public void Supported_algorithms_are_the_six_NetSuite_lists()
    {
        Assert.All(["ES256", "ES384", "ES512", "PS256", "PS384", "PS512"], a => Assert.True(JwtAlgorithms.IsSupported(a)));
        Assert.All(["RS256", "HS256", "none", "es256", null], a => Assert.False(JwtAlgorithms.IsSupported(a)));
    }

    private sealed class RemoteSigner(ECDsa key) : IJwtSigner
    {
        public string Algorithm => JwtAlgorithms.ES256;

        public string KeyId => "remote-kid";

        public byte[]? Signed { get; private set; }

        public CancellationToken Token { get; private set; }

        public async ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Signed = data;
            Token = cancellationToken;
            return key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    private sealed class FixedSigner(string algorithm, string keyId, byte[] signature) : IJwtSigner
    {
        public string Algorithm => algorithm;

        public string KeyId => keyId;

        public ValueTask<byte[]> SignAsync(byte[] data, CancellationToken cancellationToken) => ValueTask.FromResult(signature);
    }
}
