using System.Text.Json;

namespace NetSuite.Auth.Tba;

/// <summary>
/// Typed client for NetSuite's TBA endpoints: <c>issuetoken</c>, <c>revoketoken</c>, <c>tokeninfo</c>, and a signed
/// verification GET. Expected protocol failures come back as a failed <see cref="NetSuiteResult{T}"/>.
/// </summary>
/// <param name="http">The HttpClient (registered by <c>AddNetSuiteAuth</c> with the resilience and signing handlers).</param>
/// <param name="endpoints">The endpoints.</param>
/// <param name="timeProvider">The clock.</param>
public sealed class NetSuiteTbaClient(HttpClient http, NetSuiteEndpoints endpoints, TimeProvider timeProvider)
{
    /// <summary>
    /// Issues a token for the user's role with <c>GET issuetoken</c> and the NLAuth header. Single use: NetSuite may
    /// create a token even when the answer is lost, so it is retried only when provably not processed.
    /// </summary>
    /// <param name="user">The user (and role) the token is for.</param>
    /// <param name="consumerKey">The integration record's consumer key.</param>
    /// <param name="tokenName">Optional token name.</param>
    /// <param name="oneTimePassword">The current TOTP code for 2FA roles (see <see cref="Totp"/>), or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new token, or a classified error.</returns>
    public async Task<NetSuiteResult<TbaToken>> IssueTokenAsync(
        NLAuthCredentials user, string consumerKey, string? tokenName = null, string? oneTimePassword = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoints.IssueToken(user.Account, consumerKey, tokenName))
            .ForNetSuite(user.Account, NetSuiteCallSafety.SingleUse);
        request.Headers.Authorization = NLAuthHeader.Create(user, oneTimePassword);
        request.Headers.Accept.ParseAdd("application/json");
        return await NetSuiteHttp.SendAsync(http, request, ReadIssuedToken, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revokes a token with a request signed by that same token. Safe to retry; any 2xx is success whatever the body.
    /// A retry after a lost success answer is refused as "Invalid login attempt" (the token is already inactive).
    /// </summary>
    /// <param name="token">The token to revoke, with its consumer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status, or a classified error.</returns>
    public async Task<NetSuiteResult<TbaCallOutcome>> RevokeTokenAsync(TbaCredentials token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoints.RevokeToken(token.Account, token.ConsumerKey, token.TokenId))
            .ForNetSuite(token.Account, NetSuiteCallSafety.SafeToRetry);
        request.Options.Set(TbaSigningHandler.Credentials, token);
        return await NetSuiteHttp.SendAsync(http, request, AnySuccess, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes a token with the NLAuth header. Safe to retry; any 2xx is success whatever the body.</summary>
    /// <param name="user">The user who owns the token.</param>
    /// <param name="consumerKey">The integration record's consumer key.</param>
    /// <param name="tokenId">The token id to revoke.</param>
    /// <param name="oneTimePassword">A TOTP code if the role requires one, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status, or a classified error.</returns>
    public async Task<NetSuiteResult<TbaCallOutcome>> RevokeTokenAsync(
        NLAuthCredentials user, string consumerKey, string tokenId, string? oneTimePassword = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoints.RevokeToken(user.Account, consumerKey, tokenId))
            .ForNetSuite(user.Account, NetSuiteCallSafety.SafeToRetry);
        request.Headers.Authorization = NLAuthHeader.Create(user, oneTimePassword);
        return await NetSuiteHttp.SendAsync(http, request, AnySuccess, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads <c>tokeninfo</c> with a request signed by the token. Safe to retry. Field names are read tolerantly
    /// (<c>companyId</c>, <c>company_id</c>, nested <c>{"company":{"id","name"}}</c>, ...); unknown fields are ignored.
    /// </summary>
    /// <param name="token">The token and its consumer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What NetSuite says about the token, or a classified error.</returns>
    public async Task<NetSuiteResult<TbaTokenInfo>> TokenInfoAsync(TbaCredentials token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoints.TokenInfo(token.Account))
            .ForNetSuite(token.Account, NetSuiteCallSafety.SafeToRetry);
        request.Options.Set(TbaSigningHandler.Credentials, token);
        request.Headers.Accept.ParseAdd("application/json");
        return await NetSuiteHttp.SendAsync(http, request, ReadTokenInfo, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Proves a token works with a signed GET of any resource (a REST web services record, a RESTlet). Safe to retry;
    /// any 2xx is success.
    /// </summary>
    /// <param name="token">The token and its consumer.</param>
    /// <param name="resourceUrl">The absolute resource URL (https, or http on loopback).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status, or a classified error.</returns>
    public async Task<NetSuiteResult<TbaCallOutcome>> VerifyAsync(TbaCredentials token, Uri resourceUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(resourceUrl);
        if (!NetSuiteEndpoints.IsAllowedUrl(resourceUrl))
        {
            throw new ArgumentException($"The verification URL must be absolute https (plain http only on loopback); got '{resourceUrl}'.", nameof(resourceUrl));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, resourceUrl)
            .ForNetSuite(token.Account, NetSuiteCallSafety.SafeToRetry);
        request.Options.Set(TbaSigningHandler.Credentials, token);
        request.Headers.Accept.ParseAdd("application/json");
        return await NetSuiteHttp.SendAsync(http, request, AnySuccess, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private static NetSuiteResult<TbaCallOutcome> AnySuccess(HttpResponseMessage response, string body) =>
        NetSuiteResult<TbaCallOutcome>.Success(new TbaCallOutcome((int)response.StatusCode));

    private static NetSuiteResult<TbaToken> ReadIssuedToken(HttpResponseMessage response, string body)
    {
        using var document = JsonDocument.Parse(body);
        var tokenId = NetSuiteHttp.GetScalar(document.RootElement, "tokenId", "token_id", "token");
        var tokenSecret = NetSuiteHttp.GetScalar(document.RootElement, "tokenSecret", "token_secret");
        if (tokenId is null || tokenSecret is null)
        {
            // A token may exist in NetSuite that we cannot see: say so, so a person can revoke it.
            return NetSuiteResult<TbaToken>.Failure(NetSuiteHttp.InvalidResponse(
                response, $"an issuetoken answer missing {(tokenId is null ? "tokenId" : "tokenSecret")}; a token may have been created and should be revoked in NetSuite"));
        }

        return NetSuiteResult<TbaToken>.Success(new TbaToken(tokenId, tokenSecret));
    }

    private static NetSuiteResult<TbaTokenInfo> ReadTokenInfo(HttpResponseMessage response, string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return NetSuiteResult<TbaTokenInfo>.Failure(NetSuiteHttp.InvalidResponse(response, "a tokeninfo answer that is not a JSON object"));
        }

        return NetSuiteResult<TbaTokenInfo>.Success(new TbaTokenInfo(
            CompanyId: Field(root, ["companyId", "company_id", "accountId", "account_id", "account"], "company", Id),
            CompanyName: Field(root, ["companyName", "company_name", "accountName", "account_name"], "company", Name),
            RoleId: Field(root, ["roleId", "role_id", "role"], "role", Id),
            RoleName: Field(root, ["roleName", "role_name"], "role", Name),
            EntityId: Field(root, ["entityId", "entity_id", "entity", "userId", "user_id", "user"], "entity", Id)));
    }

    private static readonly string[] Id = ["id", "internalId"];
    private static readonly string[] Name = ["name"];

    private static string? Field(JsonElement root, string[] flatNames, string nestedObject, string[] nestedNames)
    {
        if (NetSuiteHttp.GetScalar(root, flatNames) is { } flat)
        {
            return flat;
        }

        foreach (var property in root.EnumerateObject())
        {
            if (string.Equals(property.Name, nestedObject, StringComparison.OrdinalIgnoreCase))
            {
                return NetSuiteHttp.GetScalar(property.Value, nestedNames);
            }
        }

        return null;
    }
}
