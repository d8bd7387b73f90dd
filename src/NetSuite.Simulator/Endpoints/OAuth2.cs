using System.Text;
using Microsoft.AspNetCore.Http;
using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Http;

internal sealed partial class SimulatorApp
{
    private const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private static readonly string[] ClientAssertionAlgorithms = ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

    private sealed record TokenForm(IFormCollection Form, string? BasicClientId, string? BasicSecret)
    {
        public string? Get(string name)
        {
            var values = Form[name];
            return values.Count == 1 ? values[0] : null;
        }
    }

    /// <summary><c>POST {SuiteTalk}/services/rest/auth/oauth2/v1/token</c>: authorization_code, refresh_token, client_credentials.</summary>
    private async ValueTask<SimResult> TokenAsync(SimRequest request)
    {
        var realm = request.Account.Id;
        var (form, failure) = await ReadTokenFormAsync(request);
        if (failure is not null)
        {
            return failure;
        }

        var grantType = form!.Get("grant_type");
        switch (grantType)
        {
            case null:
                Audit(request, false, "InvalidRequest", note: "grant_type is missing.");
                return Responses.OAuthError(400, "invalid_request", realm);
            case "authorization_code":
                return AuthorizationCodeGrant(request, form);
            case "refresh_token":
                return RefreshTokenGrant(request, form);
            case "client_credentials":
                return ClientCredentialsGrant(request, form);
            default:
                Audit(request, false, "InvalidGrantType");
                return Responses.OAuthError(400, "unsupported_grant_type", realm);
        }
    }

    private async ValueTask<(TokenForm? Form, SimResult? Failure)> ReadTokenFormAsync(SimRequest request)
    {
        var realm = request.Account.Id;
        if (!request.Http.Request.HasFormContentType)
        {
            Audit(request, false, "InvalidRequest", note: "The body must be application/x-www-form-urlencoded.");
            return (null, Responses.OAuthError(400, "invalid_request", realm));
        }

        var form = await request.Http.Request.ReadFormAsync(request.Http.RequestAborted);
        if (form.Any(f => f.Value.Count > 1))
        {
            Audit(request, false, "InvalidRequest", note: "A parameter is repeated.");
            return (null, Responses.OAuthError(400, "invalid_request", realm));
        }

        string? basicId = null, basicSecret = null;
        var header = request.Http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (!TryDecodeBasic(header[6..].Trim(), out basicId, out basicSecret))
            {
                Audit(request, false, "ClientAuthenticationFailed", note: "Malformed Basic header.");
                return (null, Responses.OAuthError(401, "invalid_client", realm));
            }
        }
        else if (header.Length > 0)
        {
            Audit(request, false, "ClientAuthenticationFailed", note: "Only Basic client authentication is accepted.");
            return (null, Responses.OAuthError(401, "invalid_client", realm));
        }

        var tokenForm = new TokenForm(form, basicId, basicSecret);
        var methods = (basicId is not null ? 1 : 0) + (tokenForm.Get("client_assertion") is not null ? 1 : 0) + (tokenForm.Get("client_secret") is not null ? 1 : 0);
        var bodyClientId = tokenForm.Get("client_id");
        if (methods > 1 || (basicId is not null && bodyClientId is not null && bodyClientId != basicId))
        {
            Audit(request, false, "InvalidRequest", note: "Multiple client authentication methods.");
            return (null, Responses.OAuthError(400, "invalid_request", realm, "Multiple client authentication approaches."));
        }

        return (tokenForm, null);
    }

    /// <summary>RFC 7617 Basic; standard Base64 as the Oracle samples use, Base64url tolerated (the text says "Base64url").</summary>
    private static bool TryDecodeBasic(string value, out string? clientId, out string? secret)
    {
        clientId = secret = null;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            if (!Base64Url.TryDecode(value.TrimEnd('='), out bytes))
            {
                return false;
            }
        }

        var text = Encoding.UTF8.GetString(bytes);
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        clientId = text[..colon];
        secret = text[(colon + 1)..];
        return true;
    }

    /// <summary>Client authentication for the code and refresh grants (and revoke): Basic for confidential clients; public clients send only their id.</summary>
    private SimResult? AuthenticateClient(SimRequest request, TokenForm form, out SimIntegration integration)
    {
        var realm = request.Account.Id;
        integration = null!;
        var clientId = form.BasicClientId ?? form.Get("client_id");
        if (clientId is null)
        {
            Audit(request, false, "ClientAuthenticationFailed", note: "No client id.");
            return Responses.OAuthError(401, "invalid_client", realm);
        }

        if (!request.Account.IntegrationsByClientId.TryGetValue(clientId, out var found))
        {
            Audit(request, false, "UnknownIntegration", clientId: clientId);
            return Responses.OAuthError(401, "invalid_client", realm);
        }

        if (found.PublicClient)
        {
            if (!string.IsNullOrEmpty(form.BasicSecret) || form.Get("client_secret") is not null)
            {
                Audit(request, false, "ClientAuthenticationFailed", clientId: clientId, note: "A public client has no secret.");
                return Responses.OAuthError(401, "invalid_client", realm);
            }
        }
        else if (form.BasicClientId is null || !SecretsEqual(found.ClientSecret, form.BasicSecret))
        {
            Audit(request, false, "ClientAuthenticationFailed", clientId: clientId,
                note: form.BasicClientId is null ? "A confidential client authenticates with HTTP Basic." : "Wrong client secret.");
            return Responses.OAuthError(401, "invalid_client", realm);
        }

        if (found.State == IntegrationState.Blocked)
        {
            Audit(request, false, "IntegrationBlocked", clientId: clientId);
            return Responses.OAuthError(401, "invalid_client", realm);
        }

        if (found.State == IntegrationState.WaitingForApproval && found.Installed)
        {
            Audit(request, false, "WaitingForApproval", clientId: clientId);
            return WaitingResult(ResourceFamily.OAuth, realm, bearer: false);
        }

        integration = found;
        return null;
    }

    private SimResult AuthorizationCodeGrant(SimRequest request, TokenForm form)
    {
        var account = request.Account;
        var realm = account.Id;
        var failure = AuthenticateClient(request, form, out var integration);
        if (failure is not null)
        {
            return failure;
        }

        SimResult Grant(string detail, string? note = null)
        {
            Audit(request, false, detail, clientId: integration.ClientId, note: note);
            return Responses.OAuthError(400, "invalid_grant", realm);
        }

        if (!integration.AuthorizationCodeGrant)
        {
            Audit(request, false, "AuthorizationCodeGrantRequired", clientId: integration.ClientId);
            return Responses.OAuthError(400, "unauthorized_client", realm);
        }

        var codeValue = form.Get("code");
        var redirectUri = form.Get("redirect_uri");
        if (codeValue is null || redirectUri is null)
        {
            Audit(request, false, "InvalidRequest", clientId: integration.ClientId, note: "code and redirect_uri are required.");
            return Responses.OAuthError(400, "invalid_request", realm);
        }

        if (!State.Codes.TryGetValue(codeValue, out var code) || code.AccountId != account.Id || code.ClientId != integration.ClientId)
        {
            return Grant("InvalidAuthorizationCode");
        }

        if (Volatile.Read(ref code.Used) != 0)
        {
            return Grant("InvalidAuthorizationCode", "The code was already used.");
        }

        if (code.ExpiresAt <= Now)
        {
            return Grant("InvalidAuthorizationCode", "The code has expired.");
        }

        if (code.RedirectUri != redirectUri)
        {
            return Grant("InvalidRedirectURI", "redirect_uri differs from the authorize request.");
        }

        if (code.CodeChallenge is not null)
        {
            var verifier = form.Get("code_verifier");
            if (!Pkce.IsValidVerifier(verifier) || Pkce.S256(verifier!) != code.CodeChallenge)
            {
                return Grant("InvalidRequest", "code_verifier does not match the code_challenge.");
            }
        }

        if (Interlocked.Exchange(ref code.Used, 1) != 0)
        {
            return Grant("InvalidAuthorizationCode", "The code was already used.");
        }

        if (!EntityRoleUsable(account, code.EntityId, code.RoleId, RolePermissions.LogInUsingOAuth2AccessTokens))
        {
            return Grant("EntityOrRoleDisabled");
        }

        AutoInstall(request, integration);
        var pair = State.IssueTokenPair(account, integration, code.EntityId, code.RoleId, code.Scopes, chain: null, "authorization_code");
        request.Track(pair.Access);
        request.Track(pair.Refresh!);
        Audit(request, true, "Success", account.UsersById.GetValueOrDefault(code.EntityId), code.RoleId, integration.ClientId, pair.Refresh!.Jti, "Authorization code exchanged.");
        return TokenResponse(pair.AccessJwt, pair.RefreshJwt);
    }

    private SimResult RefreshTokenGrant(SimRequest request, TokenForm form)
    {
        var account = request.Account;
        var realm = account.Id;
        var now = Now;
        var failure = AuthenticateClient(request, form, out var integration);
        if (failure is not null)
        {
            return failure;
        }

        SimResult Grant(string detail, string? note = null, SimRefreshToken? token = null)
        {
            Audit(request, false, detail, clientId: integration.ClientId, tokenRef: token?.Jti, note: note,
                roleId: token?.RoleId, user: token is null ? null : account.UsersById.GetValueOrDefault(token.EntityId));
            return Responses.OAuthError(400, "invalid_grant", realm);
        }

        var value = form.Get("refresh_token");
        if (value is null)
        {
            Audit(request, false, "InvalidRequest", clientId: integration.ClientId, note: "refresh_token is required.");
            return Responses.OAuthError(400, "invalid_request", realm);
        }

        if (!Jwt.TryDecode(value, out var parts))
        {
            return Grant("InvalidRefreshToken", "Not a JWT.");
        }

        if (parts.Kid != State.SigningKeyId || !Jwt.VerifyRs256(State.SigningKey, parts))
        {
            return Grant("InvalidSignature");
        }

        var jti = parts.GetString("jti") ?? "";
        if (jti.Contains(".a.", StringComparison.Ordinal))
        {
            return Grant("InvalidRefreshToken", "An access token was sent as a refresh token.");
        }

        if (!account.RefreshTokens.TryGetValue(jti, out var token))
        {
            return Grant("InvalidRefreshToken", "Not issued for this account.");
        }

        if (token.ClientId != integration.ClientId)
        {
            return Grant("ClientIdMismatch", "The refresh token belongs to another integration record.", token);
        }

        switch (token.Status)
        {
            case TokenStatus.Revoked:
                return Grant("TokenRevoked", token: token);
            case TokenStatus.Wiped:
                return Grant("InvalidRefreshToken", "Wiped by a sandbox refresh.", token);
            case TokenStatus.Spent:
                if (Modes.PublicRefreshReuseRevokesChain)
                {
                    State.RevokeOAuth2Chain(account.Id, token.ChainId);
                }

                return Grant("InvalidRefreshToken", "A public client's refresh token is single use; this one was already used.", token);
        }

        if (token.ExpiresAt <= now)
        {
            return Grant("RefreshTokenExpired", token: token);
        }

        if (token.PublicClient && now >= token.ChainStartedAt.AddHours(integration.MaxTokenRotationHours))
        {
            return Grant("RefreshTokenExpired", "Maximum Time For Token Rotation reached: the user must consent again.", token);
        }

        if (!EntityRoleUsable(account, token.EntityId, token.RoleId, RolePermissions.LogInUsingOAuth2AccessTokens))
        {
            return Grant("EntityOrRoleDisabled", token: token);
        }

        if (token.PublicClient && !token.TryEnd(TokenStatus.Spent, now))
        {
            return Grant("InvalidRefreshToken", "A public client's refresh token is single use; this one was already used.", token);
        }

        token.LastUsedAt = now;
        token.RecordUse();
        var pair = State.IssueTokenPair(account, integration, token.EntityId, token.RoleId, token.Scopes, token, "refresh_token");
        request.Track(pair.Access);
        if (pair.Refresh is not null)
        {
            request.Track(pair.Refresh);
        }

        Audit(request, true, "Success", account.UsersById.GetValueOrDefault(token.EntityId), token.RoleId, integration.ClientId, token.Jti,
            pair.Refresh is null ? "Access token refreshed." : "Access token refreshed; new single-use refresh token issued.");
        return TokenResponse(pair.AccessJwt, pair.RefreshJwt);
    }

    /// <summary>Client credentials: a JWT assertion signed with a mapped certificate's key (NetSuite topic 2.1, 2.2).</summary>
    private SimResult ClientCredentialsGrant(SimRequest request, TokenForm form)
    {
        var account = request.Account;
        var realm = account.Id;
        var now = Now;
        SimResult Grant(string detail, string? note = null, string? clientId = null, SimCertificate? certificate = null)
        {
            Audit(request, false, detail, clientId: clientId ?? certificate?.ClientId, tokenRef: certificate?.CertificateId, note: note,
                roleId: certificate?.RoleId, user: certificate is null ? null : account.UsersById.GetValueOrDefault(certificate.EntityId));
            return Responses.OAuthError(400, "invalid_grant", realm);
        }

        if (form.BasicClientId is not null || form.Get("client_secret") is not null)
        {
            Audit(request, false, "ClientAuthenticationFailed", note: "Client credentials use a JWT assertion, not a secret.");
            return Responses.OAuthError(401, "invalid_client", realm);
        }

        var assertion = form.Get("client_assertion");
        if (form.Get("client_assertion_type") != JwtBearerAssertionType || assertion is null)
        {
            Audit(request, false, "InvalidRequest", note: $"client_assertion_type must be {JwtBearerAssertionType} and client_assertion present.");
            return Responses.OAuthError(400, "invalid_request", realm);
        }

        if (!Jwt.TryDecode(assertion, out var parts))
        {
            Audit(request, false, "InvalidRequest", note: "client_assertion is not a JWT.");
            return Responses.OAuthError(400, "invalid_request", realm);
        }

        var alg = parts.Alg ?? "";
        if (!ClientAssertionAlgorithms.Contains(alg) && !(alg == "RS256" && Modes.AcceptRs256ClientAssertions))
        {
            return Grant("UnsupportedAlgo", $"alg {alg} is not one of ES256/384/512, PS256/384/512.");
        }

        if (string.IsNullOrEmpty(parts.Kid))
        {
            return Grant("MissingKeyId");
        }

        if (!account.Certificates.TryGetValue(parts.Kid, out var certificate))
        {
            return Grant("MissingKey", "No certificate with that id (kid) is mapped in this account.");
        }

        if (!Jwt.VerifyWithCertificateKey(alg, certificate.PublicKey, parts))
        {
            return Grant("SignatureValidation", certificate: certificate);
        }

        if (parts.GetString("iss") != certificate.ClientId)
        {
            return Grant("ClientIdMismatch", "iss must be the client id of the certificate's integration record.", certificate: certificate);
        }

        var audiences = parts.GetStrings("aud");
        if (audiences.Count == 0 || !audiences.All(a => IsTokenEndpointAudience(request, a)))
        {
            return Grant("InvalidAudience", "aud must be the token endpoint URL of this account (suitetalk or restlets host).", certificate: certificate);
        }

        var exp = parts.GetLong("exp");
        var iat = parts.GetLong("iat");
        if (exp is null || iat is null)
        {
            return Grant("TokenNotAcceptable", "exp and iat are required.", certificate: certificate);
        }

        if (exp.Value - iat.Value > 3600)
        {
            return Grant("TokenValidityTooBroad", "exp must be at most 60 minutes after iat.", certificate: certificate);
        }

        if (exp.Value <= now.ToUnixTimeSeconds())
        {
            return Grant("TokenExpired", certificate: certificate);
        }

        if (iat.Value > now.ToUnixTimeSeconds() + 300)
        {
            return Grant("TokenNotAcceptable", "iat is in the future.", certificate: certificate);
        }

        if (certificate.Revoked)
        {
            return Grant("TokenBlocked", "The certificate is revoked.", certificate: certificate);
        }

        if (now >= certificate.ValidUntil || now < certificate.ValidFrom)
        {
            return Grant("TokenNotAcceptable", "The certificate is outside its validity.", certificate: certificate);
        }

        if (!account.IntegrationsByClientId.TryGetValue(certificate.ClientId, out var integration))
        {
            return Grant("InvalidIntegration", certificate: certificate);
        }

        if (integration.State == IntegrationState.Blocked)
        {
            Audit(request, false, "IntegrationBlocked", clientId: integration.ClientId, tokenRef: certificate.CertificateId);
            return Responses.OAuthError(401, "invalid_client", realm);
        }

        if (integration.State == IntegrationState.WaitingForApproval)
        {
            Audit(request, false, "WaitingForApproval", clientId: integration.ClientId, tokenRef: certificate.CertificateId);
            return WaitingResult(ResourceFamily.OAuth, realm, bearer: false);
        }

        if (!integration.ClientCredentials)
        {
            Audit(request, false, "UnauthorizedClient", clientId: integration.ClientId, note: "The Client Credentials (M2M) grant is not checked on the integration record.");
            return Responses.OAuthError(400, "unauthorized_client", realm);
        }

        var scopes = parts.GetStrings("scope")
            .SelectMany(s => s.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (scopes.Count == 0 || scopes.Any(s => !integration.Scopes.Contains(s)) || (scopes.Contains("mcp") && scopes.Count > 1))
        {
            Audit(request, false, "ScopeMismatched", clientId: integration.ClientId, tokenRef: certificate.CertificateId);
            return Responses.OAuthError(400, "invalid_scope", realm);
        }

        if (!EntityRoleUsable(account, certificate.EntityId, certificate.RoleId, RolePermissions.LogInUsingOAuth2AccessTokens))
        {
            return Grant("EntityOrRoleDisabled", certificate: certificate);
        }

        var (access, jwt) = State.IssueAccessToken(account, integration, certificate.EntityId, certificate.RoleId, scopes, now, null, certificate.CertificateId, "client_credentials");
        request.Track(access);
        Audit(request, true, "Success", account.UsersById.GetValueOrDefault(certificate.EntityId), certificate.RoleId, integration.ClientId, certificate.CertificateId,
            "Client credentials access token issued.");
        return TokenResponse(jwt, null);
    }

    /// <summary>The token endpoint of this account on the suitetalk or restlets host of this simulator (Oracle's sample uses the restlets host).</summary>
    private static bool IsTokenEndpointAudience(SimRequest request, string audience)
    {
        if (!Uri.TryCreate(audience, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var r = request.Http.Request;
        if (!string.Equals(uri.Scheme, r.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Authority, r.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var segments = uri.AbsolutePath.Split('/', 3, StringSplitOptions.None);
        return segments.Length == 3
            && AccountIds.IsWellFormed(segments[1])
            && AccountIds.ToRealm(segments[1]) == request.Account.Id
            && (segments[2] == "suitetalk/services/rest/auth/oauth2/v1/token" || segments[2] == "restlets/services/rest/auth/oauth2/v1/token");
    }

    private static bool EntityRoleUsable(SimAccount account, int entityId, int roleId, RolePermissions permission) =>
        account.UsersById.TryGetValue(entityId, out var user) && user.Active && user.HasRole(roleId)
        && account.RolesById.TryGetValue(roleId, out var role) && role.Has(permission);

    private SimResult TokenResponse(string accessToken, string? refreshToken)
    {
        if (Modes.OpaqueAccessTokens)
        {
            accessToken = "opaque-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(accessToken)));
        }

        var body = new Dictionary<string, object>();
        if (refreshToken is null || !Modes.OmitAccessTokenBesideRefreshToken)
        {
            body["access_token"] = accessToken;
        }

        if (refreshToken is not null)
        {
            body["refresh_token"] = refreshToken;
        }

        body["expires_in"] = Modes.ExpiresIn switch
        {
            ExpiresInFormat.IntegerString => "3600",
            ExpiresInFormat.DecimalNumber => 3600.0m,
            ExpiresInFormat.DecimalString => "3600.0",
            _ => 3600,
        };
        body["token_type"] = "bearer";
        return SimResult.Json(200, body).WithHeader("Cache-Control", "no-store").WithHeader("Pragma", "no-cache");
    }

    /// <summary>
    /// <c>POST {SuiteTalk}/services/rest/auth/oauth2/v1/revoke</c>, body <c>token=</c>: revokes the refresh
    /// token's chain and its access tokens (NetSuite topic 1.7). An access token revokes only itself (UNCONFIRMED).
    /// Unknown tokens succeed, as RFC 7009 says. The answer's form is a mode (UNCONFIRMED).
    /// </summary>
    private async ValueTask<SimResult> RevokeAsync(SimRequest request)
    {
        var account = request.Account;
        var (form, failure) = await ReadTokenFormAsync(request);
        if (failure is not null)
        {
            return failure;
        }

        failure = AuthenticateClient(request, form!, out var integration);
        if (failure is not null)
        {
            return failure;
        }

        var value = form!.Get("token");
        if (value is null)
        {
            Audit(request, false, "InvalidRequest", clientId: integration.ClientId, note: "token is required.");
            return Responses.OAuthError(400, "invalid_request", account.Id);
        }

        var revoked = 0;
        if (Jwt.TryDecode(value, out var parts) && parts.Kid == State.SigningKeyId && Jwt.VerifyRs256(State.SigningKey, parts)
            && parts.GetString("jti") is { } jti)
        {
            if (account.RefreshTokens.TryGetValue(jti, out var refresh) && refresh.ClientId == integration.ClientId)
            {
                revoked = State.RevokeOAuth2Chain(account.Id, refresh.ChainId);
            }
            else if (account.AccessTokens.TryGetValue(jti, out var access) && access.ClientId == integration.ClientId)
            {
                revoked = access.TryEnd(TokenStatus.Revoked, Now) ? 1 : 0;
            }
        }

        Audit(request, true, "Success", clientId: integration.ClientId, note: $"Revoke: {revoked} token(s) revoked.");
        return Modes.OAuth2RevokeResponse switch
        {
            RevokeResponseMode.Text200 => SimResult.Text(200, "OK"),
            RevokeResponseMode.NoContent204 => SimResult.Empty(204),
            _ => SimResult.Json(200, new Dictionary<string, object> { ["revoked"] = true }),
        };
    }
}
