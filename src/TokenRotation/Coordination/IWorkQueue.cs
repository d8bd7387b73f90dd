namespace TokenRotation.Coordination;

public interface IWorkQueue
{
    Task EnqueueAsync(AccountWorkItem item, CancellationToken cancellationToken = default);
}
