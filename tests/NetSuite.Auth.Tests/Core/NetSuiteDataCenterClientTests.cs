using System.Net;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Auth.Tests.Support;

namespace NetSuite.Auth.Tests.Core;

public sealed class NetSuiteDataCenterClientTests
{
    [Fact]
    public async Task Discover_asks_datacenterurls_for_the_realm_and_reads_the_three_domains()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, """{"restDomain":"https://1234567-sb1.restlets.api.netsuite.com","webservicesDomain":"https://1234567-sb1.suitetalk.api.netsuite.com","systemDomain":"https://1234567-sb1.app.netsuite.com","suiteletDomain":"https://x"}""");
        await using var provider = TestServices.Build(handler);

        var result = await provider.GetRequiredService<NetSuiteDataCenterClient>().DiscoverAsync(Vectors.Sandbox);

        Assert.Equal("https://rest.netsuite.com/rest/datacenterurls?account=1234567_SB1", handler.Requests.Single().Uri.AbsoluteUri);
        Assert.Null(handler.Requests.Single().Authorization);
        Assert.Equal(new Uri("https://1234567-sb1.restlets.api.netsuite.com"), result.Value.RestDomain);
        Assert.Equal(new Uri("https://1234567-sb1.suitetalk.api.netsuite.com"), result.Value.WebServicesDomain);
        Assert.Equal(new Uri("https://1234567-sb1.app.netsuite.com"), result.Value.SystemDomain);
    }

    [Fact]
    public async Task Discover_reads_the_wrapped_form_and_loopback_simulator_domains()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.OK, """{"dataCenterUrls":{"restDomain":"http://127.0.0.1:5000/1234567-sb1/restlets","webservicesDomain":"http://127.0.0.1:5000/1234567-sb1/suitetalk","systemDomain":"http://127.0.0.1:5000/1234567-sb1/app"}}""");
        await using var provider = TestServices.Build(handler, endpoints: e => e.DataCenterUrlsUrl = "http://127.0.0.1:5000/rest/datacenterurls");

        var urls = (await provider.GetRequiredService<NetSuiteDataCenterClient>().DiscoverAsync(Vectors.Sandbox)).Value;
        var endpoints = provider.GetRequiredService<NetSuiteEndpoints>().WithDiscoveredDomains(Vectors.Sandbox, urls);

        Assert.Equal("http://127.0.0.1:5000/rest/datacenterurls?account=1234567_SB1", handler.Requests.Single().Uri.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5000/1234567-sb1/restlets/rest/tokeninfo", endpoints.TokenInfo(Vectors.Sandbox).AbsoluteUri);
    }

    [Theory]
    [InlineData("""{"restDomain":"https://a","webservicesDomain":"https://b"}""")]
    [InlineData("""{"restDomain":"https://a","webservicesDomain":"https://b","systemDomain":"http://evil.example.com"}""")]
    [InlineData("""{"restDomain":"https://a","webservicesDomain":"https://b","systemDomain":"not a url"}""")]
    [InlineData("""["https://a"]""")]
    [InlineData("""not json""")]
    public async Task Discover_refuses_answers_without_three_usable_domains(string body)
    {
        var handler = new ScriptedHandler().ThenRespond(HttpStatusCode.OK, body);
        await using var provider = TestServices.Build(handler);

        var result = await provider.GetRequiredService<NetSuiteDataCenterClient>().DiscoverAsync(Vectors.Sandbox);

        Assert.Equal("invalid_response", result.Error?.Code);
        Assert.Equal(NetSuiteErrorClass.Unexpected, result.Error?.Class);
    }

    [Fact]
    public async Task Discover_is_safe_to_retry_and_reports_an_unknown_account()
    {
        var handler = new ScriptedHandler()
            .ThenRespond(HttpStatusCode.ServiceUnavailable)
            .ThenRespond(HttpStatusCode.BadRequest, """{"error":{"code":"INVALID_ACCOUNT","message":"Account not found"}}""");
        await using var provider = TestServices.Build(handler);

        var result = await provider.GetRequiredService<NetSuiteDataCenterClient>().DiscoverAsync(Vectors.Sandbox);

        Assert.Equal(2, handler.Calls);
        Assert.Equal("INVALID_ACCOUNT", result.Error?.Code);
        await Assert.ThrowsAsync<ArgumentNullException>(() => provider.GetRequiredService<NetSuiteDataCenterClient>().DiscoverAsync(null!));
    }
}
