using NetSuite.Auth;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// The rotation machine's invariants (architecture section 4) under seeded random schedules of requests, NetSuite
/// answers, lost answers, crashes and clock jumps, checked after every run against what NetSuite and the consumers
/// saw, not against the machine's own bookkeeping.
/// </summary>
[Trait("Category", "Unit")]
public sealed class RotationInvariantTests
{
    private const string Name = "tba-random";

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 40; seed++)
        {
            seeds.Add(seed);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Any_schedule_of_faults_keeps_the_invariants_and_converges(int seed)
    {
        var random = new Random(seed);
        using var world = new MachineWorld();
        var ops = new ScriptedRotationOperations(world);
        world.Seed(UnitDocuments.Tba(Name, MachineWorld.Start - TimeSpan.FromDays(100)));
        var verified = new HashSet<string>(StringComparer.Ordinal) { UnitDocuments.OriginalTokenId };
        var log = new List<string>();

        for (var step = 0; step < 40; step++)
        {
            Script(ops, random, verified);
            world.Store.CrashAfterWrite = random.Next(8) == 0 ? _ => true : null;
            var request = random.Next(6) switch
            {
                0 => RunRequest.Sweep(startRotations: true),
                1 => new RunRequest { Rotate = true, Now = true, StartRotations = true, Trigger = "rotate-now" },
                2 => new RunRequest { Rotate = true, Now = true, StartRotations = true, Force = true, Trigger = "rotate-force" },
                3 => new RunRequest { Trigger = "rollback" },
                _ => RunRequest.Sweep(startRotations: false),
            };
            var revokesBefore = ops.RevokesWithCurrent.Count;
            var previousBefore = world.Stored(Name).Credentials.Previous;
            log.Add($"{world.Now:u} {request.Trigger} crash after {ops.CrashAfter ?? (world.Store.CrashAfterWrite is null ? "-" : "a write")}");
            try
            {
                await world.RunAsync(Name, request, ctx => request.Trigger == "rollback"
                    ? world.RotationMachine().RollbackAsync(ctx, ops, CancellationToken.None)
                    : world.RotationMachine().RunAsync(ctx, ops, CancellationToken.None));
            }
            catch (SimulatedCrash)
            {
                log.Add("  crashed");
            }

            ops.CrashAfter = null;
            world.Store.CrashAfterWrite = null;
            CheckEveryRun(world, ops, verified, request, revokesBefore, previousBefore, string.Join('\n', log));
            world.Time.Advance(TimeSpan.FromMinutes(random.Next(0, 4 * 24 * 60)));
        }

        // Then NetSuite answers everything: the machine converges to one current, published token and nothing pending.
        ops.IssueAnswer = _ => null;
        ops.IssueLandsAnyway = false;
        ops.VerifyAnswer = _ => VerifyResult.Ok;
        ops.RevokeAnswer = _ => NetSuiteResult<string>.Success("revoked");
        ops.Due = false;
        for (var run = 0; run < 10 && world.Stored(Name).Rotation is not null; run++)
        {
            world.Time.Advance(world.Rotation.GracePeriod + TimeSpan.FromDays(1));
            await world.RunAsync(Name, RunRequest.Sweep(startRotations: false), ctx => world.RotationMachine().RunAsync(ctx, ops, CancellationToken.None));
        }

        var stored = world.Stored(Name);
        var trace = string.Join('\n', log);
        Assert.True(stored.Rotation is null, trace);
        Assert.Null(stored.Credentials.Pending);
        Assert.Null(stored.Credentials.Previous);
        Assert.Equal(stored.Credentials.Current!.Id, ops.PublishedId);

        // A token whose secret we saw is held, revoked or named as a possible orphan; one we never saw is named.
        foreach (var (tokenName, id, seen) in ops.IssuedTokens)
        {
            var accounted = stored.Credentials.Current.Id == id || ops.Revoked.Contains(id)
                || stored.PossibleOrphans.Any(o => o.TokenName == tokenName);
            Assert.True(accounted, $"token {id} ({tokenName}, answer {(seen ? "seen" : "lost")}) is forgotten\n{trace}");
        }

        Assert.DoesNotContain("secret-of-", world.Logs.AllText(), StringComparison.Ordinal);
    }

    private static void Script(ScriptedRotationOperations ops, Random random, HashSet<string> verified)
    {
        ops.Due = random.Next(3) > 0;
        var issueFault = random.Next(6);
        ops.IssueAnswer = issueFault switch
        {
            0 => _ => NetSuiteResult<RotatedCredential>.Failure(new NetSuiteError(NetSuiteErrorClass.Transient, "HTTP_502", "bad gateway") { StatusCode = 502 }),
            1 => _ => NetSuiteResult<RotatedCredential>.Failure(new NetSuiteError(NetSuiteErrorClass.NeedsPerson, "USER_ERROR", "refused") { StatusCode = 400 }),
            _ => _ => null,
        };

        // A 502 may hide a token NetSuite issued; a 400 is NetSuite's answer that it issued nothing.
        ops.IssueLandsAnyway = issueFault == 0 && random.Next(2) == 0;
        var verifyFault = random.Next(6);
        ops.VerifyAnswer = credential =>
        {
            var answer = verifyFault switch
            {
                0 => VerifyResult.Failed(new NetSuiteError(NetSuiteErrorClass.Transient, "HTTP_503", "unavailable") { StatusCode = 503 }),
                1 => VerifyResult.WrongIdentity("role 1001 instead of 1000"),
                2 => VerifyResult.Failed(new NetSuiteError(NetSuiteErrorClass.NeedsPerson, "INVALID_LOGIN_ATTEMPT", "refused") { StatusCode = 401 }),
                _ => VerifyResult.Ok,
            };
            if (answer.Verified)
            {
                verified.Add(credential.Id);
            }

            return answer;
        };
        ops.RevokeAnswer = random.Next(5) == 0
            ? _ => NetSuiteResult<string>.Failure(new NetSuiteError(NetSuiteErrorClass.Transient, "HTTP_500", "server error") { StatusCode = 500 })
            : _ => NetSuiteResult<string>.Success("revoked");
        ops.CrashAfter = random.Next(8) switch
        {
            0 => SideEffect.Issue,
            1 => SideEffect.Verify,
            2 => SideEffect.Publish,
            3 => SideEffect.Revoke,
            _ => null,
        };
    }

    private static void CheckEveryRun(
        MachineWorld world, ScriptedRotationOperations ops, HashSet<string> verified, RunRequest request, int revokesBefore, RotatedCredential? previousBefore, string trace)
    {
        var stored = world.Stored(Name);

        // Never revoked while current: not in the run's document, not in the store, not for the consumers.
        foreach (var (revoked, working, inStore, published) in ops.RevokesWithCurrent.Skip(revokesBefore))
        {
            Assert.True(revoked != working && revoked != inStore && revoked != published,
                $"revoked {revoked} while current (run {working}, stored {inStore}, published {published})\n{trace}");

            // The previous token is revoked only after its grace period, unless a forced rotation asked for it now.
            if (previousBefore is { } previous && previous.Id == revoked && !request.Force)
            {
                Assert.True(world.Now >= previous.RetireAfter, $"revoked {revoked} before {previous.RetireAfter:u}\n{trace}");
            }
        }

        // Never replaced by an unverified one: whatever is current was the original or passed a verify.
        Assert.NotNull(stored.Credentials.Current);
        Assert.Contains(stored.Credentials.Current.Id, verified);
        Assert.All(world.Effects.Where(e => e.Kind == SideEffect.StateWrite),
            e => Assert.True(verified.Contains(e.Written!.Credentials.Current!.Id), $"stored an unverified current {e.Written.Credentials.Current.Id}\n{trace}"));
        Assert.True(ops.PublishedId is null || verified.Contains(ops.PublishedId), $"published unverified {ops.PublishedId}\n{trace}");
        Assert.False(ops.Revoked.Contains(stored.Credentials.Current.Id), $"the current token {stored.Credentials.Current.Id} is revoked\n{trace}");
    }
}
