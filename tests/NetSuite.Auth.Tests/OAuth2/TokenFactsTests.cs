using Microsoft.Extensions.Time.Testing;
using NetSuite.Auth.OAuth2;

namespace NetSuite.Auth.Tests.OAuth2;

public class TokenFactsTests
{
    // Oracle's refresh-token sample (NetSuite topic 1.4 / ORA section_158082518856): a 7-day refresh token.
    private const string OracleRefreshToken =
        "eyJraWQiOiJzLlNZU1RFTS4yMDIwXzEiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9."
        + "eyJzdWIiOiIzOzciLCJhdWQiOlsiNkFDQkQ1MUMtNTE0Qi00RjU5LUIxQzMtQ0IzNUZGN0U5QTZBOzQwMzAwNTkiLCI0Nzc2MWI3NzY1MjJlMTg2ZmNkNzdmMTNjMjVlOGNjZjk5YWY5MDFhNjc4YTY2ZTcwMGIxNjFlZWZlOGZhODhkIl0sInNjb3BlIjpbInJlc3Rfd2Vic2VydmljZXMiLCJyZXN0bGV0cyJdLCJpc3MiOiJodHRwczpcL1wvc3lzdGVtLm5ldHN1aXRlLmNvbSIsIm9pdCI6MTYxMTA2NzY1NSwiZXhwIjoxNjExNjcyNDU1LCJpYXQiOjE2MTEwNjc2NTUsImp0aSI6IjQwMzAwNTkuci41YjMyMzZiOS1mZmVlLTQyZDMtYmQ1Ny00YmU3YjQ0MzlhMzdfMTYxMTA2NzY1NTM1OS4wIn0."
        + "BbSQ86Phg6CKLMJ9gJQurs1NK6niSxFzF2EBFT--KFysI2AV9S1llZgxsRNIrMXsDioaepdWsGzrKepJXq25t5Sr7f-jBwTLK9g9SkFAvvEFsVJCYbdA4_BNZkHKlCC-1mA_yFNZWBYPdfCMGDX39iIDd7LVkaj-oPjpnuRnnK1ntNzxHx0coJiXwj3KfOI0PK7xfG1zbVSW14XOlatWbi80MY0ZQCgF41nFs-Rv-a7r-b51mMrm6kKZx-0MXfKRYT60H3gPXCk2QzkKovKy3kBVjajbtVPNS2tF_SbFNWOXJrn4MFzvnnDy0qsxT_Ijy3S5LTgk4YLrlwKv_XoE7A";

    [Fact]
    public void Oracle_sample_refresh_token_has_a_seven_day_lifetime_and_role_entity_subject()
    {
        var facts = NetSuiteTokenFacts.Read(OracleRefreshToken);

        Assert.Equal(TimeSpan.FromDays(7), facts.ExpiresAt - facts.IssuedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1611067655), facts.OriginalIssuedAt);
        Assert.Equal("3;7", facts.Subject);
        Assert.Equal("3", facts.RoleId);
        Assert.Equal("7", facts.EntityId);
        Assert.Equal("4030059", facts.Company);
        Assert.Equal(NetSuiteTokenKind.Refresh, facts.Kind);
        Assert.Equal("https://system.netsuite.com", facts.Issuer);
        Assert.Equal("RS256", facts.Algorithm);
        Assert.Equal("s.SYSTEM.2020_1", facts.KeyId);
        Assert.Equal(["rest_webservices", "restlets"], facts.Scopes);
        Assert.Equal(2, facts.Audiences.Count);
    }

    [Fact]
    public void Read_gives_every_claim_of_a_NetSuite_access_token()
    {
        var token = TestJwt.Access(1_700_000_000);

        var facts = NetSuiteTokenFacts.Read(token);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_003_600), facts.ExpiresAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), facts.IssuedAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), facts.OriginalIssuedAt);
        Assert.Equal(["6ACBD51C-514B-4F59-B1C3-CB35FF7E9A6A;1234567", "client-id"], facts.Audiences);
        Assert.Equal("1234567", facts.Company);
        Assert.Equal(NetSuiteTokenKind.Access, facts.Kind);
        Assert.StartsWith("1234567.a.", facts.TokenId, StringComparison.Ordinal);
    }

    [Fact]
    public void RemainingLifetime_counts_down_with_the_clock()
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Access(1_700_000_000));
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        Assert.Equal(TimeSpan.FromHours(1), facts.RemainingLifetime(time));
        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(TimeSpan.FromMinutes(-1), facts.RemainingLifetime(time));
        Assert.Throws<ArgumentNullException>(() => facts.RemainingLifetime(null!));
    }

    [Fact]
    public void Aud_as_a_string_and_scope_as_a_string_are_read_as_lists()
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Create("""{"exp":1700000000,"aud":"only-client","scope":"restlets rest_webservices,suite_analytics"}"""));

        Assert.Equal(["only-client"], facts.Audiences);
        Assert.Null(facts.Company);
        Assert.Equal(["restlets", "rest_webservices", "suite_analytics"], facts.Scopes);
    }

    [Fact]
    public void Missing_optional_claims_are_null_or_empty()
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Create("""{"exp":1700000000,"iat":null,"aud":42,"scope":{"x":1},"sub":"no-separator","jti":17,"iss":true}""", "{}"));

        Assert.Null(facts.IssuedAt);
        Assert.Null(facts.OriginalIssuedAt);
        Assert.Empty(facts.Audiences);
        Assert.Empty(facts.Scopes);
        Assert.Equal("no-separator", facts.Subject);
        Assert.Null(facts.RoleId);
        Assert.Null(facts.EntityId);
        Assert.Null(facts.Issuer);
        Assert.Null(facts.Algorithm);
        Assert.Null(facts.KeyId);
        Assert.Equal("17", facts.TokenId);
        Assert.Equal(NetSuiteTokenKind.Unknown, facts.Kind);
    }

    [Theory]
    [InlineData("3;7", "3", "7")]
    [InlineData("4030059;0;3;7;N", "3", "7")]
    [InlineData("-5;1042", "-5", "1042")]
    public void Role_and_entity_are_read_from_the_short_and_the_long_subject(string subject, string role, string entity)
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Create($$"""{"exp":1700000000,"sub":"{{subject}}"}"""));

        Assert.Equal(subject, facts.Subject);
        Assert.Equal(role, facts.RoleId);
        Assert.Equal(entity, facts.EntityId);
    }

    [Theory]
    [InlineData("3;7;N")]
    [InlineData("1;2;3;4")]
    [InlineData("4030059;0;3;7;N;9")]
    [InlineData(";7")]
    [InlineData("3;")]
    [InlineData("4030059;0;;7;N")]
    [InlineData("4030059;0;3;;N")]
    [InlineData("")]
    public void A_subject_of_another_shape_gives_no_role_or_entity_and_no_error(string subject)
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Create($$"""{"exp":1700000000,"sub":"{{subject}}"}"""));

        Assert.Equal(subject, facts.Subject);
        Assert.Null(facts.RoleId);
        Assert.Null(facts.EntityId);
    }

    [Fact]
    public void Array_claims_skip_values_that_are_not_strings()
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Create("""{"exp":1700000000,"aud":["a",1,null,"b"],"scope":[]}"""));

        Assert.Equal(["a", "b"], facts.Audiences);
        Assert.Empty(facts.Scopes);
    }

    [Theory]
    [InlineData("3829855.a-a.1a5ac9ee-d8c7", NetSuiteTokenKind.Access)]
    [InlineData("4030059.a.5b3236b9", NetSuiteTokenKind.Access)]
    [InlineData("4030059.r.5b3236b9", NetSuiteTokenKind.Refresh)]
    [InlineData("3829855.r-r.1a5ac9ee", NetSuiteTokenKind.Refresh)]
    [InlineData("bZBqhA8MC6U0ukdsmPcp1KHG", NetSuiteTokenKind.Unknown)]
    public void Kind_comes_from_the_jti_marker(string jti, NetSuiteTokenKind kind)
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Create($$"""{"exp":1700000000,"jti":"{{jti}}"}"""));

        Assert.Equal(kind, facts.Kind);
    }

    [Fact]
    public void Fractional_exp_is_kept_to_the_millisecond()
    {
        var facts = NetSuiteTokenFacts.Read(TestJwt.Create("""{"exp":1700000000.25}"""));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), facts.ExpiresAt);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "secret-opaque-token-value", "3 dot-separated parts, found 1" },
        { "secret.part", "found 2" },
        { "secret!!.e30.sig", "header is not valid base64url" },
        { TestJwt.Part("{}") + ".secret!!.sig", "payload is not valid base64url" },
        { TestJwt.Part("not json secret") + "." + TestJwt.Part("{}") + ".sig", "header is not JSON" },
        { TestJwt.Part("{}") + "." + TestJwt.Part("[\"secret\"]") + ".sig", "JSON objects" },
        { TestJwt.Part("[]") + "." + TestJwt.Part("{}") + ".sig", "JSON objects" },
        { TestJwt.Part("{}") + "." + TestJwt.Part("""{"sub":"secret"}""") + ".sig", "no exp claim" },
        { TestJwt.Part("{}") + "." + TestJwt.Part("""{"exp":"secret"}""") + ".sig", "exp claim is not a number" },
        { TestJwt.Part("{}") + "." + TestJwt.Part("""{"exp":-1}""") + ".sig", "exp claim is not a number" },
        { TestJwt.Part("{}") + "." + TestJwt.Part("""{"exp":1e300}""") + ".sig", "exp claim is not a number" },
        { TestJwt.Part("{}") + "." + TestJwt.Part("""{"exp":1,"iat":"secret"}""") + ".sig", "iat claim" },
        { TestJwt.Part("{}") + "." + TestJwt.Part("""{"exp":1,"oit":true}""") + ".sig", "oit claim" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_tokens_give_a_clear_error_without_the_token_text(string token, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => NetSuiteTokenFacts.Read(token));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
        Assert.False(NetSuiteTokenFacts.TryRead(token, out var facts));
        Assert.Null(facts);
    }

    [Fact]
    public void TryRead_reads_good_tokens_and_refuses_null()
    {
        Assert.True(NetSuiteTokenFacts.TryRead(TestJwt.Refresh(), out var facts));
        Assert.Equal(NetSuiteTokenKind.Refresh, facts.Kind);
        Assert.False(NetSuiteTokenFacts.TryRead(null, out _));
        Assert.Throws<ArgumentNullException>(() => NetSuiteTokenFacts.Read(null!));
    }

    [Fact]
    public void Facts_ToString_holds_no_token_text()
    {
        var token = TestJwt.Access();

        var text = NetSuiteTokenFacts.Read(token).ToString();

        Assert.DoesNotContain(token.Split('.')[1], text, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], text, StringComparison.Ordinal);
    }
}
