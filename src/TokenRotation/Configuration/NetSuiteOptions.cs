using System.ComponentModel.DataAnnotations;

namespace TokenRotation.Configuration;

/// <summary>
/// NetSuite endpoint templates, bound from the <c>NetSuite</c> section. <c>{account}</c> is replaced by the
/// account's host label (<c>1234567-sb1</c>). Override only for the simulator or a data-center URL.
/// </summary>
public sealed class NetSuiteOptions
{
    public const string SectionName = "NetSuite";

    [Required]
    public string SuiteTalkUrlTemplate { get; set; } = "https://{account}.suitetalk.api.netsuite.com";

    [Required]
    public string RestletsUrlTemplate { get; set; } = "https://{account}.restlets.api.netsuite.com";

    [Required]
    public string AppUrlTemplate { get; set; } = "https://{account}.app.netsuite.com";

    /// <summary>The authorize page of a connection imported without an account (NetSuite's generic one by default).</summary>
    [Required]
    public string GenericAuthorizeUrl { get; set; } = "https://system.netsuite.com/app/login/oauth2/authorize.nl";

    /// <summary>NetSuite's data-center discovery, which gives the domains of the account a generic consent chose.</summary>
    [Required]
    public string DataCenterUrlsUrl { get; set; } = "https://rest.netsuite.com/rest/datacenterurls";
}
