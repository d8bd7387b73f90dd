namespace Testing.Shared;

/// <summary>Outermost handler of every NetSuite client: the request reached NetSuite, then the run may die.</summary>
internal sealed class RecordingHandler(SideEffects effects) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        effects.Happened($"netsuite {request.Method} {path[(path.IndexOf('/', 1) + 1)..]} -> {(int)response.StatusCode}");
        return response;
    }
}
