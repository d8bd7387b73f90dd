namespace NetSuite.Simulator;

/// <summary>
/// System time plus an offset that the admin API can move forward (<c>POST /_admin/clock/advance</c>), so the
/// demo and the out-of-process benchmark can make tokens expire without waiting. Tests use FakeTimeProvider.
/// </summary>
public sealed class AdjustableTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
