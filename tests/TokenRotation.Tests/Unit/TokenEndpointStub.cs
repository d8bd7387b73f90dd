using System.Net;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// NetSuite's token endpoint as an in-memory message handler (no socket, no Kestrel): it records each request as a
/// side effect, lets a test look at the world at the moment the request leaves, and answers as scripted.
/// </summary>
internal sealed class TokenEndpointStub(List<SideEffect> effects) : HttpMessageHandler
{
    /// <summary>Runs when a request arrives, before it is answered (a test checks what is durable by then, or crashes).</summary>
    public Action? OnRequest { get; set; }

    /// <summary>The answer to a request with the given form; throw to lose the answer.</summary>
    public Func<IReadOnlyDictionary<string, string>, HttpResponseMessage> Answer { get; set; } =
        _ => throw new InvalidOperationException("No answer scripted.");

    public List<IReadOnlyDictionary<string, string>> Forms { get; } = [];

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : ""), StringComparer.Ordinal);
        Forms.Add(form);
        effects.Add(new SideEffect(SideEffect.TokenRequest, form.GetValueOrDefault("grant_type", "")));
        OnRequest?.Invoke();
        return Answer(form);
    }
}
