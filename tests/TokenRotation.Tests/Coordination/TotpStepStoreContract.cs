using Azure.Data.Tables;
using Testing.Shared;
using TokenRotation.Coordination;

namespace TokenRotation.Tests.Coordination;

/// <summary>A TOTP step is single-use per (account, user), whatever the implementation.</summary>
public abstract class TotpStepStoreContract : IAsyncLifetime
{
    protected ITotpStepStore Store { get; private set; } = null!;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<ITotpStepStore> CreateStoreAsync();

    protected static string NewEmail() => $"rotator-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Of_concurrent_reservers_of_one_step_exactly_one_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var email = NewEmail();

            var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Store.TryReserveAsync("1234567", email, 58_000_000)));

            Assert.Single(results, r => r);
        }
    }

    [Fact]
    public async Task A_used_or_earlier_step_is_refused_and_a_later_one_is_reserved()
    {
        var email = NewEmail();

        Assert.True(await Store.TryReserveAsync("1234567", email, 100));
        Assert.False(await Store.TryReserveAsync("1234567", email, 100));
        Assert.False(await Store.TryReserveAsync("1234567", email, 99));
        Assert.True(await Store.TryReserveAsync("1234567", email, 101));
        Assert.False(await Store.TryReserveAsync("1234567", email, 100));
    }

    [Fact]
    public async Task The_same_user_is_the_same_whatever_the_case_of_the_email_or_the_form_of_the_account()
    {
        var email = NewEmail();

        Assert.True(await Store.TryReserveAsync("1234567_SB1", email, 200));

        Assert.False(await Store.TryReserveAsync("1234567-sb1", email.ToUpperInvariant(), 200));
    }

    [Fact]
    public async Task Other_users_and_other_accounts_have_their_own_steps()
    {
        var email = NewEmail();
        Assert.True(await Store.TryReserveAsync("1234567", email, 300));

        Assert.True(await Store.TryReserveAsync("1234567", NewEmail(), 300));
        Assert.True(await Store.TryReserveAsync("7654321", email, 300));
    }

    [Fact]
    public async Task A_login_refusal_is_kept_per_user_beside_the_steps_and_can_be_cleared()
    {
        var refusals = Assert.IsAssignableFrom<ILoginRefusalStore>(Store);
        var email = NewEmail();
        var at = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        Assert.True(await Store.TryReserveAsync("1234567_SB1", email, 500));

        await refusals.RecordRefusalAsync("1234567_SB1", email, new LoginRefusal("ab12", at, "conn-a"));
        Assert.True(await Store.TryReserveAsync("1234567_SB1", email, 501));

        Assert.Equal(new LoginRefusal("ab12", at, "conn-a"), await refusals.GetRefusalAsync("1234567-sb1", email.ToUpperInvariant()));
        Assert.Null(await refusals.GetRefusalAsync("1234567_SB1", NewEmail()));
        Assert.False(await Store.TryReserveAsync("1234567_SB1", email, 501));
        await refusals.ClearRefusalAsync("1234567_SB1", email);
        Assert.Null(await refusals.GetRefusalAsync("1234567_SB1", email));
        Assert.False(await Store.TryReserveAsync("1234567_SB1", email, 501));
    }
}

public sealed class InMemoryTotpStepStoreTests : TotpStepStoreContract
{
    protected override Task<ITotpStepStore> CreateStoreAsync() => Task.FromResult<ITotpStepStore>(new InMemoryTotpStepStore());
}

public sealed class TableTotpStepStoreTests : TotpStepStoreContract
{
    private TableClient _table = null!;

    protected override async Task<ITotpStepStore> CreateStoreAsync()
    {
        var azurite = await Azurite.GetAsync();
        _table = azurite.CreateTableServiceClient().GetTableClient($"totp{Guid.NewGuid():N}");
        return new TableTotpStepStore(_table);
    }

    [Fact]
    public async Task No_email_appears_in_the_table()
    {
        var email = NewEmail();

        await Store.TryReserveAsync("1234567_SB1", email, 400);

        var row = Assert.Single(_table.QueryAsync<TableEntity>().ToBlockingEnumerable());
        Assert.Equal("1234567_SB1", row.PartitionKey);
        Assert.Equal(CoordinationKeys.Sha256Hex(email), row.RowKey);
        Assert.Equal(400, row.GetInt64(TableTotpStepStore.LastStepProperty));
        Assert.DoesNotContain(((IDictionary<string, object>)row).Values, v => v?.ToString()?.Contains('@', StringComparison.Ordinal) == true);
    }
}
