using System.Diagnostics.Metrics;

namespace TokenRotation.Tests.Unit;

/// <summary>Meters for the telemetry class, disposed with the world.</summary>
internal sealed class UnitMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
