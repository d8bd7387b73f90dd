using System.Diagnostics;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Stores;
using TokenRotation.Telemetry;

namespace TokenRotation.Engine;

public sealed record SweepResult(int Connections, int Due, int Accounts, int Messages);
