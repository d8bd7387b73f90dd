namespace TokenRotation.Coordination;

/// <summary>A refused NLAuth login: the keyed fingerprint of the password, when, and which connection saw it.</summary>
public sealed record LoginRefusal(string PasswordFingerprint, DateTimeOffset At, string Connection);
