using TokenRotation.Connections;

namespace TokenRotation.Stores;

/// <summary>
/// A conditional write of a connection's index row found the row changed since this holder read it (another holder
/// wrote it, architecture section 13): nothing was written to the row; the holder stops.
/// </summary>
public sealed class IndexRowConflictException(ConnectionName name, Exception? inner = null)
    : Exception($"Connection {name}: its index row was changed by another holder since this one read it; the row was not written.", inner)
{
    public ConnectionName Connection { get; } = name;
}
