namespace TokenRotation.Configuration;

/// <summary>
/// Names of the app settings that hold the timer schedules (NCRONTAB, UTC). Timer triggers read them as
/// <c>%Name%</c> binding expressions, which cannot carry defaults, so the values live in
/// <c>local.settings.sample.json</c> and <c>infra/</c>.
/// </summary>
public static class Schedules
{
    /// <summary>OAuth 2.0 refreshes and client-credentials minting; default every 5 minutes.</summary>
    public const string RefreshOAuth2TokensSetting = "RefreshOAuth2TokensSchedule";

    /// <summary>Daily sweep that starts TBA and certificate rotations.</summary>
    public const string RotateTbaTokensSetting = "RotateTbaTokensSchedule";

    public const string RefreshOAuth2TokensDefault = "0 */5 * * * *";
    public const string RotateTbaTokensDefault = "0 30 3 * * *";
}
