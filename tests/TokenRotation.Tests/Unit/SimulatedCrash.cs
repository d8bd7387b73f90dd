namespace TokenRotation.Tests.Unit;

/// <summary>Thrown by a unit-layer fake right after its side effect: the run dies there, as a process would.</summary>
internal sealed class SimulatedCrash(string after) : Exception($"simulated crash after {after}");
