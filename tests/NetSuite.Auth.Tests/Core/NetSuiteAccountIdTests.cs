namespace NetSuite.Auth.Tests.Core;

public sealed class NetSuiteAccountIdTests
{
    [Theory]
    [InlineData("1234567", "1234567", "1234567", false)]
    [InlineData("1234567_SB1", "1234567_SB1", "1234567-sb1", true)]
    [InlineData("1234567-sb1", "1234567_SB1", "1234567-sb1", true)]
    [InlineData("1234567_sb12", "1234567_SB12", "1234567-sb12", true)]
    [InlineData("TSTDRV1234567", "TSTDRV1234567", "tstdrv1234567", false)]
    [InlineData("tstdrv1234567", "TSTDRV1234567", "tstdrv1234567", false)]
    [InlineData(" 123456 ", "123456", "123456", false)]
    public void Accepted_forms_normalise_to_realm_and_host_label(string input, string realm, string hostLabel, bool sandbox)
    {
        var account = NetSuiteAccountId.Parse(input);

        Assert.Equal(realm, account.Realm);
        Assert.Equal(hostLabel, account.HostLabel);
        Assert.Equal(realm, account.ToString());
        Assert.Equal(sandbox, account.IsSandbox);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1234567_SB")]
    [InlineData("1234567_RP1")]
    [InlineData("1234567_sb1_sb2")]
    [InlineData("12 34567")]
    [InlineData("TSTDRV")]
    [InlineData("1234567.suitetalk.api.netsuite.com")]
    public void Other_values_are_refused_with_a_message_naming_the_value_and_the_accepted_forms(string input)
    {
        var error = Assert.Throws<FormatException>(() => NetSuiteAccountId.Parse(input));

        Assert.Contains($"'{input}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("1234567_SB1", error.Message, StringComparison.Ordinal);
        Assert.Contains("TSTDRV1234567", error.Message, StringComparison.Ordinal);
        Assert.False(NetSuiteAccountId.TryParse(input, out var none));
        Assert.Null(none);
    }

    [Theory]
    [InlineData("1234567\n")]
    [InlineData("1234567\r\n")]
    [InlineData("1234567_SB1\n")]
    [InlineData("\n1234567")]
    [InlineData("1234567\t")]
    [InlineData("1234\u00007")]
    [InlineData("TSTDRV1234567\u007f")]
    public void A_trailing_newline_or_any_control_character_is_refused(string input)
    {
        Assert.False(NetSuiteAccountId.TryParse(input, out var none));
        Assert.Null(none);
        Assert.Throws<FormatException>(() => NetSuiteAccountId.Parse(input));
    }

    [Fact]
    public void TryParse_refuses_null()
    {
        Assert.False(NetSuiteAccountId.TryParse(null, out var account));
        Assert.Null(account);
    }

    [Fact]
    public void Ids_are_equal_by_normalised_form()
    {
        var a = NetSuiteAccountId.Parse("1234567-sb1");
        var b = NetSuiteAccountId.Parse("1234567_SB1");
        var c = NetSuiteAccountId.Parse("1234567");
        object boxed = b;

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals(boxed));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.False(a.Equals(null));
        Assert.False(a.Equals("1234567_SB1"));
        Assert.False(a == null);
        Assert.True((NetSuiteAccountId?)null == null);
        Assert.Single(new HashSet<NetSuiteAccountId> { a, b });
    }
}
