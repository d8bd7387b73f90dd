namespace TokenRotation.Connections;

/// <summary>A possible orphan a person acknowledged, with who, when and an optional note.</summary>
public sealed class AcknowledgedOrphan
{
    public required string Id { get; set; }

    public required string TokenName { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public required string Reason { get; set; }

    /// <summary>The signed-in principal (operator API) or the OS user (CLI) who acknowledged it.</summary>
    public required string AcknowledgedBy { get; set; }

    public DateTimeOffset AcknowledgedAt { get; set; }

    public string? Note { get; set; }
}
