using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TokenRotation.Keys;

/// <summary>
/// Key Vault's <c>sign</c> operation (<c>POST {vault}/keys/{name}/{version}/sign</c>) on an Azure.Core pipeline: the
/// Keys SDK is not served here, and this is the one key operation the engine needs. The private key of a
/// client-credentials certificate never leaves Key Vault; the engine sends a digest and gets a JWS signature back.
/// </summary>
internal class KeyVaultSignClient
{
    private const string Scope = "https://vault.azure.net/.default";
    private readonly HttpPipeline _pipeline;
    private readonly Uri _vault;
    private readonly string _apiVersion;

    protected KeyVaultSignClient()
    {
        _pipeline = null!;
        _vault = null!;
        _apiVersion = "";
    }

    public KeyVaultSignClient(Uri vaultUri, TokenCredential credential, KeyVaultSignClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new KeyVaultSignClientOptions();
        _vault = vaultUri;
        _apiVersion = options.ApiVersion;
        _pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, Scope));
    }

    /// <summary>Signs <paramref name="data"/> with one explicit key version; returns the JWS signature (ECDSA as r||s).</summary>
    public virtual async Task<byte[]> SignAsync(string keyName, string keyVersion, string algorithm, byte[] data, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyName);
        ArgumentException.ThrowIfNullOrEmpty(keyVersion);
        ArgumentNullException.ThrowIfNull(data);
        var digest = algorithm switch
        {
            "ES256" or "PS256" or "RS256" => SHA256.HashData(data),
            "ES384" or "PS384" or "RS384" => SHA384.HashData(data),
            "ES512" or "PS512" or "RS512" => SHA512.HashData(data),
            _ => throw new ArgumentException($"Unsupported signing algorithm {algorithm}.", nameof(algorithm)),
        };

        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_vault);
        request.Uri.AppendPath("/keys/", false);
        request.Uri.AppendPath(keyName, true);
        request.Uri.AppendPath("/", false);
        request.Uri.AppendPath(keyVersion, true);
        request.Uri.AppendPath("/sign", false);
        request.Uri.AppendQuery("api-version", _apiVersion);
        request.Headers.Add("Content-Type", "application/json");
        request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(new { alg = algorithm, value = System.Buffers.Text.Base64Url.EncodeToString(digest) }));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
        {
            throw new RequestFailedException(response);
        }

        using var json = await JsonDocument.ParseAsync(response.ContentStream!, cancellationToken: cancellationToken).ConfigureAwait(false);
        var value = json.RootElement.TryGetProperty("value", out var v) ? v.GetString() : null;
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidDataException($"Key Vault's sign answer for key {keyName}/{keyVersion} has no value.");
        }

        return System.Buffers.Text.Base64Url.DecodeFromChars(value);
    }
}
