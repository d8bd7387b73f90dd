namespace TokenRotation.Coordination;

/// <summary>
/// The last TOTP step used per (account, user): a code is single-use per 30-second window, so a step is
/// reserved by a conditional (ETag) update and never reused.
/// </summary>
public interface ITotpStepStore
{
    /// <summary>Reserves <paramref name="totpStep"/>; false when it (or a later step) was already used.</summary>
    Task<bool> TryReserveAsync(string account, string email, long totpStep, CancellationToken cancellationToken = default);
}
