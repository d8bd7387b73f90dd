namespace TokenRotation.Coordination;

/// <summary>
/// A work message the queue gave up on (the Functions host moved it to the poison queue after its last retry), with
/// the reason its last attempt failed. The status page and <c>GET /api/connections</c> show these.
/// </summary>
public sealed record PoisonedWork(
    string MessageKey,
    string? Account,
    IReadOnlyList<string> Connections,
    DateTimeOffset? EnqueuedAt,
    DateTimeOffset PoisonedAt,
    string Reason);
