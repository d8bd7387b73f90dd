using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>What happened to a connection in one run, safe to show (never a secret).</summary>
public sealed record ConnectionOutcome(
    string Connection,
    OutcomeKind Kind,
    string Message,
    ConnectionStatus Status,
    DateTimeOffset? NextActionAt,
    IReadOnlyList<string> Actions)
{
    public static ConnectionOutcome NotFound(string name) =>
        new(name, OutcomeKind.NotFound, $"No connection named {name}.", ConnectionStatus.NeedsPerson, null, []);

    public static ConnectionOutcome Busy(string name) =>
        new(name, OutcomeKind.Conflict, $"Connection {name} is being worked on by another run; try again shortly.", ConnectionStatus.Rotating, null, []);
}

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
