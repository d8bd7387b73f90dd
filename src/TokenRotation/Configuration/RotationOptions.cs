using System.ComponentModel.DataAnnotations;

namespace TokenRotation.Configuration;

/// <summary>Defaults of the rotation policy, bound from the <c>Rotation</c> section. A connection may override each.</summary>
public sealed class RotationOptions
{
    public const string SectionName = "Rotation";

    /// <summary>Refresh or mint an access token when it is this close to its <c>exp</c>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "00:59:00", ErrorMessage = "Rotation:AccessTokenLeadTime must be between 00:01:00 and 00:59:00.")]
    public TimeSpan AccessTokenLeadTime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Flag NeedsPerson this long before a refresh token (or a public client's chain) ends.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00", ErrorMessage = "Rotation:ConsentWarningLeadTime must be between 01:00:00 and 30.00:00:00.")]
    public TimeSpan ConsentWarningLeadTime { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Rotate a TBA token this long after it was issued.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Rotation:TbaRotationInterval must be between 1 day and 3650 days.")]
    public TimeSpan TbaRotationInterval { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long the previous credential stays valid after promotion; must cover the consumers' caches.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00", ErrorMessage = "Rotation:GracePeriod must be between 00:05:00 and 30.00:00:00.")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Give up verifying a pending credential after this long: revoke it and ask a person.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00", ErrorMessage = "Rotation:VerifyTimeout must be between 00:05:00 and 7.00:00:00.")]
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Check every credential at least this often (architecture section 13, "Scheduled checks"): a TBA token with a signed
    /// tokeninfo call; an access-token refresh or mint that ran within the interval is the check of its connection and
    /// costs nothing more. A check that changes nothing writes only the connection's index row, never Key Vault.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "30.00:00:00", ErrorMessage = "Rotation:CredentialCheckInterval must be between 01:00:00 and 30.00:00:00.")]
    public TimeSpan CredentialCheckInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Rotate a client-credentials certificate this long before it expires.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00", ErrorMessage = "Rotation:CertificateRenewBefore must be between 1 day and 365 days.")]
    public TimeSpan CertificateRenewBefore { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Lifetime of a signed consent link.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00", ErrorMessage = "Rotation:ConsentLinkLifetime must be between 00:10:00 and 30.00:00:00.")]
    public TimeSpan ConsentLinkLifetime { get; set; } = TimeSpan.FromHours(72);
}
