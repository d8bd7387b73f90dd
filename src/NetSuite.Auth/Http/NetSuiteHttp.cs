using System.Text.Json;

namespace NetSuite.Auth;

/// <summary>Sends one NetSuite request and turns every outcome into a <see cref="NetSuiteResult{T}"/>.</summary>
internal static class NetSuiteHttp
{
    /// <summary>
    /// Sends <paramref name="request"/>; a 2xx answer goes to <paramref name="onSuccess"/>, anything else is classified.
    /// Cancellation requested by the caller is rethrown; a timeout is a transient error.
    /// </summary>
    public static async Task<NetSuiteResult<T>> SendAsync<T>(
        HttpClient http,
        HttpRequestMessage request,
        Func<HttpResponseMessage, string, NetSuiteResult<T>> onSuccess,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException
            or Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException)
        {
            return NetSuiteResult<T>.Failure(NetSuiteErrorParser.FromException(exception));
        }

        using (response)
        {
            var body = await NetSuiteRetryRules.ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return NetSuiteResult<T>.Failure(NetSuiteErrorParser.Parse(response, body, timeProvider));
            }

            try
            {
                return onSuccess(response, body);
            }
            catch (JsonException)
            {
                return NetSuiteResult<T>.Failure(InvalidResponse(response, "a body that is not valid JSON"));
            }
        }
    }

    /// <summary>An error for a 2xx answer whose body lacks what the protocol promises.</summary>
    public static NetSuiteError InvalidResponse(HttpResponseMessage response, string what) =>
        new(NetSuiteErrorClass.Unexpected, "invalid_response", $"NetSuite answered HTTP {(int)response.StatusCode} with {what}.")
        {
            StatusCode = (int)response.StatusCode,
        };

    /// <summary>Reads a string or number property, matching the name case-insensitively.</summary>
    public static string? GetScalar(JsonElement element, params string[] names)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            foreach (var name in names)
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    var value = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => null,
                    };
                    if (!string.IsNullOrWhiteSpace(value))
                    {
                        return value;
                    }
                }
            }
        }

        return null;
    }
}
