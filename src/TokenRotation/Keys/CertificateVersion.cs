namespace TokenRotation.Keys;

/// <summary>A new version of a connection's certificate: what to upload to NetSuite and which key version signs.</summary>
public sealed record CertificateVersion(string CertificateName, string Version, string CertificatePem, DateTimeOffset NotAfter)
{
    /// <summary>
    /// The version of the key that signs for this certificate: in Key Vault the last segment of the certificate's
    /// <c>kid</c>, which need not equal <see cref="Version"/>. Locally the same as <see cref="Version"/>.
    /// </summary>
    public string KeyVersion { get; init; } = Version;

    public override string ToString() => $"certificate {CertificateName}/{Version} (until {NotAfter:u})";
}
