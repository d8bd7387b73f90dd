using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetSuite.Auth.Tba;

namespace NetSuite.Auth.KeyVault;

/// <summary>
/// Authenticates each request with the connection's current credential from <see cref="NetSuiteCredentialSource"/>:
/// <c>Authorization: Bearer</c> for an access token, an OAuth 1.0a HMAC-SHA256 signature (realm from the account)
/// for a TBA set. When NetSuite refuses it (401, or "Invalid login attempt" in a 400/403 body) and the vault holds a
/// newer version, the request is sent once more with that version: an authentication failure means NetSuite did not
/// process the request. Otherwise the refusal is returned unchanged.
/// </summary>
public sealed partial class NetSuiteCredentialHandler : DelegatingHandler
{
    private const string InvalidLogin = "Invalid login attempt";

    private readonly NetSuiteCredentialSource _source;
    private readonly TbaSigner _signer;
    private readonly ILogger _logger;

    /// <summary>Creates the handler.</summary>
    /// <param name="source">The connection's credential source (one per connection for the process).</param>
    /// <param name="timeProvider">Clock for TBA timestamps; the system clock when null.</param>
    /// <param name="logger">Receives resends and refusals (never a secret).</param>
    public NetSuiteCredentialHandler(NetSuiteCredentialSource source, TimeProvider? timeProvider = null, ILogger<NetSuiteCredentialHandler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _signer = new TbaSigner(new RandomTbaNonceSource(), timeProvider ?? TimeProvider.System);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true })
        {
            throw new InvalidOperationException("A NetSuite request needs an absolute URI (set the HttpClient's BaseAddress or pass a full URL).");
        }

        if (request.Content is not null)
        {
            // Buffered, so the same body can go out again after a refusal.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var credential = await _source.GetAsync(cancellationToken).ConfigureAwait(false);
        await AuthenticateAsync(request, credential, cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!await IsAuthenticationFailureAsync(response, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        var newer = await _source.GetNewerThanAsync(credential, cancellationToken).ConfigureAwait(false);
        if (newer is null)
        {
            LogRefused(_logger, _source.SecretName, credential.Version, (int)response.StatusCode);
            return response;
        }

        LogResending(_logger, _source.SecretName, credential.Version, newer.Version, (int)response.StatusCode);
        response.Dispose();
        var again = Copy(request); // Not disposed here: it shares the caller's content, and the response points to it.
        await AuthenticateAsync(again, newer, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(again, cancellationToken).ConfigureAwait(false);
    }

    private async Task AuthenticateAsync(HttpRequestMessage request, ConsumerCredential credential, CancellationToken cancellationToken)
    {
        if (credential.Kind == ConsumerCredentialKind.AccessToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.AccessToken);
            return;
        }

        IReadOnlyList<KeyValuePair<string, string>>? form = null;
        if (request.Content?.Headers.ContentType?.MediaType is { } mediaType
            && string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            form = TbaSigner.ParseQuery(await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }

        // A fresh nonce and timestamp for every attempt: NetSuite refuses a reused nonce.
        request.Headers.Authorization = _signer.Sign(request.Method, request.RequestUri!, credential.Tba!, form).ToHeaderValue();
    }

    private static async Task<bool> IsAuthenticationFailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return true;
        }

        if (response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.Forbidden))
        {
            return false;
        }

        // Buffered, so the caller can still read the body it gets back.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return body.Contains(InvalidLogin, StringComparison.OrdinalIgnoreCase);
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
            Content = request.Content,
        };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        return copy;
    }

    [LoggerMessage(EventId = 5111, Level = LogLevel.Information, Message = "NetSuite answered {StatusCode} to credential {SecretName} version {Version}; resending once with version {NewVersion}")]
    private static partial void LogResending(ILogger logger, string secretName, string version, string newVersion, int statusCode);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Warning, Message = "NetSuite answered {StatusCode} to credential {SecretName} version {Version} and the vault holds nothing newer; returning the answer unchanged")]
    private static partial void LogRefused(ILogger logger, string secretName, string version, int statusCode);
}
