using System.Collections.Immutable;
using Microsoft.Extensions.Options;

namespace NetSuite.Auth;

/// <summary>
/// Builds every NetSuite URL from the templates in <see cref="NetSuiteEndpointOptions"/>, optionally overridden per
/// account by domains discovered through <c>datacenterurls</c>.
/// </summary>
public sealed class NetSuiteEndpoints
{
    private readonly string _suiteTalk;
    private readonly string _restlets;
    private readonly string _app;
    private readonly ImmutableDictionary<NetSuiteAccountId, NetSuiteDataCenterUrls> _discovered;

    /// <summary>Creates endpoints from options (as registered by <c>AddNetSuiteAuth</c>).</summary>
    /// <param name="options">The endpoint options.</param>
    /// <exception cref="ArgumentException">A template lacks <c>{account}</c>, is not an absolute URL, or uses plain http for a non-loopback host.</exception>
    public NetSuiteEndpoints(IOptions<NetSuiteEndpointOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value)
    {
    }

    /// <summary>Creates endpoints from options.</summary>
    /// <param name="options">The endpoint options.</param>
    /// <exception cref="ArgumentException">A template lacks <c>{account}</c>, is not an absolute URL, or uses plain http for a non-loopback host.</exception>
    public NetSuiteEndpoints(NetSuiteEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _suiteTalk = ValidateTemplate(options.SuiteTalkUrlTemplate, nameof(NetSuiteEndpointOptions.SuiteTalkUrlTemplate));
        _restlets = ValidateTemplate(options.RestletsUrlTemplate, nameof(NetSuiteEndpointOptions.RestletsUrlTemplate));
        _app = ValidateTemplate(options.AppUrlTemplate, nameof(NetSuiteEndpointOptions.AppUrlTemplate));
        DataCenterUrls = ValidateUrl(options.DataCenterUrlsUrl, nameof(NetSuiteEndpointOptions.DataCenterUrlsUrl));
        GenericAuthorize = ValidateUrl(options.GenericAuthorizeUrl, nameof(NetSuiteEndpointOptions.GenericAuthorizeUrl));
        _discovered = ImmutableDictionary<NetSuiteAccountId, NetSuiteDataCenterUrls>.Empty;
    }

    private NetSuiteEndpoints(NetSuiteEndpoints source, ImmutableDictionary<NetSuiteAccountId, NetSuiteDataCenterUrls> discovered)
    {
        _suiteTalk = source._suiteTalk;
        _restlets = source._restlets;
        _app = source._app;
        DataCenterUrls = source.DataCenterUrls;
        GenericAuthorize = source.GenericAuthorize;
        _discovered = discovered;
    }

    /// <summary>The data-center discovery URL (without query).</summary>
    public Uri DataCenterUrls { get; }

    /// <summary>The account-independent authorize page (no query), for a consent whose account is not known yet.</summary>
    public Uri GenericAuthorize { get; }

    /// <summary>Returns a copy that uses the discovered domains for <paramref name="account"/> instead of the templates.</summary>
    /// <param name="account">The account the domains belong to.</param>
    /// <param name="urls">The discovered domains.</param>
    /// <returns>A new <see cref="NetSuiteEndpoints"/>; this instance is unchanged.</returns>
    public NetSuiteEndpoints WithDiscoveredDomains(NetSuiteAccountId account, NetSuiteDataCenterUrls urls)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(urls);
        return new NetSuiteEndpoints(this, _discovered.SetItem(account, urls));
    }

    /// <summary>The data-center discovery URL for an account (<c>datacenterurls?account=...</c>).</summary>
    /// <param name="account">The account.</param>
    /// <returns>The URL.</returns>
    public Uri DataCenterUrlsFor(NetSuiteAccountId account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new Uri($"{DataCenterUrls.AbsoluteUri}?account={Uri.EscapeDataString(account.Realm)}");
    }

    /// <summary>The SuiteTalk base URL for an account (no trailing slash).</summary>
    /// <param name="account">The account.</param>
    /// <returns>The base URL.</returns>
    public Uri SuiteTalk(NetSuiteAccountId account) => Base(account, _suiteTalk, d => d.WebServicesDomain);

    /// <summary>The RESTlets base URL for an account (no trailing slash).</summary>
    /// <param name="account">The account.</param>
    /// <returns>The base URL.</returns>
    public Uri Restlets(NetSuiteAccountId account) => Base(account, _restlets, d => d.RestDomain);

    /// <summary>The application (UI) base URL for an account (no trailing slash).</summary>
    /// <param name="account">The account.</param>
    /// <returns>The base URL.</returns>
    public Uri App(NetSuiteAccountId account) => Base(account, _app, d => d.SystemDomain);

    /// <summary>The OAuth 2.0 token endpoint: <c>{SuiteTalk}/services/rest/auth/oauth2/v1/token</c>.</summary>
    /// <param name="account">The account.</param>
    /// <returns>The URL.</returns>
    public Uri Token(NetSuiteAccountId account) => Append(SuiteTalk(account), "/services/rest/auth/oauth2/v1/token");

    /// <summary>The OAuth 2.0 revoke endpoint: <c>{SuiteTalk}/services/rest/auth/oauth2/v1/revoke</c>.</summary>
    /// <param name="account">The account.</param>
    /// <returns>The URL.</returns>
    public Uri Revoke(NetSuiteAccountId account) => Append(SuiteTalk(account), "/services/rest/auth/oauth2/v1/revoke");

    /// <summary>The OAuth 2.0 authorize page: <c>{App}/app/login/oauth2/authorize.nl</c> (no query).</summary>
    /// <param name="account">The account.</param>
    /// <returns>The URL.</returns>
    public Uri Authorize(NetSuiteAccountId account) => Append(App(account), "/app/login/oauth2/authorize.nl");

    /// <summary>The TBA issuetoken endpoint: <c>{RESTlets}/rest/issuetoken?consumerKey=..[&amp;name=..]</c>.</summary>
    /// <param name="account">The account.</param>
    /// <param name="consumerKey">The integration record's consumer key.</param>
    /// <param name="name">Optional token name.</param>
    /// <returns>The URL with URL-encoded query parameters.</returns>
    public Uri IssueToken(NetSuiteAccountId account, string consumerKey, string? name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerKey);
        var query = $"?consumerKey={Uri.EscapeDataString(consumerKey)}";
        if (!string.IsNullOrEmpty(name))
        {
            query += $"&name={Uri.EscapeDataString(name)}";
        }

        return Append(Restlets(account), "/rest/issuetoken" + query);
    }

    /// <summary>The TBA revoketoken endpoint: <c>{RESTlets}/rest/revoketoken?consumerKey=..&amp;token=..</c>.</summary>
    /// <param name="account">The account.</param>
    /// <param name="consumerKey">The integration record's consumer key.</param>
    /// <param name="token">The token id to revoke.</param>
    /// <returns>The URL with URL-encoded query parameters.</returns>
    public Uri RevokeToken(NetSuiteAccountId account, string consumerKey, string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return Append(Restlets(account), $"/rest/revoketoken?consumerKey={Uri.EscapeDataString(consumerKey)}&token={Uri.EscapeDataString(token)}");
    }

    /// <summary>The TBA tokeninfo endpoint: <c>{RESTlets}/rest/tokeninfo</c>.</summary>
    /// <param name="account">The account.</param>
    /// <returns>The URL.</returns>
    public Uri TokenInfo(NetSuiteAccountId account) => Append(Restlets(account), "/rest/tokeninfo");

    /// <summary>The certificates collection of an OAuth 2.0 client: <c>{RESTlets}/services/rest/auth/oauth2/v1/clients/{clientId}/certificates</c>.</summary>
    /// <param name="account">The account.</param>
    /// <param name="clientId">The integration record's client id.</param>
    /// <returns>The URL.</returns>
    public Uri Certificates(NetSuiteAccountId account, string clientId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        return Append(Restlets(account), $"/services/rest/auth/oauth2/v1/clients/{Uri.EscapeDataString(clientId)}/certificates");
    }

    /// <summary>One certificate of an OAuth 2.0 client: <c>.../clients/{clientId}/certificates/{certificateId}</c>.</summary>
    /// <param name="account">The account.</param>
    /// <param name="clientId">The integration record's client id.</param>
    /// <param name="certificateId">The certificate id.</param>
    /// <returns>The URL.</returns>
    public Uri Certificate(NetSuiteAccountId account, string clientId, string certificateId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(certificateId);
        return new Uri(Certificates(account, clientId).AbsoluteUri + "/" + Uri.EscapeDataString(certificateId));
    }

    /// <summary>Whether a URL may be used: https, or http to a loopback host.</summary>
    /// <param name="url">The URL.</param>
    /// <returns>True when the scheme is https, or http with a loopback host.</returns>
    public static bool IsAllowedUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.IsAbsoluteUri
            && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));
    }

    private Uri Base(NetSuiteAccountId account, string template, Func<NetSuiteDataCenterUrls, Uri> discovered)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (_discovered.TryGetValue(account, out var urls))
        {
            return new Uri(discovered(urls).AbsoluteUri.TrimEnd('/'));
        }

        return new Uri(template.Replace(NetSuiteEndpointOptions.AccountPlaceholder, account.HostLabel, StringComparison.Ordinal));
    }

    private static Uri Append(Uri baseUrl, string pathAndQuery) => new(baseUrl.AbsoluteUri.TrimEnd('/') + pathAndQuery);

    private static string ValidateTemplate(string? template, string name)
    {
        if (string.IsNullOrWhiteSpace(template) || !template.Contains(NetSuiteEndpointOptions.AccountPlaceholder, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"NetSuite endpoint setting {name} must be an absolute URL containing the placeholder {NetSuiteEndpointOptions.AccountPlaceholder} (for example https://{{account}}.suitetalk.api.netsuite.com); got '{template}'.",
                name);
        }

        // Check the shape with a sample host label so the placeholder does not break URI parsing.
        ValidateUrl(template.Replace(NetSuiteEndpointOptions.AccountPlaceholder, "1234567-sb1", StringComparison.Ordinal), name, template);
        return template.TrimEnd('/');
    }

    private static Uri ValidateUrl(string? value, string name, string? shown = null)
    {
        shown ??= value;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"NetSuite endpoint setting {name} must be an absolute http(s) URL; got '{shown}'.", name);
        }

        if (!IsAllowedUrl(url))
        {
            throw new ArgumentException($"NetSuite endpoint setting {name} uses plain http for the non-loopback host '{url.Host}'; only https is allowed outside loopback. Got '{shown}'.", name);
        }

        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
        {
            throw new ArgumentException($"NetSuite endpoint setting {name} must not contain a query or fragment; got '{shown}'.", name);
        }

        return url;
    }
}
