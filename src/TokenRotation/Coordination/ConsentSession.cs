namespace TokenRotation.Coordination;

/// <summary>
/// A consent in progress: created by the consent link, consumed once by the callback. <see cref="Link"/> is a hash
/// that identifies the signed link it was started from: opening that link again replaces this session.
/// </summary>
public sealed record ConsentSession(
    string State,
    string Connection,
    string BrowserBinding,
    string EncryptedVerifier,
    DateTimeOffset ExpiresAt,
    string? Link = null)
{
    public override string ToString() => $"consent session for {Connection} (expires {ExpiresAt:O})";
}
