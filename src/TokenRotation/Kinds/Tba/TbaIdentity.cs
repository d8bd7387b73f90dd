using NetSuite.Auth;
using NetSuite.Auth.Tba;

namespace TokenRotation.Kinds.Tba;

/// <summary>The outcome of a <see cref="TbaIdentityCheck"/>: tokeninfo's answer and what differs, or NetSuite's refusal.</summary>
public sealed record TbaIdentity(TbaTokenInfo? Info, NetSuiteError? Error, IReadOnlyList<TbaIdentityMismatch> Mismatches)
{
    /// <summary>True when tokeninfo answered and showed the expected account, role and entity.</summary>
    public bool Matches => Error is null && Mismatches.Count == 0;

    /// <summary>The mismatches for a message, for example "role 3, expected 1018".</summary>
    public string Describe() => string.Join("; ", Mismatches.Select(m => m.ToString()));
}
