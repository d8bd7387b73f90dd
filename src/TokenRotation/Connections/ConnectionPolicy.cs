namespace TokenRotation.Connections;

/// <summary>Per-connection overrides of <see cref="Configuration.RotationOptions"/>; null means the global default.</summary>
public sealed class ConnectionPolicy
{
    public TimeSpan? AccessTokenLeadTime { get; set; }

    public TimeSpan? ConsentWarningLeadTime { get; set; }

    public TimeSpan? TbaRotationInterval { get; set; }

    public TimeSpan? GracePeriod { get; set; }

    public TimeSpan? CertificateRenewBefore { get; set; }
}
