using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Stores;
using static TokenRotation.Tests.Engine.EngineTestKit;

namespace TokenRotation.Tests.Engine;

/// <summary>
/// Fencing identifies the writer (architecture section 5): two holders that overlap (a lease that lapsed while a write was in
/// flight) compute the same generation, so the read-back compares the writer id, not only the generation.
/// </summary>
public sealed class FencingTests
{
    private const string Name = "fenced-twice";

    [Fact]
    public async Task Two_overlapping_holders_saving_the_same_generation_one_wins_and_the_other_gets_a_lost_update()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await h.SaveNewAsync(h.TbaConnection(Name, integration));

        // Both holders read generation 1 and both believe they hold the lease; their writes land one after the other,
        // and only then do they read back.
        var overlapping = new OverlappingWritesStore(h.Store, writers: 2);
        var first = new ConnectionSession(overlapping, new HeldLease(), (await h.GetAsync(Name))!, d => Scheduler.Index(d, new Configuration.RotationOptions()));
        var second = new ConnectionSession(overlapping, new HeldLease(), (await h.GetAsync(Name))!, d => Scheduler.Index(d, new Configuration.RotationOptions()));
        first.Document.NeedsPersonReason = "written by the first holder";
        second.Document.NeedsPersonReason = "written by the second holder";

        var results = await Task.WhenAll(Outcome(first), Outcome(second));

        var winners = results.Where(r => r.Error is null).ToList();
        var losers = results.Where(r => r.Error is not null).ToList();
        Assert.Single(winners);
        var loser = Assert.Single(losers);
        var fencing = Assert.IsType<FencingException>(loser.Error);
        Assert.Contains("lost update", fencing.Message, StringComparison.Ordinal);
        var stored = (await h.GetAsync(Name))!;
        Assert.Equal(2, stored.Generation);
        Assert.Equal(winners[0].Session.Document.NeedsPersonReason, stored.NeedsPersonReason);
        Assert.Equal(winners[0].Session.Document.WriterId, stored.WriterId);
    }

    [Fact]
    public async Task A_holder_whose_generation_matches_but_whose_writer_differs_stops_before_writing()
    {
        await using var h = await EngineHarness.StartAsync();
        var integration = h.SeedAccount();
        await h.SaveNewAsync(h.TbaConnection(Name, integration));
        var stale = new ConnectionSession(h.Store, new HeldLease(), (await h.GetAsync(Name))!, d => Scheduler.Index(d, new Configuration.RotationOptions()));

        // Another holder rewrote generation 1 (same number, other writer) after this one read it.
        var other = (await h.GetAsync(Name))!;
        other.WriterId = "another-holder";
        other.NeedsPersonReason = "the other holder's write";
        await h.Store.SaveAsync(other, Scheduler.Index(other, new Configuration.RotationOptions()));
        var writes = h.StateVault.Counters.ForSecret(SecretNames.State(N(Name))).Writes;

        var thrown = await Record.ExceptionAsync(() => stale.SaveAsync(CancellationToken.None));

        Assert.Contains("lost update", Assert.IsType<FencingException>(thrown).Message, StringComparison.Ordinal);
        Assert.Equal(writes, h.StateVault.Counters.ForSecret(SecretNames.State(N(Name))).Writes);
        Assert.Equal("the other holder's write", (await h.GetAsync(Name))!.NeedsPersonReason);
    }

    [Fact]
    public void A_document_written_before_writer_ids_existed_still_loads()
    {
        const string old = """{"schemaVersion":1,"name":"old-doc","kind":"Tba","account":"1234567_SB1","generation":7,"status":"Healthy"}""";

        var doc = ConnectionDocument.FromJson(old, "conn-old-doc");

        Assert.Equal(7, doc.Generation);
        Assert.Null(doc.WriterId);
    }

    private static async Task<(ConnectionSession Session, Exception? Error)> Outcome(ConnectionSession session)
    {
        var error = await Record.ExceptionAsync(() => session.SaveAsync(CancellationToken.None));
        return (session, error);
    }

    /// <summary>A lease that always believes it is held: the seam for "two holders that both think they hold it".</summary>
    private sealed class HeldLease : ILease
    {
        public string Key => "conn-" + Name;

        public CancellationToken Lost => CancellationToken.None;

        public void EnsureHeld()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Lets every writer pass its pre-write check, then holds each write until all wrote: the overlap.</summary>
    private sealed class OverlappingWritesStore(IConnectionStore inner, int writers) : IConnectionStore
    {
        private readonly Barrier _beforeWrite = new(writers);
        private readonly Barrier _afterWrite = new(writers);
        private readonly SemaphoreSlim _oneAtATime = new(1, 1);

        public IAsyncEnumerable<ConnectionIndex> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

        public Task<ConnectionDocument?> GetAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

        public async Task SaveAsync(ConnectionDocument document, ConnectionIndex index, CancellationToken cancellationToken = default)
        {
            await Task.Run(() => _beforeWrite.SignalAndWait(TimeSpan.FromSeconds(30)), cancellationToken);
            await _oneAtATime.WaitAsync(cancellationToken);
            try
            {
                await inner.SaveAsync(document, index, cancellationToken);
            }
            finally
            {
                _oneAtATime.Release();
            }

            await Task.Run(() => _afterWrite.SignalAndWait(TimeSpan.FromSeconds(30)), cancellationToken);
        }

        public Task UpdateIndexAsync(ConnectionIndex index, CancellationToken cancellationToken = default) => inner.UpdateIndexAsync(index, cancellationToken);

        public Task<bool> DeleteAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);

        public Task<bool> IsDeletedAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.IsDeletedAsync(name, cancellationToken);

        public Task RecoverAsync(ConnectionName name, CancellationToken cancellationToken = default) => inner.RecoverAsync(name, cancellationToken);
    }
}
