namespace TokenRotation.Consent;

/// <summary>The usable versions of one key, newest first: <see cref="Current"/> signs, all of them verify.</summary>
public sealed class ServiceKeyRing
{
    public ServiceKeyRing(string name, IReadOnlyList<ServiceKey> keys)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException($"The service key {name} has no usable version.", nameof(keys));
        }

        Name = name;
        Keys = keys;
    }

    public string Name { get; }

    /// <summary>The newest usable version: it signs and encrypts.</summary>
    public ServiceKey Current => Keys[0];

    /// <summary>The previous usable version, which still verifies and decrypts; null right after creation.</summary>
    public ServiceKey? Previous => Keys.Count > 1 ? Keys[1] : null;

    /// <summary>Current first, then previous.</summary>
    public IReadOnlyList<ServiceKey> Keys { get; }

    public override string ToString() => $"{Name}: {string.Join(", ", Keys.Select(k => k.Version))}";
}
