using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>A fenced write found the stored state was not what this holder expected; the work stopped.</summary>
internal sealed class FencingException(ConnectionName name, long expected, long? found, string reason, Exception? inner = null)
    : Exception($"Connection {name}: expected generation {expected} but found {(found?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none")} ({reason}); the work stopped without writing.", inner)
{
    public ConnectionName Connection { get; } = name;
}
