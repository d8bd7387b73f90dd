using System.Text.Json.Serialization;

namespace TokenRotation.Cli.Output;

/// <summary>
/// <c>doctor</c>'s record of the credential's checks (architecture section 13): when it last worked, what proved it, when it
/// was last checked and when the next scheduled check is due. Times only; never a secret.
/// </summary>
public sealed record DoctorCredentialJson(
    [property: JsonPropertyName("lastWorkedAt")] DateTimeOffset? LastWorkedAt,
    [property: JsonPropertyName("lastWorkedBy")] string? LastWorkedBy,
    [property: JsonPropertyName("lastCheckedAt")] DateTimeOffset? LastCheckedAt,
    [property: JsonPropertyName("nextCheckAt")] DateTimeOffset? NextCheckAt);
