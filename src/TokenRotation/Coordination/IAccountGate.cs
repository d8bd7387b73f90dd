namespace TokenRotation.Coordination;

/// <summary>
/// At most k concurrent NetSuite call sequences per account, across every path and instance: k lease slots
/// per account (architecture section 5).
/// </summary>
public interface IAccountGate
{
    /// <summary>Waits for a free slot for the account; dispose the result to free it.</summary>
    Task<IAsyncDisposable> EnterAsync(string account, CancellationToken cancellationToken = default);
}
