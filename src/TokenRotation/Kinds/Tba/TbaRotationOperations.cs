using System.Text.Json;
using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.Tba;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Kinds.Tba;

/// <summary>
/// TBA rotation through NetSuite's <c>issuetoken</c> (NLAuth + TOTP) and <c>revoketoken</c>; verification is a real
/// signed call (<c>tokeninfo</c>, plus the connection's verify URL when set) that must show the same account, role
/// and entity as the current token.
/// </summary>
internal sealed class TbaRotationOperations(
    RunEffects effects, IAccountGate gate, NetSuiteTbaClient tbaClient, TbaIdentityCheck identity, IConsumerPublisher consumers, ITotpStepStore totpSteps, NLAuthLoginGuard loginGuard,
    RotationTelemetry telemetry, IOptions<RotationOptions> rotation, IOptions<EngineOptions> engine, TimeProvider time) : IRotationOperations
{
    private DateTimeOffset Now => time.GetUtcNow();

    public string Noun => "TBA token";

    public bool IsRotationDue(RunContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var current = ctx.Doc.Credentials.Current;
        var interval = ctx.Doc.Policy.TbaRotationInterval ?? rotation.Value.TbaRotationInterval;
        return current is not null && current.IssuedAt + interval <= Now;
    }

    public async Task<NetSuiteResult<RotatedCredential>> IssueAsync(RunContext ctx, string rotationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var tba = Definition(ctx);
        var user = new NLAuthCredentials(ctx.Account, tba.User.Email, tba.User.Password, tba.User.RoleId);
        if (await loginGuard.CheckAsync(ctx, tba.User, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return NetSuiteResult<RotatedCredential>.Failure(refused);
        }

        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            string? otp = null;
            if (tba.User.TotpSecret is { Length: > 0 } totpSecret)
            {
                otp = await ReserveTotpAsync(ctx, tba.User, totpSecret, cancellationToken).ConfigureAwait(false);
                if (otp is null)
                {
                    return NetSuiteResult<RotatedCredential>.Failure(new NetSuiteError(
                        NetSuiteErrorClass.Transient, "totp_window_used",
                        "This NetSuite user's one-time code for the current 30-second window was already used; the next window is tried later.")
                    { MayHaveBeenProcessed = false });
                }
            }

            var issued = await tbaClient.IssueTokenAsync(user, tba.ConsumerKey, rotationId, otp, cancellationToken).ConfigureAwait(false);
            await RecordLoginAsync(ctx, tba.User, issued.IsSuccess, issued.Error, cancellationToken).ConfigureAwait(false);
            if (!issued.IsSuccess)
            {
                return NetSuiteResult<RotatedCredential>.Failure(issued.Error!);
            }

            return NetSuiteResult<RotatedCredential>.Success(new RotatedCredential
            {
                Id = issued.Value.TokenId,
                Secret = issued.Value.TokenSecret,
                Name = rotationId,
                IssuedAt = Now,
            });
        }
    }

    public async Task<VerifyResult> VerifyAsync(RunContext ctx, RotatedCredential pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(pending);
        var tba = Definition(ctx);
        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            var info = await identity.TokenInfoAsync(ctx.Account, tba, pending, cancellationToken).ConfigureAwait(false);
            if (!info.IsSuccess)
            {
                return VerifyResult.Failed(info.Error!);
            }

            var expectedRole = tba.ExpectedRoleId;
            var expectedEntity = tba.ExpectedEntityId;
            if ((expectedRole is null || expectedEntity is null) && ctx.Doc.Credentials.Current is { } current)
            {
                var currentInfo = await identity.TokenInfoAsync(ctx.Account, tba, current, cancellationToken).ConfigureAwait(false);
                if (currentInfo.IsSuccess)
                {
                    expectedRole ??= currentInfo.Value.RoleId;
                    expectedEntity ??= currentInfo.Value.EntityId;
                }
                else if (currentInfo.Error!.Class is NetSuiteErrorClass.Ambiguous or NetSuiteErrorClass.NeedsPerson)
                {
                    // The current token no longer answers (wiped by a sandbox refresh, or revoked): the pending one,
                    // issued to the rotation user's own login, is held to that user's role.
                    expectedRole ??= tba.User.RoleId;
                }
                else
                {
                    return VerifyResult.Failed(currentInfo.Error!);
                }
            }

            var mismatches = TbaIdentityCheck.Compare(ctx.Account, expectedRole, expectedEntity, info.Value);
            if (mismatches.Count > 0)
            {
                return VerifyResult.WrongIdentity(new TbaIdentity(info.Value, null, mismatches).Describe());
            }

            if (tba.VerifyUrl is { Length: > 0 } url)
            {
                var call = await tbaClient.VerifyAsync(Credentials(ctx, pending), new Uri(url), cancellationToken).ConfigureAwait(false);
                if (!call.IsSuccess)
                {
                    return VerifyResult.Failed(call.Error!);
                }
            }

            return VerifyResult.Ok;
        }
    }

    public Task PublishAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(current);
        var tba = Definition(ctx);
        return effects.PublishTbaAsync(ctx,
            new TbaProjection(ctx.Doc.Account, tba.ConsumerKey, tba.ConsumerSecret, current.Id, current.Secret ?? throw new InvalidDataException($"Connection {ctx.Name}: TBA token {current.Id} has no secret.")),
            cancellationToken);
    }

    public async Task<bool> IsPublishedAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(current);
        var published = await consumers.GetAsync(ctx.Session.Name, cancellationToken).ConfigureAwait(false);
        if (published is null)
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(published.Value);
            return json.RootElement.TryGetProperty("tokenId", out var id) && id.GetString() == current.Id;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async Task<NetSuiteResult<string>> RevokeAsync(RunContext ctx, RotatedCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.Secret is null)
        {
            return NetSuiteResult<string>.Failure(new NetSuiteError(NetSuiteErrorClass.Unexpected, "no_secret", $"Token {credential.Id} has no secret to sign its revocation."));
        }

        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            var creds = Credentials(ctx, credential);
            var revoked = await tbaClient.RevokeTokenAsync(creds, cancellationToken).ConfigureAwait(false);
            if (revoked.IsSuccess)
            {
                return NetSuiteResult<string>.Success($"HTTP {revoked.Value.StatusCode}");
            }

            // Never with a password NetSuite already refused: five failed logins lock the user for 30 minutes, which
            // would also stop issuetoken. The login guard below knows per user and password.
            if (revoked.Error!.Class is NetSuiteErrorClass.Ambiguous or NetSuiteErrorClass.NeedsPerson)
            {
                // A revoke signed with the token is refused as "Invalid login attempt" both when the token is already
                // revoked and when it is only blocked (integration waiting for approval, role without permission), and
                // a blocked token comes back to life once a person fixes that. The token's user may revoke it with the
                // NLAuth header (no one-time code needed), which succeeds in both cases.
                var tba = Definition(ctx);
                if (await loginGuard.CheckAsync(ctx, tba.User, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return NetSuiteResult<string>.Failure(refused);
                }

                var user = new NLAuthCredentials(ctx.Account, tba.User.Email, tba.User.Password, tba.User.RoleId);
                var byUser = await tbaClient.RevokeTokenAsync(user, tba.ConsumerKey, credential.Id, null, cancellationToken).ConfigureAwait(false);
                await RecordLoginAsync(ctx, tba.User, byUser.IsSuccess, byUser.Error, cancellationToken).ConfigureAwait(false);
                if (byUser.IsSuccess)
                {
                    return NetSuiteResult<string>.Success($"HTTP {byUser.Value.StatusCode} (revoked with the user's login)");
                }

                if (byUser.Error!.Code == "INVALID_LOGIN_CREDENTIALS")
                {
                    return NetSuiteResult<string>.Failure(byUser.Error);
                }

                if (IsNoSuchToken(byUser.Error))
                {
                    // The user's own login worked and NetSuite holds no such token of this user and application: it is
                    // already gone (wiped by a sandbox refresh, or revoked in NetSuite), so there is nothing left to
                    // revoke. Retrying would stop the rotation for ever. (NetSuite topic 3.3; the exact answer for an
                    // unknown token is UNCONFIRMED, the simulator's is USER_ERROR "Invalid token".)
                    return NetSuiteResult<string>.Success("already gone: NetSuite holds no such token of this user (a sandbox refresh or an earlier revoke)");
                }
            }

            return NetSuiteResult<string>.Failure(revoked.Error!);
        }
    }

    private static bool IsNoSuchToken(NetSuiteError error) =>
        string.Equals(error.Code, "USER_ERROR", StringComparison.OrdinalIgnoreCase)
        && error.Message.Contains("Invalid token", StringComparison.OrdinalIgnoreCase);

    /// <summary>Keeps the login guard up to date with NetSuite's answer to an NLAuth login.</summary>
    private async Task RecordLoginAsync(RunContext ctx, RotationUser user, bool accepted, NetSuiteError? error, CancellationToken cancellationToken)
    {
        if (accepted)
        {
            await loginGuard.RecordAcceptedAsync(ctx, user, cancellationToken).ConfigureAwait(false);
        }
        else if (NLAuthLoginGuard.IsBadCredential(error))
        {
            await loginGuard.RecordRefusedAsync(ctx, user, cancellationToken).ConfigureAwait(false);
            telemetry.Failed(ctx.Name, ctx.Kind, "nlauth login", error!.Class.ToString(), error.Code,
                $"NetSuite refused the NLAuth login of user {user.Email}; that password is not sent again", 1);
        }
    }

    private static TbaDefinition Definition(RunContext ctx) =>
        ctx.Doc.Tba ?? throw new InvalidDataException($"Connection {ctx.Name} is {ctx.Doc.Kind} but has no tba section.");

    private static TbaCredentials Credentials(RunContext ctx, RotatedCredential token)
    {
        var tba = Definition(ctx);
        return new TbaCredentials(ctx.Account, tba.ConsumerKey, tba.ConsumerSecret, token.Id, token.Secret ?? "");
    }

    /// <summary>
    /// A TOTP code is single-use per (user, 30-second window): reserve the window's step in storage first. If it is
    /// taken, wait for the next window when that is soon enough, else give up for this run.
    /// </summary>
    private async Task<string?> ReserveTotpAsync(RunContext ctx, RotationUser user, string totpSecret, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = Now;
            var step = Totp.GetTimeStep(now);
            if (await totpSteps.TryReserveAsync(ctx.Doc.Account, user.Email, step, cancellationToken).ConfigureAwait(false))
            {
                return Totp.Compute(totpSecret, now);
            }

            var wait = Totp.TimeUntilNextStep(now) + TimeSpan.FromMilliseconds(50);
            if (wait > engine.Value.MaxInlineWait)
            {
                return null;
            }

            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }
}
