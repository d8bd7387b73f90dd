using TokenRotation.Connections;

namespace TokenRotation.Consent;

/// <summary>The result of checking a consent link token; <see cref="Connection"/> is set only for genuine links.</summary>
public sealed record ConsentLinkCheck(ConsentLinkProblem Problem, ConnectionName? Connection, DateTimeOffset? ExpiresAt)
{
    public bool IsValid => Problem == ConsentLinkProblem.None;

    internal static ConsentLinkCheck Fail(ConsentLinkProblem problem) => new(problem, null, null);
}
