using System.Net;
using System.Text;

namespace NetSuite.Auth.Tests.OAuth2;

/// <summary>A request as the handler saw it, captured before the sender disposes it.</summary>
internal sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    Dictionary<string, string> Headers,
    string? ContentType,
    string? Body,
    NetSuiteCallSafety? Safety,
    NetSuiteAccountId? Account)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public Dictionary<string, string> Form() => AuthorizeUrlTests.ParseQuery(Body ?? string.Empty);
}

/// <summary>A fake <see cref="HttpMessageHandler"/> that records every request and answers from a queue.</summary>
internal sealed class RecordingHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _answers = new();

    public List<RecordedRequest> Requests { get; } = [];

    public RecordedRequest Single => Assert.Single(Requests);

    public RecordingHandler Respond(HttpStatusCode status, string body, string contentType = "application/json", Action<HttpResponseMessage>? configure = null)
    {
        _answers.Enqueue(request =>
        {
            var response = new HttpResponseMessage(status)
            {
                Content = new StringContent(body, Encoding.UTF8, contentType),
                RequestMessage = request,
            };
            configure?.Invoke(response);
            return response;
        });
        return this;
    }

    public RecordingHandler Throw(Exception exception)
    {
        _answers.Enqueue(_ => throw exception);
        return this;
    }

    public HttpClient CreateClient() => new(this);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        NetSuiteCallSafety? safety = request.Options.TryGetValue(NetSuiteRequestOptions.Safety, out var s) ? s : null;
        request.Options.TryGetValue(NetSuiteRequestOptions.Account, out var account);
        Requests.Add(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            headers,
            request.Content?.Headers.ContentType?.ToString(),
            body,
            safety,
            account));
        if (!_answers.TryDequeue(out var answer))
        {
            throw new InvalidOperationException($"No answer queued for request {Requests.Count}.");
        }

        return answer(request);
    }
}
