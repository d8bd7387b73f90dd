namespace TokenRotation.Engine;

/// <summary>How a run was asked for.</summary>
public sealed record RunRequest
{
    /// <summary>The daily sweep (or an operator) may start new TBA and certificate rotations.</summary>
    public bool StartRotations { get; init; }

    /// <summary>Do it now even if not due (rotate-now); a rotation in grace is still refused unless <see cref="Force"/>.</summary>
    public bool Now { get; init; }

    /// <summary>
    /// Start a rotation of the credential now (TBA token, M2M certificate), even if not due. For TBA connections
    /// <see cref="Now"/> implies it; for client-credentials connections <see cref="Now"/> only mints.
    /// </summary>
    public bool Rotate { get; init; }

    /// <summary>Start a rotation even during another's grace period (the previous credential is revoked first).</summary>
    public bool Force { get; init; }

    /// <summary>Say what would be done; touch nothing.</summary>
    public bool DryRun { get; init; }

    public string Trigger { get; init; } = "sweep";

    public static RunRequest Sweep(bool startRotations) => new() { StartRotations = startRotations, Trigger = startRotations ? "daily-sweep" : "sweep" };
}
