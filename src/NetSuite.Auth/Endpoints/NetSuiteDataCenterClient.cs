using System.Text.Json;

namespace NetSuite.Auth;

/// <summary>
/// Discovers an account's domains through NetSuite's unauthenticated <c>datacenterurls</c> endpoint, as Oracle advises
/// instead of constructing host names. Feed the result to <see cref="NetSuiteEndpoints.WithDiscoveredDomains"/>.
/// </summary>
/// <param name="http">The HttpClient (typed client registered by <c>AddNetSuiteAuth</c>).</param>
/// <param name="endpoints">The endpoints, for the discovery URL.</param>
/// <param name="timeProvider">The clock.</param>
public sealed class NetSuiteDataCenterClient(HttpClient http, NetSuiteEndpoints endpoints, TimeProvider timeProvider)
{
    /// <summary>Asks <c>datacenterurls?account=...</c> for the account's domains. Safe to retry.</summary>
    /// <param name="account">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The domains, or a classified error (also when a domain is missing or not https outside loopback).</returns>
    public async Task<NetSuiteResult<NetSuiteDataCenterUrls>> DiscoverAsync(NetSuiteAccountId account, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoints.DataCenterUrlsFor(account))
            .ForNetSuite(account, NetSuiteCallSafety.SafeToRetry);
        request.Headers.Accept.ParseAdd("application/json");
        return await NetSuiteHttp.SendAsync(http, request, Read, timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private static NetSuiteResult<NetSuiteDataCenterUrls> Read(HttpResponseMessage response, string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;

        // Some answers wrap the domains: {"dataCenterUrls":{...}}.
        if (root.ValueKind == JsonValueKind.Object
            && root.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "dataCenterUrls", StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: JsonValueKind.Object } wrapper)
        {
            root = wrapper.Value;
        }

        var system = Domain(root, "systemDomain");
        var rest = Domain(root, "restDomain");
        var webServices = Domain(root, "webservicesDomain");
        if (system is null || rest is null || webServices is null)
        {
            return NetSuiteResult<NetSuiteDataCenterUrls>.Failure(NetSuiteHttp.InvalidResponse(
                response, "datacenterurls without an absolute https systemDomain, restDomain and webservicesDomain"));
        }

        return NetSuiteResult<NetSuiteDataCenterUrls>.Success(new NetSuiteDataCenterUrls(system, rest, webServices));
    }

    private static Uri? Domain(JsonElement root, string name) =>
        Uri.TryCreate(NetSuiteHttp.GetScalar(root, name), UriKind.Absolute, out var url) && NetSuiteEndpoints.IsAllowedUrl(url) ? url : null;
}
