namespace TokenRotation.Consent;

public enum ConsentLinkProblem
{
    None,

    /// <summary>Not a consent link token at all (cut off, edited, or not ours).</summary>
    Malformed,

    /// <summary>Shaped like one, but not signed by a current or previous key version.</summary>
    BadSignature,

    /// <summary>Genuine but past its expiry.</summary>
    Expired,
}
