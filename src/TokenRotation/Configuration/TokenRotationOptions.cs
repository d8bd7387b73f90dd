using System.ComponentModel.DataAnnotations;

namespace TokenRotation.Configuration;

/// <summary>Global settings of the service, bound from the <c>TokenRotation</c> configuration section.</summary>
public sealed class TokenRotationOptions
{
    public const string SectionName = "TokenRotation";

    /// <summary>Name of this deployment, shown on the status page.</summary>
    [Required]
    [RegularExpression("^[0-9A-Za-z-]{1,63}$", ErrorMessage = "TokenRotation:ServiceName must be 1-63 letters, digits or '-'.")]
    public string ServiceName { get; set; } = "nstoken";

    /// <summary>
    /// Public base URL of the Functions app (for example <c>https://func-abc.azurewebsites.net</c>).
    /// Consent links and the OAuth 2.0 redirect URI (<c>{PublicBaseUrl}/api/oauth/callback</c>) are made from it.
    /// </summary>
    [Required(ErrorMessage = "TokenRotation:PublicBaseUrl is required: the app's public https URL, used for consent links and the OAuth callback.")]
    [Url(ErrorMessage = "TokenRotation:PublicBaseUrl must be an absolute URL.")]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>How many NetSuite calls may run at once per NetSuite account, across every instance and path.</summary>
    [Range(1, 20, ErrorMessage = "TokenRotation:AccountConcurrency must be between 1 and 20.")]
    public int AccountConcurrency { get; set; } = 1;
}
