using NetSuite.Auth;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>
/// One run of one connection: the fenced session (with the document it mutates), what was asked, and what happened.
/// It holds no services; the machines and <see cref="RunEffects"/> get theirs through their constructors.
/// </summary>
public sealed class RunContext
{
    private readonly List<string> _actions = [];

    internal RunContext(ConnectionSession session, RunRequest request)
    {
        Session = session;
        Request = request;
    }

    internal ConnectionSession Session { get; }

    public RunRequest Request { get; }

    public ConnectionDocument Doc => Session.Document;

    public NetSuiteAccountId Account => NetSuiteAccountId.Parse(Doc.Account);

    public string Name => Doc.Name;

    public string Kind => Doc.Kind.ToString();

    /// <summary>An access token expiry learnt in this run (it lives in tags, not in the document).</summary>
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }

    public IReadOnlyList<string> Actions => _actions;

    public void Did(string action) => _actions.Add(action);

    /// <summary>True when this run's state write failed and a single-use token went to the journal instead.</summary>
    public bool Journalled { get; internal set; }

    /// <summary>
    /// True when this run changed its working copy but could not store it and chose to end without it (a consent whose
    /// write the state vault refused): the index must not be updated from the working copy.
    /// </summary>
    public bool Unsaved { get; internal set; }

    /// <summary>The journal's sealing keys, loaded before a single-use token is asked of NetSuite (see <see cref="RunEffects.PrepareSingleUseAsync"/>).</summary>
    internal SealingKeys? Sealing { get; set; }

    /// <summary>
    /// Records in the index (not the state document) that the credential worked at <paramref name="at"/>, proved by
    /// <paramref name="by"/> (architecture section 13): the next scheduled check counts from here.
    /// </summary>
    public void Worked(DateTimeOffset at, string by) => Doc.Check = CredentialCheck.Worked(at, by);

    /// <summary>Records in the index that a check at <paramref name="at"/> did not show the credential working.</summary>
    public void CheckFailed(DateTimeOffset at) =>
        Doc.Check = (Scheduler.LastCheck(Doc) ?? new CredentialCheck(null, null, null)) with { CheckedAt = at };

    public void ClearError()
    {
        var wasRefused = Doc.LastError is not null && Doc.Status is ConnectionStatus.NeedsPerson;
        Doc.LastError = null;
        if (Doc.Status is ConnectionStatus.Failing || wasRefused)
        {
            // A success after a failure (or after a refusal only a person could fix, now fixed) is healthy again.
            Doc.Status = ConnectionStatus.Healthy;
            Doc.NeedsPersonReason = null;
        }
    }
}
