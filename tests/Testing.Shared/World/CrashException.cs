namespace Testing.Shared;

/// <summary>The run "dies" here: thrown by <see cref="SideEffects"/> right after a side effect happened, before its result is used.</summary>
public sealed class CrashException(string effect) : Exception($"Injected crash after {effect}");
