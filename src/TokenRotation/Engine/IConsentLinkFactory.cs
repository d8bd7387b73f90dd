using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>Makes signed consent links for the callback flow; the consent part of the app implements it.</summary>
public interface IConsentLinkFactory
{
    /// <summary>A signed, expiring link that starts consent for one connection; null when links cannot be made here.</summary>
    Task<string?> CreateAsync(ConnectionName name, CancellationToken cancellationToken = default);
}
