namespace TokenRotation.Consent;

/// <summary>One version of a service key. The material is secret: <see cref="ToString"/> leaves it out.</summary>
public sealed class ServiceKey
{
    private readonly byte[] _material;

    public ServiceKey(string version, byte[] material)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        ArgumentNullException.ThrowIfNull(material);
        if (material.Length != ServiceKeyNames.KeySize)
        {
            throw new ArgumentException($"A service key has {ServiceKeyNames.KeySize} bytes; version {version} has {material.Length}.", nameof(material));
        }

        Version = version;
        _material = material.ToArray();
    }

    public string Version { get; }

    /// <summary>The key bytes (a copy-free view; do not keep it).</summary>
    public ReadOnlySpan<byte> Material => _material;

    public override string ToString() => $"service key version {Version}";
}
