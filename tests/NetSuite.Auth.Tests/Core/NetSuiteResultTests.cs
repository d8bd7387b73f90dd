namespace NetSuite.Auth.Tests.Core;

public sealed class NetSuiteResultTests
{
    [Fact]
    public void Success_holds_the_value_and_no_error()
    {
        var result = NetSuiteResult<string>.Success("value-secret");

        Assert.True(result.IsSuccess);
        Assert.Equal("value-secret", result.Value);
        Assert.Null(result.Error);
        Assert.Equal("Success", result.ToString());
    }

    [Fact]
    public void Failure_holds_the_error_and_Value_throws_with_the_error_in_the_message()
    {
        var error = new NetSuiteError(NetSuiteErrorClass.NeedsPerson, "invalid_grant", "Refresh token expired.") { StatusCode = 400 };
        var result = NetSuiteResult<string>.Failure(error);

        Assert.False(result.IsSuccess);
        Assert.Same(error, result.Error);
        var thrown = Assert.Throws<InvalidOperationException>(() => result.Value);
        Assert.Contains("NeedsPerson invalid_grant (HTTP 400): Refresh token expired.", thrown.Message, StringComparison.Ordinal);
        Assert.Equal("Failure: NeedsPerson invalid_grant (HTTP 400): Refresh token expired.", result.ToString());
        Assert.Throws<ArgumentNullException>(() => NetSuiteResult<string>.Failure(null!));
    }

    [Fact]
    public void Error_defaults_and_validation()
    {
        var error = new NetSuiteError(NetSuiteErrorClass.Transient, "network", "down");

        Assert.True(error.MayHaveBeenProcessed);
        Assert.Empty(error.LikelyCauses);
        Assert.Null(error.AuditTrailHint);
        Assert.Null(error.RetryAfter);
        Assert.Equal("Transient network: down", error.ToString());
        Assert.Throws<ArgumentException>(() => new NetSuiteError(NetSuiteErrorClass.Unexpected, " ", "m"));
        Assert.Throws<ArgumentNullException>(() => new NetSuiteError(NetSuiteErrorClass.Unexpected, "c", null!));
    }
}
