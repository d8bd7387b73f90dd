namespace TokenRotation.Connections;

public sealed class LastError
{
    public required string Class { get; set; }

    public required string Code { get; set; }

    public required string Message { get; set; }

    public DateTimeOffset At { get; set; }

    public int Attempts { get; set; }

    /// <summary>When the failed work is tried again; null when only a person can move it on.</summary>
    public DateTimeOffset? RetryAt { get; set; }
}
