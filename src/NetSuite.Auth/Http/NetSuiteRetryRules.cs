namespace NetSuite.Auth;

/// <summary>
/// The retry rule of architecture section 6, as pure functions so it can be tested without a pipeline: safe calls are
/// retried on transient failures; single-use calls only when NetSuite provably did not process them;
/// <c>INVALID_LOGIN_CREDENTIALS</c> and open circuits never.
/// </summary>
public static class NetSuiteRetryRules
{
    /// <summary>Decides on a classified error.</summary>
    /// <param name="safety">The call's safety.</param>
    /// <param name="error">The classified failure.</param>
    /// <returns>True when the call should be sent again.</returns>
    public static bool ShouldRetry(NetSuiteCallSafety safety, NetSuiteError error)
    {
        ArgumentNullException.ThrowIfNull(error);

        // Retrying bad NLAuth credentials only locks the user (5 failures = 30 minutes).
        if (string.Equals(error.Code, "INVALID_LOGIN_CREDENTIALS", StringComparison.OrdinalIgnoreCase)
            || string.Equals(error.Code, "circuit_open", StringComparison.Ordinal))
        {
            return false;
        }

        if (!error.MayHaveBeenProcessed)
        {
            return true;
        }

        return safety == NetSuiteCallSafety.SafeToRetry && error.Class == NetSuiteErrorClass.Transient;
    }

    /// <summary>Decides on a response and its body text.</summary>
    /// <param name="safety">The call's safety.</param>
    /// <param name="response">The response.</param>
    /// <param name="body">The body text.</param>
    /// <returns>True when the call should be sent again; false for any 1xx-3xx answer.</returns>
    public static bool ShouldRetry(NetSuiteCallSafety safety, HttpResponseMessage response, string body)
    {
        ArgumentNullException.ThrowIfNull(response);
        return (int)response.StatusCode >= 400 && ShouldRetry(safety, NetSuiteErrorParser.Parse(response, body));
    }

    /// <summary>Decides on a failure that produced no response.</summary>
    /// <param name="safety">The call's safety.</param>
    /// <param name="exception">The exception.</param>
    /// <returns>True when the call should be sent again.</returns>
    public static bool ShouldRetry(NetSuiteCallSafety safety, Exception exception) =>
        ShouldRetry(safety, NetSuiteErrorParser.FromException(exception));

    /// <summary>Decides on an outcome, buffering the response body so the caller can still read it.</summary>
    /// <param name="safety">The call's safety.</param>
    /// <param name="response">The response, when one arrived.</param>
    /// <param name="exception">The exception, when none arrived.</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>True when the call should be sent again.</returns>
    public static async ValueTask<bool> ShouldRetryAsync(
        NetSuiteCallSafety safety, HttpResponseMessage? response, Exception? exception, CancellationToken cancellationToken = default)
    {
        var error = await ClassifyAsync(response, exception, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        return error is not null && ShouldRetry(safety, error);
    }

    /// <summary>Classifies an outcome; null for a 1xx-3xx response or when there is neither response nor exception.</summary>
    internal static async ValueTask<NetSuiteError?> ClassifyAsync(
        HttpResponseMessage? response, Exception? exception, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (exception is not null)
        {
            return NetSuiteErrorParser.FromException(exception);
        }

        if (response is null || (int)response.StatusCode < 400)
        {
            return null;
        }

        var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return NetSuiteErrorParser.Parse(response, body, timeProvider);
    }

    /// <summary>Reads a body as text after buffering it, so it can be read again.</summary>
    internal static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
