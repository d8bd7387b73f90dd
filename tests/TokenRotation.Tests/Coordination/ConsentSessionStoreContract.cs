using Azure.Data.Tables;
using Testing.Shared;
using TokenRotation.Coordination;

namespace TokenRotation.Tests.Coordination;

/// <summary>A consent session is consumed once, whatever the implementation.</summary>
public abstract class ConsentSessionStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    protected IConsentSessionStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IConsentSessionStore> CreateStoreAsync();

    protected static ConsentSession NewSession(DateTimeOffset? expiresAt = null) => new(
        State: $"state-{Guid.NewGuid():N}",
        Connection: "conn-demo",
        BrowserBinding: $"binding-{Guid.NewGuid():N}",
        EncryptedVerifier: $"verifier-{Guid.NewGuid():N}",
        ExpiresAt: expiresAt ?? Now.AddMinutes(30));

    [Fact]
    public async Task A_session_is_returned_once_with_its_fields()
    {
        var session = NewSession();
        await Store.CreateAsync(session);

        var consumed = await Store.TryConsumeAsync(session.State);

        Assert.Equal(session, consumed);
        Assert.Null(await Store.TryConsumeAsync(session.State));
    }

    [Fact]
    public async Task Of_concurrent_consumers_exactly_one_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var session = NewSession();
            await Store.CreateAsync(session);

            var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Store.TryConsumeAsync(session.State)));

            Assert.Equal(session, Assert.Single(results, r => r is not null));
        }
    }

    [Fact]
    public async Task An_expired_session_is_still_returned_once_so_the_caller_can_say_it_expired()
    {
        var session = NewSession(expiresAt: Now.AddDays(-1));
        await Store.CreateAsync(session);

        var consumed = await Store.TryConsumeAsync(session.State);

        Assert.NotNull(consumed);
        Assert.True(consumed.ExpiresAt < Now);
        Assert.Null(await Store.TryConsumeAsync(session.State));
    }

    [Fact]
    public async Task Purging_deletes_only_sessions_that_expired_before_the_cutoff_used_or_not()
    {
        var cutoff = Now.AddDays(-7);
        var oldUnused = NewSession(expiresAt: cutoff.AddMinutes(-1));
        var oldUsed = NewSession(expiresAt: cutoff.AddDays(-3));
        var recent = NewSession(expiresAt: cutoff.AddMinutes(1));
        var live = NewSession();
        foreach (var session in new[] { oldUnused, oldUsed, recent, live })
        {
            await Store.CreateAsync(session);
        }

        Assert.NotNull(await Store.TryConsumeAsync(oldUsed.State));

        Assert.Equal(2, await Store.PurgeExpiredAsync(cutoff));

        Assert.Null(await Store.TryConsumeAsync(oldUnused.State));
        Assert.Equal(recent, await Store.TryConsumeAsync(recent.State));
        Assert.Equal(live, await Store.TryConsumeAsync(live.State));
        Assert.Equal(0, await Store.PurgeExpiredAsync(cutoff));
    }

    [Fact]
    public async Task An_unknown_state_returns_null()
    {
        Assert.Null(await Store.TryConsumeAsync($"state-{Guid.NewGuid():N}"));
        Assert.Null(await Store.TryConsumeAsync(""));
        Assert.Null(await Store.GetAsync($"state-{Guid.NewGuid():N}"));
        Assert.Null(await Store.GetAsync(""));
    }

    [Fact]
    public async Task A_session_can_be_read_any_number_of_times_without_being_used()
    {
        var session = NewSession() with { Link = "link-hash" };
        await Store.CreateAsync(session);

        Assert.Equal(session, await Store.GetAsync(session.State));
        Assert.Equal(session, await Store.GetAsync(session.State));
        Assert.Equal(session, await Store.TryConsumeAsync(session.State));
        Assert.Null(await Store.GetAsync(session.State));
    }

    [Fact]
    public async Task Opening_one_link_fifty_times_leaves_only_the_last_session()
    {
        var link = $"link-{Guid.NewGuid():N}";
        var other = NewSession() with { Link = $"link-{Guid.NewGuid():N}" };
        var unlinked = NewSession();
        await Store.CreateAsync(other);
        await Store.CreateAsync(unlinked);
        var opened = new List<ConsentSession>();
        for (var i = 0; i < 50; i++)
        {
            var session = NewSession() with { Link = link };
            await Store.CreateAsync(session);
            opened.Add(session);
        }

        foreach (var replaced in opened.SkipLast(1))
        {
            Assert.Null(await Store.GetAsync(replaced.State));
            Assert.Null(await Store.TryConsumeAsync(replaced.State));
        }

        Assert.Equal(opened[^1], await Store.TryConsumeAsync(opened[^1].State));
        Assert.Equal(other, await Store.GetAsync(other.State));
        Assert.Equal(unlinked, await Store.GetAsync(unlinked.State));
    }

    [Fact]
    public async Task Concurrent_openings_of_one_link_leave_exactly_one_usable_session()
    {
        var link = $"link-{Guid.NewGuid():N}";
        var sessions = Enumerable.Range(0, 12).Select(_ => NewSession() with { Link = link }).ToList();

        await Task.WhenAll(sessions.Select(s => Store.CreateAsync(s)));

        var usable = new List<ConsentSession>();
        foreach (var session in sessions)
        {
            if (await Store.GetAsync(session.State) is { } found)
            {
                usable.Add(found);
            }
        }

        Assert.Single(usable);
    }

    [Fact]
    public async Task A_second_session_with_the_same_state_is_refused()
    {
        var session = NewSession();
        await Store.CreateAsync(session);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CreateAsync(session with { Connection = "conn-other" }));
        Assert.Equal("conn-demo", (await Store.TryConsumeAsync(session.State))!.Connection);
    }
}

public sealed class InMemoryConsentSessionStoreTests : ConsentSessionStoreContract
{
    protected override Task<IConsentSessionStore> CreateStoreAsync() => Task.FromResult<IConsentSessionStore>(new InMemoryConsentSessionStore());
}

public sealed class TableConsentSessionStoreTests : ConsentSessionStoreContract
{
    private TableClient _table = null!;

    protected override async Task<IConsentSessionStore> CreateStoreAsync()
    {
        var azurite = await Azurite.GetAsync();
        _table = azurite.CreateTableServiceClient().GetTableClient($"consent{Guid.NewGuid():N}");
        return new TableConsentSessionStore(_table);
    }

    [Fact]
    public async Task Fifty_openings_of_one_link_keep_one_session_row_and_one_pointer_which_purging_removes()
    {
        var link = $"link-{Guid.NewGuid():N}";
        for (var i = 0; i < 50; i++)
        {
            await Store.CreateAsync(NewSession(expiresAt: Now.AddMinutes(i)) with { Link = link });
        }

        var rows = _table.QueryAsync<TableEntity>().ToBlockingEnumerable().ToList();
        Assert.Single(rows, r => r.PartitionKey == TableConsentSessionStore.PartitionKey);
        Assert.Equal(link, Assert.Single(rows, r => r.PartitionKey == TableConsentSessionStore.LinkPartitionKey).RowKey);

        Assert.Equal(2, await Store.PurgeExpiredAsync(Now.AddDays(1)));
        Assert.Empty(_table.QueryAsync<TableEntity>().ToBlockingEnumerable());
    }

    [Fact]
    public async Task The_state_is_stored_only_as_its_hash()
    {
        var session = NewSession();

        await Store.CreateAsync(session);

        var row = Assert.Single(_table.QueryAsync<TableEntity>().ToBlockingEnumerable());
        Assert.Equal(CoordinationKeys.Sha256Hex(session.State), row.RowKey);
        Assert.DoesNotContain(((IDictionary<string, object>)row).Values, v => v?.ToString()?.Contains(session.State, StringComparison.Ordinal) == true);
        Assert.Equal(false, row.GetBoolean("Used"));
    }
}
