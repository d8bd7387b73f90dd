using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenRotation.Connections;

public sealed class PossibleOrphan
{
    public required string TokenName { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public required string Reason { get; set; }
}
