namespace NetSuite.Auth;

/// <summary>What a failure means for the connection (separate from whether the call may be retried).</summary>
public enum NetSuiteErrorClass
{
    /// <summary>Overload or outage: concurrency limit, 5xx, network failure, timeout. Trying again later is expected to work.</summary>
    Transient,

    /// <summary>"Invalid login attempt": NetSuite gives the same answer for overload and for a bad credential; the Login Audit Trail tells which.</summary>
    Ambiguous,

    /// <summary>A person must act: invalid_grant, invalid_client, consumer key refused, integration waiting for approval, 2FA required, locked user.</summary>
    NeedsPerson,

    /// <summary>A response this library does not expect: most likely a bug in the request.</summary>
    Unexpected,
}
