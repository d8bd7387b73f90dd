namespace TokenRotation.Coordination;

/// <summary>A held lease, renewed in the background with margin until disposed.</summary>
public interface ILease : IAsyncDisposable
{
    string Key { get; }

    /// <summary>Cancelled when a renewal failed: the holder must not write again.</summary>
    CancellationToken Lost { get; }

    /// <summary>Throws <see cref="LeaseLostException"/> if the lease is lost or could have expired.</summary>
    void EnsureHeld();
}
