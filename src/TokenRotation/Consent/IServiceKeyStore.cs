namespace TokenRotation.Consent;

/// <summary>
/// The service's own random keys (architecture section 7): one signs consent links, one encrypts PKCE verifiers. Each is
/// rotatable with an overlap: the newest version signs or encrypts, the previous one still verifies or decrypts.
/// </summary>
public interface IServiceKeyStore
{
    /// <summary>
    /// The key's current and previous versions, creating the key on first use. A cached ring may be returned; pass
    /// <paramref name="refresh"/> to read the store again (for example when a value made elsewhere does not verify).
    /// </summary>
    Task<ServiceKeyRing> GetAsync(string keyName, bool refresh = false, CancellationToken cancellationToken = default);

    /// <summary>Adds a new version, which signs or encrypts from now on; the one before it keeps verifying or decrypting.</summary>
    Task<ServiceKeyRing> RotateAsync(string keyName, CancellationToken cancellationToken = default);
}
