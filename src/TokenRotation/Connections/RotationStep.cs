namespace TokenRotation.Connections;

public enum RotationStep
{
    /// <summary>The rotation id is persisted; nothing has been asked of NetSuite yet (or the answer was not seen).</summary>
    Intent,

    /// <summary>A pending credential exists and is being verified.</summary>
    Issued,

    /// <summary>The pending credential became current; the previous one waits for its grace period.</summary>
    Promoted,
}
