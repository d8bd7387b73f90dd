namespace TokenRotation.Coordination;

/// <summary>
/// NLAuth logins NetSuite refused as invalid credentials, per (account, user), kept with the TOTP steps (architecture section
/// 5): five failed logins lock the user for 30 minutes, so a password that failed once is not sent again. Only a keyed
/// fingerprint of the refused password is kept, never the password; a different password re-arms the login.
/// </summary>
public interface ILoginRefusalStore
{
    /// <summary>The refusal recorded for the user, or null.</summary>
    Task<LoginRefusal?> GetRefusalAsync(string account, string email, CancellationToken cancellationToken = default);

    /// <summary>Records (replaces) the user's refusal.</summary>
    Task RecordRefusalAsync(string account, string email, LoginRefusal refusal, CancellationToken cancellationToken = default);

    /// <summary>Forgets the user's refusal (a login with another password succeeded).</summary>
    Task ClearRefusalAsync(string account, string email, CancellationToken cancellationToken = default);
}
