namespace TokenRotation.Coordination;

public sealed class LeaseLostException(string key)
    : Exception($"The lease {key} was lost; the work stopped before its next write.")
{
    public string Key { get; } = key;
}
