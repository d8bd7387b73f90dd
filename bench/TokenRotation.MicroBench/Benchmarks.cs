using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.OAuth2.Jwt;
using NetSuite.Auth.Tba;

namespace TokenRotation.MicroBench;

/// <summary>Request signing: OAuth 1.0a HMAC-SHA256 (every TBA call) and the JWS signatures of client assertions.</summary>
[MemoryDiagnoser]
public class SigningBenchmarks : IDisposable
{
    private static readonly Uri RestletUrl = new("https://1234567-sb1.restlets.api.netsuite.com/app/site/hosting/restlet.nl?script=6&deploy=1&customParam=someValue");
    private readonly byte[] _data = RandomNumberGenerator.GetBytes(300);
    private TbaSigner _tba = null!;
    private TbaCredentials _credentials = null!;
    private EcdsaJwtSigner _es256 = null!;
    private RsaPssJwtSigner _ps256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tba = new TbaSigner();
        _credentials = new TbaCredentials(NetSuiteAccountId.Parse("1234567_SB1"), new string('c', 64), new string('s', 64), new string('t', 64), new string('x', 64));
        _es256 = new EcdsaJwtSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256), "kid-es256");
        _ps256 = new RsaPssJwtSigner(RSA.Create(3072), "kid-ps256");
    }

    [Benchmark(Description = "OAuth 1.0a HMAC-SHA256 header (TBA request)")]
    public string TbaAuthorizationHeader() => _tba.Sign(HttpMethod.Get, RestletUrl, _credentials).AuthorizationHeader;

    [Benchmark(Description = "ES256 signature (P-256)")]
    public ValueTask<byte[]> Es256() => _es256.SignAsync(_data, CancellationToken.None);

    [Benchmark(Description = "PS256 signature (RSA 3072)")]
    public ValueTask<byte[]> Ps256() => _ps256.SignAsync(_data, CancellationToken.None);

    public void Dispose()
    {
        _es256?.Dispose();
        _ps256?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>PKCE: a new verifier and its S256 challenge (every consent start).</summary>
[MemoryDiagnoser]
public class PkceBenchmarks
{
    private readonly string _verifier = Pkce.Create().CodeVerifier;

    [Benchmark(Description = "PKCE pair (128-char verifier + S256)")]
    public PkcePair Create() => Pkce.Create();

    [Benchmark(Description = "S256 challenge of a verifier")]
    public string Challenge() => Pkce.ComputeChallenge(_verifier);
}

/// <summary>A whole client-credentials assertion (claims, header, base64url, signature), as minted before every token request.</summary>
[MemoryDiagnoser]
public class AssertionBenchmarks : IDisposable
{
    private readonly NetSuiteAccountId _account = NetSuiteAccountId.Parse("1234567_SB1");
    private NetSuiteClientAssertionBuilder _builder = null!;
    private ClientAssertionOptions _options = null!;
    private EcdsaJwtSigner _es256 = null!;
    private RsaPssJwtSigner _ps256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _builder = new NetSuiteClientAssertionBuilder(new NetSuiteEndpoints(new NetSuiteEndpointOptions()), TimeProvider.System);
        _options = new ClientAssertionOptions { ClientId = new string('a', 64), Scopes = NetSuiteScopeValues.Parse("rest_webservices restlets") };
        _es256 = new EcdsaJwtSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256), "kid-es256");
        _ps256 = new RsaPssJwtSigner(RSA.Create(3072), "kid-ps256");
    }

    [Benchmark(Description = "client assertion JWT, ES256")]
    public ValueTask<string> AssertionEs256() => _builder.CreateAsync(_account, _options, _es256);

    [Benchmark(Description = "client assertion JWT, PS256")]
    public ValueTask<string> AssertionPs256() => _builder.CreateAsync(_account, _options, _ps256);

    public void Dispose()
    {
        _es256?.Dispose();
        _ps256?.Dispose();
        GC.SuppressFinalize(this);
    }
}
