namespace TokenRotation.Consent;

/// <summary>The callback's answer for the person: what happened and what to do next. Never holds a token.</summary>
public sealed record ConsentResult(ConsentOutcomeKind Kind, string? Connection, int StatusCode, string Title, string Message, string NextStep)
{
    internal static ConsentResult InvalidRequest(string? connection, string message) =>
        new(ConsentOutcomeKind.InvalidRequest, connection, 400, "This consent answer is not valid", message + " Nothing was changed.",
            "Open the consent link again. If this keeps happening, the link or NetSuite's answer is being changed on the way.");
}
