namespace TokenRotation.Connections;

public sealed class RotationUser
{
    public required string Email { get; set; }

    public required string Password { get; set; }

    /// <summary>Base32 TOTP secret shown at 2FA set-up; null when the role does not require 2FA.</summary>
    public string? TotpSecret { get; set; }

    public required string RoleId { get; set; }

    /// <summary>
    /// Keyed fingerprint (never the password) of a password NetSuite refused for this user's NLAuth login; it is not
    /// sent again while it is the password here. Kept on the connection as well as per user in storage, so that a
    /// local store without shared storage remembers it too.
    /// </summary>
    public string? RefusedPasswordFingerprint { get; set; }

    public override string ToString() => $"{Email} (role {RoleId})";
}
