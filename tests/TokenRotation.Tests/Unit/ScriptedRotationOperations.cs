using NetSuite.Auth;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// A credential kind's rotation operations as NetSuite would answer them, scripted per test: what an issue returns
/// (and whether NetSuite issued a token even when the answer is lost), what a verify and a revoke say, and where the
/// run crashes. It remembers what NetSuite holds, so the tests can check the invariants against NetSuite's side, not
/// against the machine's own bookkeeping.
/// </summary>
internal sealed class ScriptedRotationOperations(MachineWorld world) : IRotationOperations
{
    private int _issued;

    public string Noun => "TBA token";

    /// <summary>What <see cref="IRotationOperations.IsRotationDue"/> says.</summary>
    public bool Due { get; set; } = true;

    /// <summary>The answer to an issue; null issues a fresh token and answers with it.</summary>
    public Func<string, NetSuiteResult<RotatedCredential>?> IssueAnswer { get; set; } = _ => null;

    /// <summary>True when NetSuite issues a token even though <see cref="IssueAnswer"/> says otherwise (a lost answer).</summary>
    public bool IssueLandsAnyway { get; set; }

    public Func<RotatedCredential, VerifyResult> VerifyAnswer { get; set; } = _ => VerifyResult.Ok;

    public Func<RotatedCredential, NetSuiteResult<string>> RevokeAnswer { get; set; } = _ => NetSuiteResult<string>.Success("revoked");

    /// <summary>The run dies right after this operation (<see cref="SideEffect.Issue"/>, ...), once.</summary>
    public string? CrashAfter { get; set; }

    /// <summary>Tokens NetSuite issued (name, id), and whether the answer reached the machine.</summary>
    public List<(string Name, string Id, bool AnswerSeen)> IssuedTokens { get; } = [];

    /// <summary>Ids NetSuite revoked.</summary>
    public List<string> Revoked { get; } = [];

    /// <summary>Each revoke with the credential that was current then: in the run's document, stored, and published.</summary>
    public List<(string Revoked, string? Working, string? Stored, string? Published)> RevokesWithCurrent { get; } = [];

    /// <summary>Id of the credential consumers see.</summary>
    public string? PublishedId { get; set; } = UnitDocuments.OriginalTokenId;

    public int Verifies { get; private set; }

    public bool IsRotationDue(RunContext ctx) => Due;

    public Task<NetSuiteResult<RotatedCredential>> IssueAsync(RunContext ctx, string rotationId, CancellationToken cancellationToken)
    {
        world.Effects.Add(new SideEffect(SideEffect.Issue, rotationId));
        var answer = IssueAnswer(rotationId);
        _issued++;
        var id = $"token-{_issued}";
        if (answer is null || IssueLandsAnyway)
        {
            // A crash right after the issue loses the answer as surely as a dropped response does.
            IssuedTokens.Add((rotationId, id, answer is null && CrashAfter != SideEffect.Issue));
        }

        answer ??= NetSuiteResult<RotatedCredential>.Success(new RotatedCredential
        {
            Id = id,
            Secret = $"secret-of-{id}",
            IssuedAt = world.Now,
        });
        Crash(SideEffect.Issue);
        return Task.FromResult(answer);
    }

    public Task<VerifyResult> VerifyAsync(RunContext ctx, RotatedCredential pending, CancellationToken cancellationToken)
    {
        world.Effects.Add(new SideEffect(SideEffect.Verify, pending.Id));
        Verifies++;

        // A real call: NetSuite refuses a token it has revoked, whatever the script says.
        var answer = Revoked.Contains(pending.Id)
            ? VerifyResult.Failed(new NetSuiteError(NetSuiteErrorClass.NeedsPerson, "INVALID_LOGIN_ATTEMPT", "the token is revoked") { StatusCode = 401 })
            : VerifyAnswer(pending);
        Crash(SideEffect.Verify);
        return Task.FromResult(answer);
    }

    public async Task PublishAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken)
    {
        // Through the engine's fenced publish, as the TBA operations do.
        await world.RunEffects.PublishTbaAsync(ctx, new TbaProjection(MachineWorld.Account, "consumer-key", "consumer-secret", current.Id, current.Secret ?? ""), cancellationToken);
        PublishedId = current.Id;
        Crash(SideEffect.Publish);
    }

    public Task<bool> IsPublishedAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken) =>
        Task.FromResult(PublishedId == current.Id);

    public Task<NetSuiteResult<string>> RevokeAsync(RunContext ctx, RotatedCredential credential, CancellationToken cancellationToken)
    {
        world.Effects.Add(new SideEffect(SideEffect.Revoke, credential.Id));
        RevokesWithCurrent.Add((credential.Id, ctx.Doc.Credentials.Current?.Id, world.Stored(ctx.Name).Credentials.Current?.Id, PublishedId));
        var answer = RevokeAnswer(credential);
        if (answer.IsSuccess)
        {
            Revoked.Add(credential.Id);
        }

        Crash(SideEffect.Revoke);
        return Task.FromResult(answer);
    }

    private void Crash(string after)
    {
        if (CrashAfter == after)
        {
            CrashAfter = null;
            throw new SimulatedCrash(after);
        }
    }
}
