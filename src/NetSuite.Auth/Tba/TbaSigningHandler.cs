namespace NetSuite.Auth.Tba;

/// <summary>
/// Signs each attempt of a request that carries <see cref="Credentials"/> with a fresh nonce and timestamp. It sits
/// inside the resilience handler, so a retried request is never an identical signed request (NetSuite rejects a
/// reused nonce with <c>nonce_used</c>).
/// </summary>
/// <param name="signer">The signer.</param>
public sealed class TbaSigningHandler(TbaSigner signer) : DelegatingHandler
{
    /// <summary>Request option: the credentials to sign the request with. Requests without it pass unchanged.</summary>
    public static readonly HttpRequestOptionsKey<TbaCredentials> Credentials = new("NetSuite.TbaCredentials");

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Options.TryGetValue(Credentials, out var credentials))
        {
            IReadOnlyList<KeyValuePair<string, string>>? form = null;
            if (request.Content?.Headers.ContentType?.MediaType is { } mediaType
                && string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            {
                form = TbaSigner.ParseQuery(await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            }

            request.Headers.Authorization = signer.Sign(request.Method, request.RequestUri!, credentials, form).ToHeaderValue();
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
