namespace TokenRotation.Stores;

/// <summary>
/// A single-use token the state vault refused, sealed (never plaintext) and kept in the app's storage until the next
/// run for the connection replays it into the state document (architecture section 4). <see cref="RefreshStartedAt"/> is the
/// intent marker of the refresh that produced it: the entry applies only while the state document still carries it.
/// </summary>
public sealed record TokenJournalEntry(string Connection, DateTimeOffset RefreshStartedAt, string Sealed, DateTimeOffset WrittenAt, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"journal entry for {Connection} (refresh started {RefreshStartedAt:O}, expires {ExpiresAt:O})";
}
