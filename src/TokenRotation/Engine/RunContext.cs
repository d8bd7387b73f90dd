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

    /// <summary>The journal's sealing keys, loaded before a single-use token is asked of NetSuite (see <see cref="RunEffects.PrepareSingleUseAsync"/>).</summary>
    internal SealingKeys? Sealing { get; set; }

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
