using Microsoft.Extensions.Options;

namespace NetSuite.Auth.Tests.Core;

public sealed class NetSuiteEndpointsTests
{
    private static readonly NetSuiteAccountId Sandbox = NetSuiteAccountId.Parse("1234567_SB1");

    [Fact]
    public void Production_defaults_build_the_documented_urls_from_the_host_label()
    {
        var endpoints = new NetSuiteEndpoints(Options.Create(new NetSuiteEndpointOptions()));

        Assert.Equal("https://1234567-sb1.suitetalk.api.netsuite.com/", endpoints.SuiteTalk(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.restlets.api.netsuite.com/", endpoints.Restlets(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.app.netsuite.com/", endpoints.App(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token", endpoints.Token(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/revoke", endpoints.Revoke(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.app.netsuite.com/app/login/oauth2/authorize.nl", endpoints.Authorize(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.restlets.api.netsuite.com/rest/tokeninfo", endpoints.TokenInfo(Sandbox).AbsoluteUri);
        Assert.Equal("https://rest.netsuite.com/rest/datacenterurls?account=1234567_SB1", endpoints.DataCenterUrlsFor(Sandbox).AbsoluteUri);
    }

    [Fact]
    public void Simulator_templates_put_the_account_in_the_path()
    {
        var endpoints = Simulator();

        Assert.Equal("http://127.0.0.1:5000/1234567-sb1/suitetalk/services/rest/auth/oauth2/v1/token", endpoints.Token(Sandbox).AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5000/1234567-sb1/app/app/login/oauth2/authorize.nl", endpoints.Authorize(Sandbox).AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5000/1234567-sb1/restlets/rest/tokeninfo", endpoints.TokenInfo(Sandbox).AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5000/rest/datacenterurls?account=1234567_SB1", endpoints.DataCenterUrlsFor(Sandbox).AbsoluteUri);
    }

    [Fact]
    public void Issue_and_revoke_token_urls_encode_their_query_values()
    {
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());

        Assert.Equal(
            "https://1234567-sb1.restlets.api.netsuite.com/rest/issuetoken?consumerKey=ck%2B1&name=nightly%20rotation%20%232",
            endpoints.IssueToken(Sandbox, "ck+1", "nightly rotation #2").AbsoluteUri);
        Assert.Equal(
            "https://1234567-sb1.restlets.api.netsuite.com/rest/issuetoken?consumerKey=ck",
            endpoints.IssueToken(Sandbox, "ck", null).AbsoluteUri);
        Assert.Equal(
            "https://1234567-sb1.restlets.api.netsuite.com/rest/revoketoken?consumerKey=ck&token=t%2F1",
            endpoints.RevokeToken(Sandbox, "ck", "t/1").AbsoluteUri);
        Assert.Throws<ArgumentException>(() => endpoints.IssueToken(Sandbox, " ", null));
        Assert.Throws<ArgumentException>(() => endpoints.RevokeToken(Sandbox, "ck", ""));
    }

    [Fact]
    public void Certificate_urls_live_on_the_restlets_host()
    {
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());

        Assert.Equal(
            "https://1234567-sb1.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/clients/client%201/certificates",
            endpoints.Certificates(Sandbox, "client 1").AbsoluteUri);
        Assert.Equal(
            "https://1234567-sb1.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/clients/c1/certificates/cert-9",
            endpoints.Certificate(Sandbox, "c1", "cert-9").AbsoluteUri);
        Assert.Throws<ArgumentException>(() => endpoints.Certificates(Sandbox, ""));
        Assert.Throws<ArgumentException>(() => endpoints.Certificate(Sandbox, "c1", ""));
    }

    [Fact]
    public void Discovered_domains_replace_the_templates_for_that_account_only()
    {
        var other = NetSuiteAccountId.Parse("7654321");
        var original = new NetSuiteEndpoints(new NetSuiteEndpointOptions());
        var discovered = original.WithDiscoveredDomains(Sandbox, new NetSuiteDataCenterUrls(
            new Uri("https://1234567-sb1.app.eu2.netsuite.com"),
            new Uri("https://1234567-sb1.restlets.api.eu2.netsuite.com/"),
            new Uri("https://1234567-sb1.suitetalk.api.eu2.netsuite.com")));

        Assert.Equal("https://1234567-sb1.suitetalk.api.eu2.netsuite.com/services/rest/auth/oauth2/v1/token", discovered.Token(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.restlets.api.eu2.netsuite.com/rest/tokeninfo", discovered.TokenInfo(Sandbox).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.app.eu2.netsuite.com/app/login/oauth2/authorize.nl", discovered.Authorize(Sandbox).AbsoluteUri);
        Assert.Equal("https://7654321.suitetalk.api.netsuite.com/", discovered.SuiteTalk(other).AbsoluteUri);
        Assert.Equal("https://1234567-sb1.suitetalk.api.netsuite.com/", original.SuiteTalk(Sandbox).AbsoluteUri);
        Assert.Equal(original.DataCenterUrls, discovered.DataCenterUrls);
    }

    [Fact]
    public void Template_without_account_placeholder_is_refused_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => new NetSuiteEndpoints(new NetSuiteEndpointOptions { SuiteTalkUrlTemplate = "https://suitetalk.example.com" }));

        Assert.Contains("SuiteTalkUrlTemplate", error.Message, StringComparison.Ordinal);
        Assert.Contains("{account}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://{account}.restlets.api.netsuite.com", "plain http")]
    [InlineData("http://10.0.0.5/{account}/restlets", "plain http")]
    [InlineData("ftp://{account}.example.com", "absolute http(s)")]
    [InlineData("{account}/restlets", "absolute http(s)")]
    [InlineData("https://{account}.example.com/?x=1", "query")]
    public void Non_https_non_loopback_or_malformed_templates_are_refused(string template, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new NetSuiteEndpoints(new NetSuiteEndpointOptions { RestletsUrlTemplate = template }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("RestletsUrlTemplate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_is_accepted_for_loopback_hosts_only()
    {
        Assert.True(NetSuiteEndpoints.IsAllowedUrl(new Uri("http://127.0.0.1:1/x")));
        Assert.True(NetSuiteEndpoints.IsAllowedUrl(new Uri("http://localhost:1/x")));
        Assert.True(NetSuiteEndpoints.IsAllowedUrl(new Uri("https://example.com/x")));
        Assert.False(NetSuiteEndpoints.IsAllowedUrl(new Uri("http://example.com/x")));
        Assert.False(NetSuiteEndpoints.IsAllowedUrl(new Uri("/x", UriKind.Relative)));
        Assert.Throws<ArgumentException>(() => new NetSuiteEndpoints(new NetSuiteEndpointOptions { DataCenterUrlsUrl = "http://rest.netsuite.com/rest/datacenterurls" }));
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        var endpoints = new NetSuiteEndpoints(new NetSuiteEndpointOptions());

        Assert.Throws<ArgumentNullException>(() => new NetSuiteEndpoints((NetSuiteEndpointOptions)null!));
        Assert.Throws<ArgumentNullException>(() => new NetSuiteEndpoints((IOptions<NetSuiteEndpointOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => endpoints.SuiteTalk(null!));
        Assert.Throws<ArgumentNullException>(() => endpoints.DataCenterUrlsFor(null!));
        Assert.Throws<ArgumentNullException>(() => endpoints.WithDiscoveredDomains(null!, null!));
        Assert.Throws<ArgumentNullException>(() => endpoints.WithDiscoveredDomains(Sandbox, null!));
        Assert.Throws<ArgumentNullException>(() => NetSuiteEndpoints.IsAllowedUrl(null!));
    }

    internal static NetSuiteEndpoints Simulator() => new(new NetSuiteEndpointOptions
    {
        SuiteTalkUrlTemplate = "http://127.0.0.1:5000/{account}/suitetalk",
        RestletsUrlTemplate = "http://127.0.0.1:5000/{account}/restlets/",
        AppUrlTemplate = "http://127.0.0.1:5000/{account}/app",
        DataCenterUrlsUrl = "http://127.0.0.1:5000/rest/datacenterurls",
    });
}
