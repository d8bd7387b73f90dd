namespace Testing.Shared;

/// <summary>
/// Engine settings for a world whose clock is fake: retries without real waiting, so the engine's own backoff (the next
/// action times it schedules) is what spaces attempts out. Used by the engine harness and the chaos soak.
/// </summary>
public static class FakeClockEngineSettings
{
    public static IReadOnlyDictionary<string, string?> Values { get; } = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["NetSuite:Resilience:BaseDelay"] = "00:00:00",
        ["NetSuite:Resilience:MaxDelay"] = "00:00:00",
        ["NetSuite:Resilience:MaxRetryAfter"] = "00:00:00",
        ["NetSuite:Resilience:MaxRetryAttempts"] = "2",
        ["Engine:MaxInlineWait"] = "00:00:00",
        ["Engine:BaseRetryDelay"] = "00:01:00",
    };
}
