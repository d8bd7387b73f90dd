namespace TokenRotation.Connections;

public sealed class PossibleOrphan
{
    public required string TokenName { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public required string Reason { get; set; }

    /// <summary>
    /// A short id for commands (<c>nstoken orphans ack NAME ID</c>): token names can be whole sentences. Derived from
    /// the name and the time, so it needs no storage and stays the same on every read.
    /// </summary>
    public static string IdOf(PossibleOrphan orphan)
    {
        ArgumentNullException.ThrowIfNull(orphan);
        var text = $"{orphan.TokenName}\n{orphan.RecordedAt.ToUnixTimeSeconds()}";
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..8];
    }
}
