namespace TokenRotation.Connections;

public sealed class RotationProgress
{
    public required string RotationId { get; set; }

    public RotationStep Step { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? VerifyFailingSince { get; set; }

    /// <summary>True once an issue request for <see cref="RotationId"/> has been sent (it may have been processed).</summary>
    public bool IssueSent { get; set; }
}
