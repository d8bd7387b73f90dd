using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;

namespace TokenRotation.Tests.Engine;

/// <summary>The decision on an exchanged grant, with token shapes the simulator does not issue.</summary>
public sealed class ConsentGrantCheckTests
{
    private static readonly NetSuiteAccountId Account = NetSuiteAccountId.Parse("1234567_SB1");

    private static readonly ConsentCompletion Query = new("code", "verifier", "1234567_SB1", "3", "7");

    private static NetSuiteTokenFacts Token(string? sub, string? company = "1234567_SB1")
    {
        var payload = new Dictionary<string, object> { ["exp"] = 1_700_000_000 };
        if (sub is not null)
        {
            payload["sub"] = sub;
        }

        if (company is not null)
        {
            payload["aud"] = new[] { $"6ACBD51C-514B-4F59-B1C3-CB35FF7E9A6A;{company}", "client-id" };
        }

        static string Part(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        return NetSuiteTokenFacts.Read(Part("""{"alg":"RS256"}""") + "." + Part(JsonSerializer.Serialize(payload)) + ".c2ln");
    }

    private static ConsentGrantDecision Decide(NetSuiteTokenFacts? refresh, NetSuiteTokenFacts? access = null, string? role = null, string? entity = null, ConsentCompletion? query = null) =>
        ConsentGrantCheck.Decide("crm", Account, role, entity, query ?? Query, refresh, access);

    [Fact]
    public void The_refresh_tokens_role_and_entity_are_pinned()
    {
        var decision = Decide(Token("3;7"));

        Assert.Null(decision.Refusal);
        Assert.Equal(("3", "7"), (decision.RoleId, decision.EntityId));
    }

    [Fact]
    public void The_refresh_tokens_subject_wins_over_the_access_tokens()
    {
        var decision = Decide(Token("3;7"), Token("4030059;0;5;9;N"));

        Assert.Equal(("3", "7"), (decision.RoleId, decision.EntityId));
    }

    [Fact]
    public void The_access_tokens_long_subject_is_used_when_the_refresh_token_names_no_role()
    {
        var decision = Decide(Token("odd"), Token("4030059;0;3;7;N"), role: "3", entity: "7");

        Assert.Null(decision.Refusal);
        Assert.Equal(("3", "7"), (decision.RoleId, decision.EntityId));
    }

    [Theory]
    [InlineData("7654321", "7654321")]
    [InlineData("1234567", "1234567")]
    [InlineData("not an account", "(not readable)")]
    public void A_token_issued_for_another_account_is_refused_naming_the_account_it_came_from_and_the_one_expected(string company, string named)
    {
        var decision = Decide(Token("3;7", company));

        // The person sees which account they consented in and which one to log in to; a value that is not an
        // account id is not repeated.
        Assert.Contains($"came from NetSuite account {named},", decision.Refusal, StringComparison.Ordinal);
        Assert.Contains("expects account 1234567_SB1", decision.Refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("not an account", decision.Refusal!, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sandbox_account_in_the_token_may_be_written_in_the_host_form()
    {
        Assert.Null(Decide(Token("3;7", "1234567-sb1")).Refusal);
    }

    [Theory]
    [InlineData("4", "7", "1234567_SB1")]
    [InlineData("3", "8", "1234567_SB1")]
    [InlineData("3", "7", "7654321")]
    public void A_query_that_disagrees_with_the_token_is_refused_without_repeating_it(string role, string entity, string company)
    {
        var decision = Decide(Token("3;7"), query: Query with { Role = role, Entity = entity, Company = company });

        Assert.Contains("does not match what NetSuite issued", decision.Refusal, StringComparison.Ordinal);
        Assert.Null(decision.RoleId);
    }

    [Fact]
    public void A_token_without_a_company_is_checked_on_role_and_entity_only()
    {
        Assert.Null(Decide(Token("3;7", company: null), role: "3", entity: "7").Refusal);
        Assert.NotNull(Decide(Token("3;7", company: null), role: "4").Refusal);
    }

    [Theory]
    [InlineData("3", null)]
    [InlineData(null, "7")]
    public void Tokens_that_name_no_role_cannot_satisfy_a_pinned_connection(string? role, string? entity)
    {
        var decision = Decide(Token(null), Token("x;y;z"), role: role, entity: entity);

        Assert.Contains("do not say which role and user", decision.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokens_that_name_no_role_are_accepted_on_a_first_consent_without_pinning_the_query()
    {
        var unreadable = Decide(null, null);
        var unnamed = Decide(Token(null));

        Assert.Equal(new ConsentGrantDecision(null, null, null), unreadable);
        Assert.Equal(new ConsentGrantDecision(null, null, null), unnamed);
    }

    [Theory]
    [InlineData("4", null, "role 4")]
    [InlineData(null, "8", "user 8")]
    public void A_token_for_another_pinned_role_or_user_is_refused_naming_both(string? role, string? entity, string expects)
    {
        var decision = Decide(Token("3;7"), role: role, entity: entity);

        Assert.Contains("expects " + expects, decision.Refusal, StringComparison.Ordinal);
    }
}
