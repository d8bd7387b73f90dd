using System.Security.Cryptography;
using NetSuite.Auth.OAuth2.Jwt;

namespace NetSuite.Auth.Tests.OAuth2;

public class JwtSignerTests
{
    private static readonly byte[] Data = "header.payload"u8.ToArray();

    [Theory]
    [InlineData("nistP256", "ES256")]
    [InlineData("nistP384", "ES384")]
    [InlineData("nistP521", "ES512")]
    public void Ecdsa_signer_picks_the_algorithm_from_the_curve(string curve, string algorithm)
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        using var signer = new EcdsaJwtSigner(key, "kid-1");

        Assert.Equal(algorithm, signer.Algorithm);
        Assert.Equal("kid-1", signer.KeyId);
        Assert.Equal($"EcdsaJwtSigner {{ Algorithm = {algorithm}, KeyId = kid-1 }}", signer.ToString());
    }

    [Fact]
    public void Ecdsa_signer_rejects_a_curve_JWS_does_not_pair_with_ES()
    {
        using var key = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp256k1"));

        var ex = Assert.Throws<ArgumentException>(() => new EcdsaJwtSigner(key, "kid"));

        Assert.Contains("P-256, P-384 or P-521", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ecdsa_signer_rejects_a_key_with_explicit_curve_parameters()
    {
        using var named = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = ECDsa.Create(named.ExportExplicitParameters(includePrivateParameters: true));

        var ex = Assert.Throws<ArgumentException>(() => new EcdsaJwtSigner(key, "kid"));

        Assert.Contains("explicit parameters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ecdsa_signer_rejects_missing_key_or_kid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<ArgumentNullException>(() => new EcdsaJwtSigner(null!, "kid"));
        Assert.Throws<ArgumentException>(() => new EcdsaJwtSigner(key, " "));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ecdsa_signer_from_pem_signs_verifiably_and_owns_its_key(bool sec1)
    {
        using var original = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = sec1 ? original.ExportECPrivateKeyPem() : original.ExportPkcs8PrivateKeyPem();

        var signer = EcdsaJwtSigner.FromPem(pem, "kid");
        var signature = await signer.SignAsync(Data, CancellationToken.None);
        signer.Dispose();

        Assert.Equal("ES256", signer.Algorithm);
        Assert.True(original.VerifyData(Data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => signer.SignAsync(Data, CancellationToken.None).AsTask());
    }

    [Fact]
    public void Ecdsa_signer_over_a_callers_key_leaves_the_key_alive_on_dispose()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signer = new EcdsaJwtSigner(key, "kid");
        signer.Dispose();

        var signature = key.SignData(Data, HashAlgorithmName.SHA256);

        Assert.NotEmpty(signature);
    }

    [Fact]
    public void Ecdsa_from_pem_rejects_bad_pem_without_echoing_it()
    {
        using var rsa = TestKeys.NewRsa();
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var garbage = PemEncoding.WriteString("PRIVATE KEY", "secret-key-material"u8); // base64 body c2VjcmV0LWtleS1tYXRlcmlhbA==

        var publicOnly = Assert.Throws<ArgumentException>(() => EcdsaJwtSigner.FromPem(ec.ExportSubjectPublicKeyInfoPem(), "kid"));
        var broken = Assert.Throws<ArgumentException>(() => EcdsaJwtSigner.FromPem(garbage, "kid"));
        var wrongType = Assert.Throws<ArgumentException>(() => EcdsaJwtSigner.FromPem(rsa.ExportPkcs8PrivateKeyPem(), "kid"));
        var noKid = Assert.Throws<ArgumentException>(() => EcdsaJwtSigner.FromPem(ec.ExportPkcs8PrivateKeyPem(), ""));
        Assert.Throws<ArgumentNullException>(() => EcdsaJwtSigner.FromPem(null!, "kid"));

        Assert.Contains("no private key", publicOnly.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", broken.Message, StringComparison.Ordinal);
        Assert.Equal("privateKeyPem", broken.ParamName);
        Assert.Equal("privateKeyPem", wrongType.ParamName);
        Assert.Equal("keyId", noKid.ParamName);
    }

    [Fact]
    public async Task Signers_check_arguments_and_cancellation()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = TestKeys.NewRsa();
        using var ecSigner = new EcdsaJwtSigner(ec, "kid");
        using var rsaSigner = new RsaPssJwtSigner(rsa, "kid");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAsync<ArgumentNullException>(() => ecSigner.SignAsync(null!, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => rsaSigner.SignAsync(null!, CancellationToken.None).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ecSigner.SignAsync(Data, cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rsaSigner.SignAsync(Data, cts.Token).AsTask());
    }

    [Fact]
    public void Rsa_signer_defaults_to_PS256_and_describes_itself_without_key()
    {
        using var key = TestKeys.NewRsa();
        using var signer = new RsaPssJwtSigner(key, "kid-2");

        Assert.Equal("PS256", signer.Algorithm);
        Assert.Equal("kid-2", signer.KeyId);
        Assert.Equal("RsaPssJwtSigner { Algorithm = PS256, KeyId = kid-2 }", signer.ToString());
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    [InlineData("PS1024")]
    public void Rsa_signer_rejects_algorithms_other_than_PS(string algorithm)
    {
        using var key = TestKeys.NewRsa();

        var ex = Assert.Throws<ArgumentException>(() => new RsaPssJwtSigner(key, "kid", algorithm));

        Assert.Contains(algorithm, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rsa_signer_rejects_keys_under_2048_bits_and_missing_arguments()
    {
        using var small = RSA.Create(1024);
        using var key = TestKeys.NewRsa();

        var ex = Assert.Throws<ArgumentException>(() => new RsaPssJwtSigner(small, "kid"));
        Assert.Throws<ArgumentNullException>(() => new RsaPssJwtSigner(null!, "kid"));
        Assert.Throws<ArgumentException>(() => new RsaPssJwtSigner(key, ""));

        Assert.Contains("1024", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rsa_signer_from_pem_signs_verifiably_and_owns_its_key(bool pkcs1)
    {
        using var original = TestKeys.NewRsa();
        var pem = pkcs1 ? original.ExportRSAPrivateKeyPem() : original.ExportPkcs8PrivateKeyPem();

        var signer = RsaPssJwtSigner.FromPem(pem, "kid", "PS384");
        var signature = await signer.SignAsync(Data, CancellationToken.None);
        signer.Dispose();

        Assert.True(original.VerifyData(Data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => signer.SignAsync(Data, CancellationToken.None).AsTask());
    }

    [Fact]
    public void Rsa_signer_over_a_callers_key_leaves_the_key_alive_on_dispose()
    {
        using var key = TestKeys.NewRsa();
        new RsaPssJwtSigner(key, "kid").Dispose();

        Assert.NotEmpty(key.SignData(Data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    [Fact]
    public void Rsa_from_pem_rejects_bad_pem_without_echoing_it()
    {
        using var rsa = TestKeys.NewRsa();
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var garbage = PemEncoding.WriteString("RSA PRIVATE KEY", "secret-key-material"u8);

        var publicOnly = Assert.Throws<ArgumentException>(() => RsaPssJwtSigner.FromPem(rsa.ExportSubjectPublicKeyInfoPem(), "kid"));
        var broken = Assert.Throws<ArgumentException>(() => RsaPssJwtSigner.FromPem(garbage, "kid"));
        var wrongType = Assert.Throws<ArgumentException>(() => RsaPssJwtSigner.FromPem(ec.ExportPkcs8PrivateKeyPem(), "kid"));
        var badAlgorithm = Assert.Throws<ArgumentException>(() => RsaPssJwtSigner.FromPem(rsa.ExportPkcs8PrivateKeyPem(), "kid", "RS256"));
        Assert.Throws<ArgumentNullException>(() => RsaPssJwtSigner.FromPem(null!, "kid"));

        Assert.Contains("no private key", publicOnly.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", broken.Message, StringComparison.Ordinal);
        Assert.Equal("privateKeyPem", wrongType.ParamName);
        Assert.Equal("algorithm", badAlgorithm.ParamName);
    }
}
