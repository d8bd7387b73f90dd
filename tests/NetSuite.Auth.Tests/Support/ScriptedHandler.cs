using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NetSuite.Auth.Tests.Support;

/// <summary>One request as the fake handler saw it (copied, because the message is disposed after the call).</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? AuthorizationScheme, string? AuthorizationParameter, string Body)
{
    public string? OAuthParameter(string name)
    {
        if (AuthorizationParameter is null)
        {
            return null;
        }

        foreach (var part in AuthorizationParameter.Split(", "))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals] == name)
            {
                return part[(equals + 1)..].Trim('"');
            }
        }

        return null;
    }
}

/// <summary>
/// A recording fake <see cref="HttpMessageHandler"/>: each request is answered by the next scripted step; the last
/// step repeats. No mocking library.
/// </summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _steps = new();
    private Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? _last;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public int Calls => Requests.Count;

    public ScriptedHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> step)
    {
        _steps.Enqueue(step);
        return this;
    }

    public ScriptedHandler Then(Func<HttpRequestMessage, HttpResponseMessage> step) =>
        Then((request, _) => Task.FromResult(step(request)));

    public ScriptedHandler ThenRespond(HttpStatusCode status, string body = "", string mediaType = "application/json", Action<HttpResponseMessage>? configure = null) =>
        Then(_ => Respond(status, body, mediaType, configure));

    public ScriptedHandler ThenThrow(Func<Exception> exception) =>
        Then((_, _) => Task.FromException<HttpResponseMessage>(exception()));

    public ScriptedHandler ThenRefuse() => ThenThrow(ConnectionRefused);

    public ScriptedHandler ThenHang() =>
        Then(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });

    public static HttpRequestException ConnectionRefused() =>
        new(HttpRequestError.ConnectionError, "Connection refused (test.invalid:443)", new SocketException((int)SocketError.ConnectionRefused));

    public static HttpResponseMessage Respond(HttpStatusCode status, string body = "", string mediaType = "application/json", Action<HttpResponseMessage>? configure = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        configure?.Invoke(response);
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            request.Headers.Authorization?.Scheme,
            request.Headers.Authorization?.Parameter,
            body));

        if (_steps.TryDequeue(out var step))
        {
            _last = step;
        }

        var current = _last ?? throw new InvalidOperationException("No scripted response.");
        var response = await current(request, cancellationToken);
        response.RequestMessage ??= request;
        return response;
    }
}
