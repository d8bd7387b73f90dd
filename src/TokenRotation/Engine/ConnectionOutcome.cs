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
