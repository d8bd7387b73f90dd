namespace TokenRotation.Engine;

public sealed record SweepResult(int Connections, int Due, int Accounts, int Messages);
