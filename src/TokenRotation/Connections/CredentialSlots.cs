namespace TokenRotation.Connections;

public sealed class CredentialSlots
{
    public RotatedCredential? Current { get; set; }

    public RotatedCredential? Pending { get; set; }

    public RotatedCredential? Previous { get; set; }
}
