namespace TokenRotation.Coordination;

/// <summary>One message per account with due connections (Storage Queue in Azure).</summary>
public sealed record AccountWorkItem(string Account, IReadOnlyList<string> Connections, DateTimeOffset EnqueuedAt, bool StartRotations);
