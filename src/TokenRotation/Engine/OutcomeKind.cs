namespace TokenRotation.Engine;

public enum OutcomeKind
{
    /// <summary>Nothing was due.</summary>
    NothingToDo,

    /// <summary>Work was done and succeeded (a refresh, a mint, a rotation step).</summary>
    Succeeded,

    /// <summary>A dry run: <see cref="ConnectionOutcome.Actions"/> lists what would be done.</summary>
    DryRun,

    /// <summary>A failure that will be retried.</summary>
    Failed,

    /// <summary>Only a person can move it on.</summary>
    NeedsPerson,

    /// <summary>Another run holds the connection, or a rotation is in progress or in grace.</summary>
    Conflict,

    NotFound,

    /// <summary>Refused: the request does not make sense in the connection's state (the message says why).</summary>
    Refused,
}
