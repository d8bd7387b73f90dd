using NetSuite.Auth;

namespace TokenRotation.Engine;

/// <summary>The outcome of verifying a pending credential.</summary>
internal sealed record VerifyResult(bool Verified, NetSuiteError? Error, string? Mismatch)
{
    public static VerifyResult Ok { get; } = new(true, null, null);

    public static VerifyResult Failed(NetSuiteError error) => new(false, error, null);

    /// <summary>The credential works but is for another account, role or entity: a person must look.</summary>
    public static VerifyResult WrongIdentity(string mismatch) => new(false, null, mismatch);
}
