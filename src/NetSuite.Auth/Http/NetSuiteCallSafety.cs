namespace NetSuite.Auth;

/// <summary>Whether a NetSuite call may be sent again after a failure (architecture section 6).</summary>
public enum NetSuiteCallSafety
{
    /// <summary>
    /// Sending it twice does no harm: verification calls, <c>tokeninfo</c>, listing certificates, revoking.
    /// Retried on transient failures (network, 408, 429, 5xx, concurrency rejections).
    /// </summary>
    SafeToRetry,

    /// <summary>
    /// Consumes something single-use: code exchange, public-client refresh, <c>issuetoken</c>, certificate upload.
    /// Retried only when NetSuite provably did not process it (connection refused, concurrency rejection).
    /// This is the default for requests that carry no safety option.
    /// </summary>
    SingleUse,
}
