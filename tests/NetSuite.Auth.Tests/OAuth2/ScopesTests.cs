using NetSuite.Auth.OAuth2;

namespace NetSuite.Auth.Tests.OAuth2;

public class ScopesTests
{
    [Fact]
    public void ToValues_lists_wire_values_in_fixed_order()
    {
        var values = NetSuiteScopeValues.ToValues(NetSuiteScopes.SuiteAnalytics | NetSuiteScopes.Restlets | NetSuiteScopes.RestWebServices);

        Assert.Equal(["restlets", "rest_webservices", "suite_analytics"], values);
    }

    [Fact]
    public void ToValues_accepts_mcp_alone()
    {
        Assert.Equal(["mcp"], NetSuiteScopeValues.ToValues(NetSuiteScopes.Mcp));
    }

    [Theory]
    [InlineData(NetSuiteScopes.None, "at least one")]
    [InlineData(NetSuiteScopes.Mcp | NetSuiteScopes.Restlets, "mcp")]
    [InlineData((NetSuiteScopes)64, "unknown")]
    public void Validate_rejects_empty_unknown_and_mcp_combined(NetSuiteScopes scopes, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => NetSuiteScopeValues.Validate(scopes));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("scope", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("restlets rest_webservices", NetSuiteScopes.Restlets | NetSuiteScopes.RestWebServices)]
    [InlineData("restlets+suite_analytics", NetSuiteScopes.Restlets | NetSuiteScopes.SuiteAnalytics)]
    [InlineData(" rest_webservices , restlets ", NetSuiteScopes.Restlets | NetSuiteScopes.RestWebServices)]
    [InlineData("mcp", NetSuiteScopes.Mcp)]
    public void Parse_reads_space_comma_and_plus_separated_values(string text, NetSuiteScopes expected)
    {
        Assert.Equal(expected, NetSuiteScopeValues.Parse(text));
    }

    [Theory]
    [InlineData("restlets openid", "openid")]
    [InlineData("Restlets", "Restlets")]
    [InlineData("mcp restlets", "mcp")]
    [InlineData("", "at least one")]
    public void Parse_rejects_unknown_or_invalid_scopes(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => NetSuiteScopeValues.Parse(text));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => NetSuiteScopeValues.Parse(null!));
    }
}
