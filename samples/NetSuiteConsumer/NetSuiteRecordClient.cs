namespace NetSuiteConsumer;

/// <summary>The consumer's own code: it knows NetSuite's REST API, and nothing about Key Vault, tokens or rotation.</summary>
public sealed class NetSuiteRecordClient(HttpClient http)
{
    /// <summary>GETs a URL and returns the status and the first characters of the body.</summary>
    public async Task<(int Status, string Body)> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, body.Length > 160 ? body[..160] + "..." : body);
    }
}
