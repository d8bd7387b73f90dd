namespace TokenRotation.Stores;

/// <summary>A consumer secret as read back: its value and expiry.</summary>
public sealed record ConsumerProjection(string Value, DateTimeOffset? ExpiresOn, IReadOnlyDictionary<string, string> Tags)
{
    public override string ToString() => $"consumer projection (expires {ExpiresOn:O})";
}
