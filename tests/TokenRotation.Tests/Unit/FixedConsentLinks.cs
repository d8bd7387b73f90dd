using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Tests.Unit;

/// <summary>Consent links without signing keys: the unit layer checks that a link is offered, not how it is signed.</summary>
internal sealed class FixedConsentLinks : IConsentLinkFactory
{
    public const string Prefix = "https://consent.example.net/start/";

    public Task<string> CreateAsync(ConnectionName name, CancellationToken cancellationToken = default) =>
        Task.FromResult(Prefix + name.Value);
}
