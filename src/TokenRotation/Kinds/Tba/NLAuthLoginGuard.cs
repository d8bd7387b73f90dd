using System.Security.Cryptography;
using System.Text;
using NetSuite.Auth;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Kinds.Tba;

/// <summary>
/// Never sends a password NetSuite refused as invalid credentials again (architecture section 5): five failed NLAuth logins
/// lock the user for 30 minutes, and that stops issuetoken for every connection of the user. A refusal is kept per
/// (account, user) as an HMAC of the password and TOTP secret under a key derived from the service's verifier-encryption
/// key; a different password or TOTP secret (a credential update) re-arms the login by itself.
/// </summary>
internal sealed class NLAuthLoginGuard(IServiceKeyStore keys, ILoginRefusalStore refusals, TimeProvider time)
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("nstoken nlauth refusal v1");

    /// <summary>Null when a login may be tried; otherwise the NeedsPerson error that says why not and what to do.</summary>
    public async Task<NetSuiteError?> CheckAsync(RunContext ctx, RotationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(user);
        var refusal = await refusals.GetRefusalAsync(ctx.Doc.Account, user.Email, cancellationToken).ConfigureAwait(false);
        if (user.RefusedPasswordFingerprint is { } own && (refusal is null || refusal.PasswordFingerprint != own))
        {
            refusal = new LoginRefusal(own, ctx.Doc.LastError?.At ?? time.GetUtcNow(), ctx.Name);
        }

        if (refusal is null)
        {
            return null;
        }

        var ring = await keys.GetAsync(ServiceKeyNames.VerifierEncryption, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fingerprints = ring.Keys.Select(k => Fingerprint(k, ctx.Doc.Account, user)).ToList();
        bool Matches(string? recorded) => recorded is not null && fingerprints.Any(f =>
            CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(f), Encoding.ASCII.GetBytes(recorded)));
        if (!Matches(refusal.PasswordFingerprint) && !Matches(user.RefusedPasswordFingerprint))
        {
            return null;
        }

        return new NetSuiteError(
            NetSuiteErrorClass.NeedsPerson,
            "INVALID_LOGIN_CREDENTIALS",
            $"NetSuite refused the NLAuth login of user {user.Email} on account {ctx.Doc.Account} as invalid credentials at {refusal.At:u} " +
            $"(seen by connection {refusal.Connection}); that password is not sent again, because five failed logins lock the user for 30 minutes " +
            "and stop issuetoken for every connection of that user. Check the user's password, role and 2FA in NetSuite, then give this " +
            "connection the new password or TOTP secret: the login is tried again once either differs.")
        {
            MayHaveBeenProcessed = false,
        };
    }

    /// <summary>Records that NetSuite refused this user's current password.</summary>
    public async Task RecordRefusedAsync(RunContext ctx, RotationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(user);
        var ring = await keys.GetAsync(ServiceKeyNames.VerifierEncryption, cancellationToken: cancellationToken).ConfigureAwait(false);
        var fingerprint = Fingerprint(ring.Current, ctx.Doc.Account, user);

        // On the connection (saved with the run's next write) and on the user (for every connection that shares it).
        user.RefusedPasswordFingerprint = fingerprint;
        await refusals.RecordRefusalAsync(ctx.Doc.Account, user.Email, new LoginRefusal(fingerprint, time.GetUtcNow(), ctx.Name), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After a login that NetSuite accepted: a refusal of an older password no longer matters.</summary>
    public async Task RecordAcceptedAsync(RunContext ctx, RotationUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(user);
        user.RefusedPasswordFingerprint = null;
        if (await refusals.GetRefusalAsync(ctx.Doc.Account, user.Email, cancellationToken).ConfigureAwait(false) is not null)
        {
            await refusals.ClearRefusalAsync(ctx.Doc.Account, user.Email, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True for the answer that means the password (or e-mail, or account) was wrong.</summary>
    public static bool IsBadCredential(NetSuiteError? error) =>
        error is not null && string.Equals(error.Code, "INVALID_LOGIN_CREDENTIALS", StringComparison.OrdinalIgnoreCase);

    private static string Fingerprint(ServiceKey key, string account, RotationUser user)
    {
        var subkey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Material.ToArray(), 32, salt: [], info: Label);
        // The TOTP secret too: NetSuite refuses a wrong code as invalid credentials, so a re-enrolled authenticator's new
        // secret (a credential update) must re-arm the login as a new password does.
        var data = Encoding.UTF8.GetBytes($"{CoordinationKeys.AccountRealm(account)}\n{user.Email.ToLowerInvariant()}\n{user.Password}\n{user.TotpSecret}");
        var mac = HMACSHA256.HashData(subkey, data);
        CryptographicOperations.ZeroMemory(data);
        return Convert.ToHexStringLower(mac);
    }
}
