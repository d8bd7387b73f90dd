using System.Security.Cryptography;
using System.Text;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Http;

/// <summary>Who a resource request acts as, once its OAuth 1.0a signature or bearer token checks out.</summary>
internal sealed record Principal(SimIntegration Integration, SimUser User, SimRole Role, SimTbaToken? Tba, SimAccessToken? Access)
{
    public string AuthKind => Tba is not null ? "tba" : "oauth2";
}

internal readonly record struct AuthOutcome(Principal? Principal, SimResult? Failure)
{
    public static AuthOutcome Fail(SimResult failure) => new(null, failure);
}

internal sealed partial class SimulatorApp
{
    private const string WaitingMessage =
        "Invalid login attempt. The integration record is waiting for approval: an administrator must set its State to Enabled.";

    /// <summary>Authenticates a REST web services or RESTlet call: OAuth 1.0a (TBA) or an OAuth 2.0 bearer token.</summary>
    private async ValueTask<AuthOutcome> AuthenticateResourceAsync(SimRequest request, string requiredScope)
    {
        var header = request.Http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase))
        {
            return await VerifyTbaAsync(request, header);
        }

        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return VerifyBearer(request, header[7..].Trim(), requiredScope);
        }

        Audit(request, false, header.Length == 0 ? "MissingAuthorization" : "UnsupportedAuthorizationScheme",
            note: header.StartsWith("NLAuth", StringComparison.Ordinal) ? "User credentials (NLAuth) are not accepted by RESTlets created since 2021.1." : null);
        return AuthOutcome.Fail(request.Family == ResourceFamily.Rest ? Responses.RestInvalidLogin() : Responses.RestletInvalidLogin());
    }

    /// <summary>
    /// OAuth 1.0a verification in NetSuite's order of concerns: syntax (version, method, timestamp), nonce,
    /// realm, consumer key, token, signature over the URL as requested, nonce reuse, approval, permissions.
    /// </summary>
    private async ValueTask<AuthOutcome> VerifyTbaAsync(SimRequest request, string header)
    {
        var account = request.Account;
        var now = Now;

        AuthOutcome Fail(bool syntax, string detail, string? note = null, SimIntegration? integration = null, SimTbaToken? token = null)
        {
            Audit(request, false, detail, clientId: integration?.ClientId, tokenRef: token?.TokenId, note: note,
                roleId: token?.RoleId, user: token is null ? null : account.UsersById.GetValueOrDefault(token.EntityId));
            if (request.Family == ResourceFamily.Rest)
            {
                return AuthOutcome.Fail(Responses.RestInvalidLogin());
            }

            return AuthOutcome.Fail(syntax
                ? Responses.RestletError(400, "INVALID_REQUEST", "The request could not be understood by the server due to malformed syntax.")
                : Responses.RestletInvalidLogin());
        }

        if (!OAuth1.TryParseAuthorizationHeader(header, out var values, out var reason))
        {
            return Fail(true, reason);
        }

        var consumerKey = values.GetValueOrDefault("oauth_consumer_key");
        var tokenId = values.GetValueOrDefault("oauth_token");
        var nonce = values.GetValueOrDefault("oauth_nonce");
        var timestampText = values.GetValueOrDefault("oauth_timestamp");
        var method = values.GetValueOrDefault("oauth_signature_method");
        var signature = values.GetValueOrDefault("oauth_signature");
        var version = values.GetValueOrDefault("oauth_version");
        var realm = values.GetValueOrDefault("realm");
        if (string.IsNullOrEmpty(consumerKey) || string.IsNullOrEmpty(tokenId) || string.IsNullOrEmpty(nonce)
            || string.IsNullOrEmpty(timestampText) || string.IsNullOrEmpty(method) || string.IsNullOrEmpty(signature))
        {
            return Fail(true, "MissingRequiredParameter");
        }

        if (version is not null && version != "1.0")
        {
            return Fail(true, "VersionRejected");
        }

        if (method != OAuth1.HmacSha256)
        {
            return Fail(true, "UnknownAlgorithm", note: "Only HMAC-SHA256 is accepted (HMAC-SHA1 ended in 2023.1).");
        }

        if (!long.TryParse(timestampText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var timestamp)
            || timestamp <= 0 || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > 300)
        {
            return Fail(true, "InvalidTimestamp", note: "The timestamp must be within 5 minutes of the server time.");
        }

        if (nonce.Length < 6)
        {
            return Fail(false, "nonce_rejected");
        }

        if (realm != account.Id)
        {
            return Fail(false, "InvalidRealm",
                note: realm is null ? "The realm is missing." : $"The realm must be the account id in uppercase with '_' ({account.Id}).");
        }

        if (!account.IntegrationsByClientId.TryGetValue(consumerKey, out var integration))
        {
            return Fail(false, "consumer_key_unknown");
        }

        if (integration.State == IntegrationState.Blocked)
        {
            return Fail(false, "consumer_key_refused", integration: integration);
        }

        if (!integration.TokenBasedAuthentication)
        {
            return Fail(false, "FeatureDisabled", note: "Token-based Authentication is not checked on the integration record.", integration: integration);
        }

        if (!account.TbaTokens.TryGetValue(tokenId, out var token) || token.ConsumerKey != consumerKey || token.Status != TokenStatus.Active)
        {
            return Fail(false, "token_rejected", integration: integration,
                note: token is null ? "Unknown token." : token.Status != TokenStatus.Active ? $"Token is {token.Status}." : "Token belongs to another application.");
        }

        var parameters = new List<KeyValuePair<string, string>>(values.Count + 4);
        foreach (var pair in values)
        {
            if (pair.Key is not ("realm" or "oauth_signature"))
            {
                parameters.Add(pair);
            }
        }

        var raw = RawTarget(request.Http);
        var questionMark = raw.IndexOf('?');
        var rawPath = questionMark < 0 ? raw : raw[..questionMark];
        if (questionMark >= 0)
        {
            parameters.AddRange(PercentEncoding.ParseQuery(raw[(questionMark + 1)..]));
        }

        if (request.Http.Request.HasFormContentType)
        {
            var form = await request.Http.Request.ReadFormAsync(request.Http.RequestAborted);
            foreach (var field in form)
            {
                foreach (var value in field.Value)
                {
                    parameters.Add(new(field.Key, value ?? ""));
                }
            }
        }

        var host = request.Http.Request.Host;
        var baseUri = OAuth1.BaseStringUri(request.Http.Request.Scheme, host.Host, host.Port, rawPath);
        var baseString = OAuth1.BuildBaseString(request.Method, baseUri, parameters);
        var expected = OAuth1.Sign(baseString, integration.ConsumerSecret, token.TokenSecret);
        if (!OAuth1.SignaturesEqual(expected, signature))
        {
            return Fail(false, "InvalidSignature", integration: integration, token: token);
        }

        if (State.NonceReused(consumerKey, tokenId, nonce))
        {
            return Fail(false, "NonceUsed", integration: integration, token: token);
        }

        if (integration.State == IntegrationState.WaitingForApproval)
        {
            Audit(request, false, "WaitingForApproval", clientId: integration.ClientId, tokenRef: token.TokenId);
            return AuthOutcome.Fail(WaitingResult(request.Family, account.Id, bearer: false));
        }

        if (!account.UsersById.TryGetValue(token.EntityId, out var user) || !user.Active || !user.HasRole(token.RoleId)
            || !account.RolesById.TryGetValue(token.RoleId, out var role) || !role.Has(RolePermissions.LogInUsingAccessTokens))
        {
            return Fail(false, "permission_denied", integration: integration, token: token,
                note: "The entity is inactive, no longer has the role, or the role lacks 'Log in using Access Tokens'.");
        }

        token.LastUsedAt = now;
        token.RecordUse();
        Audit(request, true, "Success", user, token.RoleId, integration.ClientId, token.TokenId);
        return new AuthOutcome(new Principal(integration, user, role, token, null), null);
    }

    /// <summary>Bearer verification: a JWT signed by the simulator, an access (not refresh) token of this account, unexpired, unrevoked, with the scope.</summary>
    private AuthOutcome VerifyBearer(SimRequest request, string token, string requiredScope)
    {
        var account = request.Account;
        var now = Now;

        AuthOutcome Fail(string detail, string? note = null, SimAccessToken? access = null)
        {
            Audit(request, false, detail, clientId: access?.ClientId, tokenRef: access?.Jti, roleId: access?.RoleId, note: note,
                user: access is null ? null : account.UsersById.GetValueOrDefault(access.EntityId));
            return AuthOutcome.Fail(Responses.BearerInvalid(request.Family, account.Id));
        }

        if (!Jwt.TryDecode(token, out var parts))
        {
            Audit(request, false, "InvalidTokenFormat");
            return AuthOutcome.Fail(Responses.BearerMalformed(request.Family, account.Id));
        }

        if (parts.Alg != "RS256")
        {
            return Fail("UnsupportedAlgo");
        }

        if (parts.Kid is null)
        {
            return Fail("MissingKeyId");
        }

        if (parts.Kid != State.SigningKeyId)
        {
            return Fail("MissingKey");
        }

        if (!Jwt.VerifyRs256(State.SigningKey, parts))
        {
            return Fail("SignatureValidation");
        }

        var jti = parts.GetString("jti");
        if (jti is null)
        {
            return Fail("InvalidTokenType");
        }

        if (jti.Contains(".r.", StringComparison.Ordinal))
        {
            return Fail("TokenRejected", "A refresh token was sent as an access token.");
        }

        if (!account.AccessTokens.TryGetValue(jti, out var access))
        {
            return Fail("TokenRejected", "The token was not issued for this account.");
        }

        if (access.Status is TokenStatus.Revoked or TokenStatus.Wiped)
        {
            return Fail("TokenRejected", $"The token is {access.Status}.", access);
        }

        if (access.ExpiresAt <= now)
        {
            return Fail("AccessTokenExpired", access: access);
        }

        if (!account.IntegrationsByClientId.TryGetValue(access.ClientId, out var integration))
        {
            return Fail("InvalidIntegration", access: access);
        }

        if (integration.State == IntegrationState.Blocked)
        {
            return Fail("IntegrationBlocked", access: access);
        }

        if (integration.State == IntegrationState.WaitingForApproval)
        {
            Audit(request, false, "WaitingForApproval", clientId: integration.ClientId, tokenRef: access.Jti);
            return AuthOutcome.Fail(WaitingResult(request.Family, account.Id, bearer: true));
        }

        if (!access.Scopes.Contains(requiredScope))
        {
            return Fail("ScopeMismatched", $"The token lacks the {requiredScope} scope.", access);
        }

        if (!account.UsersById.TryGetValue(access.EntityId, out var user) || !user.Active || !user.HasRole(access.RoleId)
            || !account.RolesById.TryGetValue(access.RoleId, out var role) || !role.Has(RolePermissions.LogInUsingOAuth2AccessTokens))
        {
            return Fail("EntityOrRoleDisabled", "The entity is inactive, lacks the role, or the role lacks 'Log in using OAuth 2.0 Access Tokens'.", access);
        }

        access.LastUsedAt = now;
        access.RecordUse();
        Audit(request, true, "Success", user, access.RoleId, access.ClientId, access.Jti);
        return new AuthOutcome(new Principal(integration, user, role, null, access), null);
    }

    /// <summary>What a request from an integration in "Waiting for Approval" gets, per <see cref="SimulatorModes.WaitingForApproval"/>.</summary>
    private SimResult WaitingResult(ResourceFamily family, string realm, bool bearer)
    {
        var mode = Modes.WaitingForApproval;
        var result = (family, mode) switch
        {
            (ResourceFamily.OAuth, WaitingForApprovalMode.InvalidLogin) => Responses.OAuthError(401, "invalid_client", realm),
            (ResourceFamily.OAuth, WaitingForApprovalMode.DescriptiveInvalidLogin) => Responses.OAuthError(400, "unauthorized_client", realm, WaitingMessage),
            (ResourceFamily.OAuth, _) => Responses.OAuthError(403, "access_denied", realm, WaitingMessage),
            (ResourceFamily.Rest, WaitingForApprovalMode.InvalidLogin) => Responses.RestInvalidLogin(),
            (ResourceFamily.Rest, WaitingForApprovalMode.DescriptiveInvalidLogin) => Responses.RestInvalidLogin(WaitingMessage),
            (ResourceFamily.Rest, _) => Responses.RestProblem(403, "Forbidden", "INSUFFICIENT_PERMISSION", WaitingMessage),
            (_, WaitingForApprovalMode.InvalidLogin) => Responses.RestletInvalidLogin(),
            (_, WaitingForApprovalMode.DescriptiveInvalidLogin) => Responses.RestletError(401, "INVALID_LOGIN_ATTEMPT", WaitingMessage),
            _ => Responses.RestletError(403, "INSUFFICIENT_PERMISSION", WaitingMessage),
        };
        if (bearer && result.Status == 401)
        {
            result.WithHeader("WWW-Authenticate", $"Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{Responses.InvalidLoginMessage}\"");
        }

        return result;
    }

    private static bool SecretsEqual(string expected, string? actual) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));
}
