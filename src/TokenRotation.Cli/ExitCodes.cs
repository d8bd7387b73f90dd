using TokenRotation.Engine;

namespace TokenRotation.Cli;

/// <summary>Exit codes scripts can rely on. The root <c>--help</c> and the README list them.</summary>
public static class ExitCodes
{
    /// <summary>Done (or nothing was due, or a dry run).</summary>
    public const int Ok = 0;

    /// <summary>The work failed (NetSuite, Key Vault or storage); it is retried by the service, or run the command again.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: a parse error, an invalid value, a missing setting, an unknown connection, a secret given as an argument.</summary>
    public const int BadInput = 2;

    /// <summary>Only a person can move the connection on (consent, approval, permissions); the message says what to do.</summary>
    public const int NeedsPerson = 3;

    /// <summary>Conflict: another run holds the connection, a rotation is in its grace period, or the state does not allow it.</summary>
    public const int Conflict = 4;

    public const string HelpText = """
        Exit codes:
          0  ok (done, nothing was due, or a dry run)
          1  failure (NetSuite, Key Vault or storage failed; the message names it)
          2  bad input (parse error, invalid value, missing setting, unknown connection, secret given as an argument)
          3  needs a person (consent, approval, permissions; the message says what to do)
          4  conflict (connection busy, rotation in its grace period, or not allowed in the connection's state)
        """;

    public static int For(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Succeeded or OutcomeKind.NothingToDo or OutcomeKind.DryRun => Ok,
        OutcomeKind.Failed => Failure,
        OutcomeKind.NeedsPerson => NeedsPerson,
        OutcomeKind.NotFound => BadInput,
        OutcomeKind.Conflict or OutcomeKind.Refused => Conflict,
        _ => Failure,
    };
}
