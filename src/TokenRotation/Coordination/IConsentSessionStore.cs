namespace TokenRotation.Coordination;

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
