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
