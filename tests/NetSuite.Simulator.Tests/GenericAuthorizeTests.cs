using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace NetSuite.Simulator.Tests;

/// <summary><c>/system/app/login/oauth2/authorize.nl</c>: login first, then the account the user belongs to.</summary>
public sealed class GenericAuthorizeTests
{
    [Fact]
    public async Task The_generic_page_asks_for_a_login_and_continues_at_the_only_account_of_the_user_with_the_same_query()
    {
        await using var h = await Harness.StartAsync();
        var query = new Uri(h.AuthorizeUrl()).Query;

        using var login = await h.Http.GetAsync(h.Sim.GenericAuthorizeUrl + query);
        var form = await ParseAsync(login);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.NotNull(form.QuerySelector("input#email"));
        using var wrong = await PostLoginAsync(h, form, Harness.Email, "not the password");
        using var right = await PostLoginAsync(h, form, Harness.Email, Harness.Password);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Found, right.StatusCode);
        Assert.Equal(h.Sim.AuthorizeUrl(Harness.Account) + query, right.Headers.Location!.AbsoluteUri);
        using var consent = await h.Http.GetAsync(right.Headers.Location);
        Assert.NotNull((await ParseAsync(consent)).QuerySelector("button#allow"));
    }

    [Fact]
    public async Task A_user_of_two_accounts_with_the_integration_chooses_one_and_the_redirect_names_it()
    {
        await using var h = await Harness.StartAsync(m => m.Consent = ConsentMode.Interactive);
        h.State.AddAccount("7654321");
        h.State.AddUser("7654321", Harness.Email, Harness.Password, null, 1000);
        h.State.AddIntegration("7654321", new IntegrationSpec { RedirectUris = [Harness.RedirectUri], ClientId = h.Integration.ClientId, ClientSecret = h.Integration.ClientSecret });
        var query = new Uri(h.AuthorizeUrl()).Query;
        using var login = await h.Http.GetAsync(h.Sim.GenericAuthorizeUrl + query);

        using var chooser = await PostLoginAsync(h, await ParseAsync(login), Harness.Email, Harness.Password);
        var links = (await ParseAsync(chooser)).QuerySelectorAll<IHtmlAnchorElement>("a[id^=account-]").Select(a => a.Id).ToList();
        Assert.Equal(["account-1234567-sb1", "account-7654321"], links);
        var href = (await ParseAsync(chooser)).QuerySelector<IHtmlAnchorElement>("a#account-7654321")!.GetAttribute("href")!;
        h.Sim.Modes.Consent = ConsentMode.AutoApprove;
        using var redirect = await h.Http.GetAsync(href);

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal("7654321", Harness.RedirectParameters(redirect)["company"]);
    }

    [Fact]
    public async Task An_unknown_client_gets_an_error_page_and_no_redirect()
    {
        await using var h = await Harness.StartAsync();
        var query = new Uri(h.AuthorizeUrl()).Query.Replace(h.Integration.ClientId, "0123456789abcdef", StringComparison.Ordinal);

        using var response = await h.Http.GetAsync(h.Sim.GenericAuthorizeUrl + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    private static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        return (IHtmlDocument)await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html));
    }

    private static Task<HttpResponseMessage> PostLoginAsync(Harness h, IHtmlDocument form, string email, string password) =>
        h.Http.PostAsync(h.Sim.BaseUrl + form.QuerySelector<IHtmlFormElement>("form#login")!.GetAttribute("action"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["q"] = form.QuerySelector<IHtmlInputElement>("input[name=q]")!.Value,
            ["email"] = email,
            ["password"] = password,
        }));
}
