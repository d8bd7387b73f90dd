using TokenRotation.Connections;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// One side effect a unit-layer run made, in order: a state write (with a copy of the document as written), a consumer
/// publish, or a call the fake NetSuite operations or token endpoint received.
/// </summary>
internal sealed record SideEffect(string Kind, string Detail, ConnectionDocument? Written = null)
{
    public const string StateWrite = "state write";
    public const string Publish = "publish";
    public const string Issue = "issue";
    public const string Verify = "verify";
    public const string Revoke = "revoke";
    public const string TokenRequest = "token request";

    public override string ToString() => $"{Kind} {Detail}";
}
