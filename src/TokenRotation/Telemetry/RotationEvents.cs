namespace TokenRotation.Telemetry;

/// <summary>
/// The structured events the engine emits. The alert rules in infra/ query these names (infra/events.json
/// lists them and a test checks both sides), so renaming one is a breaking change.
/// </summary>
public static class RotationEvents
{
    public const string RotationStarted = nameof(RotationStarted);
    public const string RotationSucceeded = nameof(RotationSucceeded);
    public const string RotationFailed = nameof(RotationFailed);
    public const string RotationAbandoned = nameof(RotationAbandoned);
    public const string NeedsPerson = nameof(NeedsPerson);
    public const string PossibleOrphan = nameof(PossibleOrphan);
    public const string SweepCompleted = nameof(SweepCompleted);
    public const string NetSuiteOddity = nameof(NetSuiteOddity);
    public const string LostUpdate = nameof(LostUpdate);
    public const string TokenJournal = nameof(TokenJournal);
    public const string OrphanAcknowledged = nameof(OrphanAcknowledged);

    public static readonly IReadOnlyList<string> All =
        [RotationStarted, RotationSucceeded, RotationFailed, RotationAbandoned, NeedsPerson, PossibleOrphan, SweepCompleted, NetSuiteOddity, LostUpdate, TokenJournal, OrphanAcknowledged];
}
