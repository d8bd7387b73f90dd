using NetSuite.Simulator.Protocol;

namespace NetSuite.Simulator.Http;

internal sealed partial class SimulatorApp
{
    private const string InvalidCredentialsMessage = "You have entered an invalid email address or password. Please try again.";

    private readonly record struct LoginOutcome(SimUser? User, SimRole? Role, SimResult? Failure);

    /// <summary>
    /// <c>GET {RESTlets}/rest/issuetoken?consumerKey=..&amp;name=..</c> with NLAuth (password, and a TOTP
    /// code when the role requires two-factor authentication). Reference 3.
    /// </summary>
    private ValueTask<SimResult> IssueTokenAsync(SimRequest request)
    {
        var account = request.Account;
        if (!NlAuthCredentials.TryParse(request.Http.Request.Headers.Authorization.ToString(), out var credentials))
        {
            Audit(request, false, "InvalidNLAuthHeader");
            return ValueTask.FromResult(Responses.RestletInvalidLogin());
        }

        var consumerKey = request.Query("consumerKey");
        if (string.IsNullOrEmpty(consumerKey) || request.QueryRepeated("name"))
        {
            Audit(request, false, "MissingRequiredParameter", note: "consumerKey is required.");
            return ValueTask.FromResult(Responses.RestletError(400, "USER_ERROR", "The consumerKey parameter is required."));
        }

        if (!account.IntegrationsByClientId.TryGetValue(consumerKey, out var integration))
        {
            Audit(request, false, "consumer_key_unknown");
            return ValueTask.FromResult(Responses.RestletInvalidLogin());
        }

        if (integration.State == IntegrationState.Blocked)
        {
            Audit(request, false, "consumer_key_refused", clientId: integration.ClientId);
            return ValueTask.FromResult(Responses.RestletInvalidLogin());
        }

        if (!integration.TokenBasedAuthentication || !integration.TbaIssueTokenEndpoint)
        {
            Audit(request, false, "FeatureDisabled", clientId: integration.ClientId,
                note: "Token-based Authentication and 'TBA: IssueToken Endpoint' must both be checked on the integration record.");
            return ValueTask.FromResult(Responses.RestletInvalidLogin());
        }

        if (integration.State == IntegrationState.WaitingForApproval && integration.Installed)
        {
            Audit(request, false, "WaitingForApproval", clientId: integration.ClientId);
            return ValueTask.FromResult(WaitingResult(ResourceFamily.Restlet, account.Id, bearer: false));
        }

        var login = LoginNlAuth(request, credentials, requireOtp: true);
        if (login.Failure is not null)
        {
            return ValueTask.FromResult(login.Failure);
        }

        var user = login.User!;
        var role = login.Role!;
        if (!role.Has(RolePermissions.UserAccessTokens))
        {
            Audit(request, false, "permission_denied", user, role.Id, integration.ClientId, note: "The role lacks the 'User Access Tokens' permission.");
            return ValueTask.FromResult(Responses.RestletError(403, "INSUFFICIENT_PERMISSION", "The role does not have permission to create access tokens."));
        }

        AutoInstall(request, integration);
        var token = State.CreateTbaToken(account, integration, user, role.Id, request.Query("name"));
        request.Track(token);
        Audit(request, true, "Success", user, role.Id, integration.ClientId, token.TokenId, note: "Token issued.");

        var body = new Dictionary<string, object>
        {
            ["tokenId"] = token.TokenId,
            ["tokenSecret"] = token.TokenSecret,
        };
        if (Modes.IssueTokenExtraFields)
        {
            body["tokenName"] = token.Name;
            body["consumerKey"] = integration.ConsumerKey;
            body["entityId"] = user.EntityId;
            body["roleId"] = role.Id;
            body["companyId"] = account.Id;
        }

        return ValueTask.FromResult(SimResult.Json(200, body).WithHeader("Cache-Control", "no-store"));
    }

    /// <summary>
    /// <c>GET {RESTlets}/rest/revoketoken?consumerKey=..&amp;token=..</c> with NLAuth or an OAuth 1.0a signature
    /// (NetSuite topic 3.1). Users revoke only their own tokens. The answer's form is a mode (UNCONFIRMED).
    /// </summary>
    private async ValueTask<SimResult> RevokeTokenAsync(SimRequest request)
    {
        var account = request.Account;
        var consumerKey = request.Query("consumerKey");
        var tokenId = request.Query("token");
        if (string.IsNullOrEmpty(consumerKey) || string.IsNullOrEmpty(tokenId))
        {
            Audit(request, false, "MissingRequiredParameter", note: "consumerKey and token are required.");
            return Responses.RestletError(400, "USER_ERROR", "The consumerKey and token parameters are required.");
        }

        var header = request.Http.Request.Headers.Authorization.ToString();
        SimUser user;
        if (NlAuthCredentials.TryParse(header, out var credentials))
        {
            if (!account.IntegrationsByClientId.TryGetValue(consumerKey, out _))
            {
                Audit(request, false, "consumer_key_unknown");
                return Responses.RestletInvalidLogin();
            }

            var login = LoginNlAuth(request, credentials, requireOtp: false);
            if (login.Failure is not null)
            {
                return login.Failure;
            }

            user = login.User!;
        }
        else if (header.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase))
        {
            var outcome = await VerifyTbaAsync(request, header);
            if (outcome.Failure is not null)
            {
                return outcome.Failure;
            }

            user = outcome.Principal!.User;
        }
        else
        {
            Audit(request, false, "MissingAuthorization");
            return Responses.RestletInvalidLogin();
        }

        if (!account.TbaTokens.TryGetValue(tokenId, out var token) || token.ConsumerKey != consumerKey || token.EntityId != user.EntityId
            || token.Status == TokenStatus.Wiped)
        {
            Audit(request, false, "TokenRejected", user, clientId: consumerKey, note: "No such token of this user and application.");
            return Responses.RestletError(400, "USER_ERROR", "Invalid token.");
        }

        var revokedNow = token.TryEnd(TokenStatus.Revoked, Now);
        Audit(request, true, "Success", user, token.RoleId, consumerKey, token.TokenId, revokedNow ? "Token revoked." : "Token was already revoked.");
        const string message = "Token was successfully revoked.";
        return Modes.TbaRevokeResponse switch
        {
            RevokeResponseMode.Text200 => SimResult.Text(200, message),
            RevokeResponseMode.NoContent204 => SimResult.Empty(204),
            _ => SimResult.Json(200, new Dictionary<string, string> { ["message"] = message }),
        };
    }

    /// <summary>
    /// An NLAuth login: account, e-mail, password (five failures lock the user for 30 minutes), expiry,
    /// role, and for issuetoken a single-use TOTP code when the role requires two-factor authentication.
    /// </summary>
    private LoginOutcome LoginNlAuth(SimRequest request, NlAuthCredentials credentials, bool requireOtp)
    {
        var account = request.Account;
        var now = Now;
        LoginOutcome Invalid(string detail, SimUser? user = null, int? role = null, string? note = null)
        {
            Audit(request, false, detail, user, role, note: note);
            return new LoginOutcome(null, null, Responses.RestletError(401, "INVALID_LOGIN_CREDENTIALS", InvalidCredentialsMessage));
        }

        if (AccountIds.ToRealm(credentials.Account) != account.Id)
        {
            return Invalid("InvalidAccount", note: "nlauth_account names another account than the URL.");
        }

        if (!account.UsersByEmail.TryGetValue(credentials.Email, out var user))
        {
            return Invalid("InvalidEmail");
        }

        lock (user.Gate)
        {
            LoginOutcome Failure(string detail, int? role = null, string? note = null)
            {
                user.FailedLoginCount++;
                if (user.FailedLoginCount >= 5)
                {
                    user.LockedUntil = now.AddMinutes(30);
                    user.FailedLoginCount = 0;
                    note = (note is null ? "" : note + " ") + "Five failed logins: the user is locked for 30 minutes.";
                }

                return Invalid(detail, user, role, note);
            }

            if (user.LockedUntil is { } until)
            {
                if (until > now)
                {
                    return Invalid("temporary_locked", user, note: "The user is locked after five failed logins.");
                }

                user.LockedUntil = null;
            }

            if (!user.Active)
            {
                return Invalid("EntityOrRoleDisabled", user);
            }

            if (!SecretsEqual(user.Password, credentials.Password))
            {
                return Failure("InvalidPassword");
            }

            if (user.PasswordExpiresAt is { } expires && expires <= now)
            {
                return Invalid("PasswordExpired", user, note: "The password has expired; the user must set a new one in the UI.");
            }

            var roleId = credentials.Role ?? user.FirstRoleId;
            if (!user.HasRole(roleId) || !account.RolesById.TryGetValue(roleId, out var role))
            {
                return Invalid("InvalidRole", user, roleId, "The user does not have that role.");
            }

            if (requireOtp && role.TwoFactorRequired)
            {
                if (string.IsNullOrEmpty(credentials.Otp))
                {
                    Audit(request, false, "TwoFactorRequired", user, roleId);
                    return new LoginOutcome(null, null, Responses.RestletError(401, "TWO_FA_REQD", "Two-factor authentication is required."));
                }

                if (user.TotpSecret is null)
                {
                    return Failure("InvalidOtp", roleId, "The user has no authenticator app set up.");
                }

                var step = Totp.MatchStep(user.TotpSecret, credentials.Otp, now, Modes.TotpWindowSteps);
                if (step is null)
                {
                    return Failure("InvalidOtp", roleId);
                }

                if (user.LastTotpStep is { } last && step <= last)
                {
                    return Failure("OtpAlreadyUsed", roleId, "Each code is usable once; wait for the next 30-second window.");
                }

                user.LastTotpStep = step;
            }

            user.FailedLoginCount = 0;
            return new LoginOutcome(user, role, null);
        }
    }

    /// <summary>The first token grant or issuetoken installs the record; with approval required it waits (NetSuite topic 1.3, 3.3).</summary>
    private void AutoInstall(SimRequest request, SimIntegration integration)
    {
        if (integration.Installed)
        {
            return;
        }

        integration.Installed = true;
        if (integration.RequireApprovalOnAutoInstall ?? request.Account.RequireApprovalOnAutoInstall)
        {
            integration.State = IntegrationState.WaitingForApproval;
            Audit(request, true, "AutoInstalledWaitingForApproval", clientId: integration.ClientId);
        }
        else
        {
            Audit(request, true, "AutoInstalled", clientId: integration.ClientId);
        }
    }
}
