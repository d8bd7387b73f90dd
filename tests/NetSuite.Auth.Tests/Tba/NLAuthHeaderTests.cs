using NetSuite.Auth.Tba;
using NetSuite.Auth.Tests.Support;

namespace NetSuite.Auth.Tests.Tba;

public sealed class NLAuthHeaderTests
{
    [Fact]
    public void Header_escapes_every_value_and_carries_role_and_otp()
    {
        var header = NLAuthHeader.Create(Vectors.User(), "012345");

        Assert.Equal("NLAuth", header.Scheme);
        Assert.Equal(
            "nlauth_account=1234567_SB1, nlauth_email=j.smith%2Bns%40example.com, nlauth_signature=p%40ss%2C%20w%3Drd-VALUE, nlauth_role=3, nlauth_otp=012345",
            header.Parameter);
    }

    [Fact]
    public void Optional_fields_are_left_out_when_absent_and_application_id_is_included_when_given()
    {
        var withoutRole = new NLAuthCredentials(NetSuiteAccountId.Parse("123456"), "a@b.c", "pw", roleId: " ");
        var withApplication = new NLAuthCredentials(NetSuiteAccountId.Parse("123456"), "a@b.c", "pw", "3", "APP-1");

        Assert.Equal("nlauth_account=123456, nlauth_email=a%40b.c, nlauth_signature=pw", NLAuthHeader.BuildParameters(withoutRole));
        Assert.Equal(
            "nlauth_account=123456, nlauth_email=a%40b.c, nlauth_signature=pw, nlauth_role=3, nlauth_application_id=APP-1",
            NLAuthHeader.BuildParameters(withApplication, oneTimePassword: ""));
    }

    [Fact]
    public void Credentials_ToString_never_shows_the_password()
    {
        var text = Vectors.User().ToString();

        Assert.DoesNotContain(Vectors.Password, text, StringComparison.Ordinal);
        Assert.Contains("j.smith+ns@example.com", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_refuse_an_empty_password_naming_the_parameter()
    {
        var error = Assert.Throws<ArgumentException>(() => new NLAuthCredentials(Vectors.Sandbox, "a@b.c", ""));

        Assert.Equal("password", error.ParamName);
    }

    [Fact]
    public void Token_ToString_never_shows_the_secret()
    {
        var token = new TbaToken("token-id", "token-secret-VALUE");

        Assert.DoesNotContain("token-secret-VALUE", token.ToString(), StringComparison.Ordinal);
        Assert.Contains("token-id", token.ToString(), StringComparison.Ordinal);
    }
}
