namespace TokenRotation.Coordination;

/// <summary>
/// Finite, renewed leases: one writer per connection across all instances (architecture section 5). The blob
/// implementation uses Azure Storage blob leases; the in-memory one runs on a <see cref="TimeProvider"/>.
/// </summary>
public interface ILeaseProvider
{
    /// <summary>Tries to take the lease named <paramref name="key"/>; null when another holder has it.</summary>
    Task<ILease?> TryAcquireAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>A held lease, renewed in the background with margin until disposed.</summary>
public interface ILease : IAsyncDisposable
{
    string Key { get; }

    /// <summary>Cancelled when a renewal failed: the holder must not write again.</summary>
    CancellationToken Lost { get; }

    /// <summary>Throws <see cref="LeaseLostException"/> if the lease is lost or could have expired.</summary>
    void EnsureHeld();
}

public sealed class LeaseLostException(string key)
    : Exception($"The lease {key} was lost; the work stopped before its next write.")
{
    public string Key { get; } = key;
}

/// <summary>
/// At most k concurrent NetSuite call sequences per account, across every path and instance: k lease slots
/// per account (architecture section 5).
/// </summary>
public interface IAccountGate
{
    /// <summary>Waits for a free slot for the account; dispose the result to free it.</summary>
    Task<IAsyncDisposable> EnterAsync(string account, CancellationToken cancellationToken = default);
}

/// <summary>
/// The last TOTP step used per (account, user): a code is single-use per 30-second window, so a step is
/// reserved by a conditional (ETag) update and never reused.
/// </summary>
public interface ITotpStepStore
{
    /// <summary>Reserves <paramref name="step"/>; false when it (or a later step) was already used.</summary>
    Task<bool> TryReserveAsync(string account, string email, long step, CancellationToken cancellationToken = default);
}

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

/// <summary>A refused NLAuth login: the keyed fingerprint of the password, when, and which connection saw it.</summary>
public sealed record LoginRefusal(string PasswordFingerprint, DateTimeOffset At, string Connection);

/// <summary>
/// A consent in progress: created by the consent link, consumed once by the callback. <see cref="Link"/> is a hash
/// that identifies the signed link it was started from: opening that link again replaces this session.
/// </summary>
public sealed record ConsentSession(
    string State,
    string Connection,
    string BrowserBinding,
    string EncryptedVerifier,
    DateTimeOffset ExpiresAt,
    string? Link = null)
{
    public override string ToString() => $"consent session for {Connection} (expires {ExpiresAt:O})";
}

/// <summary>Consent sessions (Table storage in Azure): single use by conditional write.</summary>
public interface IConsentSessionStore
{
    /// <summary>
    /// Stores a new session. When it names a <see cref="ConsentSession.Link"/>, the session previously started from
    /// that link is deleted, so a link holds at most one session however often it is opened (the latest opener wins).
    /// </summary>
    Task CreateAsync(ConsentSession session, CancellationToken cancellationToken = default);

    /// <summary>Reads a session without using it up; null when unknown or already used.</summary>
    Task<ConsentSession?> GetAsync(string state, CancellationToken cancellationToken = default);

    /// <summary>Marks the session used and returns it; null when unknown or already used.</summary>
    Task<ConsentSession?> TryConsumeAsync(string state, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the sessions, used or not, that expired before <paramref name="expiredBefore"/>; returns how many. The
    /// daily timer calls it with a cutoff well in the past, so a person who opens an expired link soon after it
    /// expired is still told that it expired.
    /// </summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken = default);
}

/// <summary>One message per account with due connections (Storage Queue in Azure).</summary>
public sealed record AccountWorkItem(string Account, IReadOnlyList<string> Connections, DateTimeOffset EnqueuedAt, bool StartRotations);

public interface IWorkQueue
{
    Task EnqueueAsync(AccountWorkItem item, CancellationToken cancellationToken = default);
}
