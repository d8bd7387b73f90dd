using NetSuite.Auth;
using TokenRotation.Connections;

namespace TokenRotation.Tests.Engine;

public sealed class AccountRestrictionTests
{
    [Theory]
    [InlineData("1234567_SB*", "1234567_SB1", true)]
    [InlineData("1234567_SB*", "1234567-sb12", true)]
    [InlineData("1234567_SB*", "1234567", false)]
    [InlineData("1234567_SB*", "12345678_SB1", false)]
    [InlineData("1234567_SB*", "7654321_SB1", false)]
    [InlineData("1234567-sb*", "1234567_SB2", true)]
    [InlineData("1234567", "1234567", true)]
    [InlineData("1234567", "1234567_SB1", false)]
    [InlineData("1234567-sb1", "1234567_SB1", true)]
    [InlineData("tstdrv123", "TSTDRV123", true)]
    public void An_entry_allows_its_account_or_the_sandboxes_it_names_and_nothing_else(string entry, string account, bool allowed)
    {
        Assert.True(AccountRestriction.TryNormalize(entry, out var normalized, out _));

        Assert.Equal(allowed, AccountRestriction.Allows([normalized], NetSuiteAccountId.Parse(account)));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("1234567*")]
    [InlineData("1234567_SB1_SB*")]
    [InlineData("TSTDRV1_SB*")]
    [InlineData("")]
    [InlineData("12 34")]
    public void An_entry_that_is_no_account_or_sandbox_wildcard_is_refused_with_the_forms_named(string entry)
    {
        Assert.False(AccountRestriction.TryNormalize(entry, out _, out var problem));

        Assert.Contains("1234567_SB* for every sandbox", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void No_entries_allow_any_account() =>
        Assert.True(AccountRestriction.Allows(null, NetSuiteAccountId.Parse("7654321")) && AccountRestriction.Allows([], NetSuiteAccountId.Parse("7654321")));
}
