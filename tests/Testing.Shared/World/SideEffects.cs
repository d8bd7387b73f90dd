using System.Collections.Concurrent;

namespace Testing.Shared;

/// <summary>
/// The side-effect recorder of a test world (<see cref="TestWorldBuilder.RecordSideEffects"/>): what the engine sent to
/// NetSuite and wrote to the Key Vaults and the index, in order, and a crash seam that fails the run once right after
/// the chosen effect.
/// </summary>
public sealed class SideEffects
{
    private readonly ConcurrentQueue<string> _log = new();
    private int _count;

    /// <summary>1-based index of the effect after which to crash; 0 for none.</summary>
    public int CrashAfter { get; set; }

    public IReadOnlyList<string> Log => _log.ToArray();

    public int Count => Volatile.Read(ref _count);

    public void Happened(string effect)
    {
        _log.Enqueue(effect);
        var n = Interlocked.Increment(ref _count);
        if (n == CrashAfter)
        {
            CrashAfter = 0;
            throw new CrashException($"#{n} {effect}");
        }
    }

    public void Reset()
    {
        _log.Clear();
        Interlocked.Exchange(ref _count, 0);
        CrashAfter = 0;
    }
}
