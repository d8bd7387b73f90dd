namespace NetSuite.Auth;

/// <summary>
/// Request options (<see cref="HttpRequestMessage.Options"/>) that the NetSuite HTTP pipeline reads: the call's
/// <see cref="NetSuiteCallSafety"/> and the account, which selects the per-account resilience pipeline.
/// </summary>
public static class NetSuiteRequestOptions
{
    /// <summary>The call's safety; requests without it are treated as <see cref="NetSuiteCallSafety.SingleUse"/>.</summary>
    public static readonly HttpRequestOptionsKey<NetSuiteCallSafety> Safety = new("NetSuite.CallSafety");

    /// <summary>The account the call is for; selects the resilience pipeline (and so the circuit breaker).</summary>
    public static readonly HttpRequestOptionsKey<NetSuiteAccountId> Account = new("NetSuite.Account");

    /// <summary>Marks a request with its account and safety.</summary>
    /// <param name="request">The request.</param>
    /// <param name="account">The account.</param>
    /// <param name="safety">Whether the call may be retried.</param>
    /// <returns>The same request, for chaining.</returns>
    public static HttpRequestMessage ForNetSuite(this HttpRequestMessage request, NetSuiteAccountId account, NetSuiteCallSafety safety)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(account);
        request.Options.Set(Account, account);
        request.Options.Set(Safety, safety);
        return request;
    }

    /// <summary>The request's safety; <see cref="NetSuiteCallSafety.SingleUse"/> when unset.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The safety.</returns>
    public static NetSuiteCallSafety GetNetSuiteCallSafety(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(Safety, out var safety) ? safety : NetSuiteCallSafety.SingleUse;
    }

    /// <summary>The request's account, or null when unset.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The account or null.</returns>
    public static NetSuiteAccountId? GetNetSuiteAccount(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(Account, out var account) ? account : null;
    }
}
