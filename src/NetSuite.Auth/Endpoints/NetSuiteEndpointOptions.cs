namespace NetSuite.Auth;

/// <summary>
/// Base-URL templates for NetSuite's hosts. Each template holds an <c>{account}</c> placeholder that is replaced
/// by the account's host label (e.g. <c>1234567-sb1</c>); the NetSuite path is appended unchanged.
/// </summary>
/// <remarks>
/// Production defaults follow the host naming rule; Oracle advises discovering the domains with
/// <c>datacenterurls</c> instead (see <see cref="NetSuiteDataCenterClient"/>). A simulator serving every account on
/// one loopback port uses templates such as <c>http://127.0.0.1:5000/{account}/suitetalk</c>.
/// Plain <c>http</c> is accepted only for loopback hosts.
/// </remarks>
public sealed class NetSuiteEndpointOptions
{
    /// <summary>The configuration section these options are usually bound from.</summary>
    public const string SectionName = "NetSuite:Endpoints";

    /// <summary>The placeholder replaced by the account's host label.</summary>
    public const string AccountPlaceholder = "{account}";

    /// <summary>SuiteTalk host template (token, revoke, REST web services). Default <c>https://{account}.suitetalk.api.netsuite.com</c>.</summary>
    public string SuiteTalkUrlTemplate { get; set; } = "https://{account}.suitetalk.api.netsuite.com";

    /// <summary>RESTlets host template (issuetoken, revoketoken, tokeninfo, certificates, RESTlets). Default <c>https://{account}.restlets.api.netsuite.com</c>.</summary>
    public string RestletsUrlTemplate { get; set; } = "https://{account}.restlets.api.netsuite.com";

    /// <summary>Application (UI) host template (authorize page). Default <c>https://{account}.app.netsuite.com</c>.</summary>
    public string AppUrlTemplate { get; set; } = "https://{account}.app.netsuite.com";

    /// <summary>
    /// The account-independent authorize page, for a consent whose account is not known yet (the redirect's <c>company</c>
    /// then names it). Default <c>https://system.netsuite.com/app/login/oauth2/authorize.nl</c>.
    /// </summary>
    public string GenericAuthorizeUrl { get; set; } = "https://system.netsuite.com/app/login/oauth2/authorize.nl";

    /// <summary>The account-independent data-center discovery URL, without query. Default <c>https://rest.netsuite.com/rest/datacenterurls</c>.</summary>
    public string DataCenterUrlsUrl { get; set; } = "https://rest.netsuite.com/rest/datacenterurls";
}
