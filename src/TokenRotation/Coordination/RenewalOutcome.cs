namespace TokenRotation.Coordination;

/// <summary>What one renewal attempt found.</summary>
internal enum RenewalOutcome
{
    Renewed,

    /// <summary>The lease is no longer ours (taken, broken, expired or deleted).</summary>
    Lost,

    /// <summary>The attempt failed for a reason that may pass; the deadline decides.</summary>
    Transient,
}
