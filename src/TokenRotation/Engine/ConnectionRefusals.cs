using TokenRotation.Connections;

namespace TokenRotation.Engine;

/// <summary>How an operator action says no: the outcome names what is wrong and what to do.</summary>
internal static class ConnectionRefusals
{
    public static ConnectionOutcome Refused(ConnectionName name, string message) =>
        new(name.Value, OutcomeKind.Refused, message, ConnectionStatus.NeedsPerson, null, [message]);

    public static OutcomeKind Refuse(RunContext ctx, string message)
    {
        ctx.Did(message);
        return OutcomeKind.Refused;
    }
}
