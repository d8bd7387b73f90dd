using Microsoft.AspNetCore.Http;

namespace NetSuite.Simulator.Http;

/// <summary>One request, resolved to its account, host kind and NetSuite path.</summary>
internal sealed class SimRequest(HttpContext http, SimAccount account, string hostKind, string netSuitePath, SimEndpoint endpoint, ResourceFamily family)
{
    public HttpContext Http { get; } = http;

    public SimAccount Account { get; } = account;

    /// <summary><c>suitetalk</c>, <c>restlets</c> or <c>app</c>.</summary>
    public string HostKind { get; } = hostKind;

    /// <summary>The path NetSuite would see, e.g. <c>/services/rest/auth/oauth2/v1/token</c>.</summary>
    public string NetSuitePath { get; } = netSuitePath;

    public SimEndpoint Endpoint { get; } = endpoint;

    public ResourceFamily Family { get; } = family;

    public string Method => Http.Request.Method;

    /// <summary>Credentials issued while handling this request (marked orphaned if the answer is lost).</summary>
    public List<ILoseable>? Issued { get; private set; }

    public void Track(ILoseable item) => (Issued ??= []).Add(item);

    /// <summary>A query parameter; null when absent, and null when repeated (NetSuite refuses repeated parameters).</summary>
    public string? Query(string name)
    {
        var values = Http.Request.Query[name];
        return values.Count == 1 ? values[0] : null;
    }

    public bool QueryRepeated(string name) => Http.Request.Query[name].Count > 1;

    /// <summary>The base URL of this request's host kind, e.g. <c>http://127.0.0.1:5000/1234567-sb1/suitetalk</c>, as requested.</summary>
    public string RequestedHostBase(string? hostKind = null)
    {
        var r = Http.Request;
        var segment = r.Path.Value!.AsSpan(1);
        var accountSegment = segment[..segment.IndexOf('/')].ToString();
        return $"{r.Scheme}://{r.Host.Value}/{accountSegment}/{hostKind ?? HostKind}";
    }
}
