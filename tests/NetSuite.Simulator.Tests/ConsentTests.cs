using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace NetSuite.Simulator.Tests;

/// <summary><c>GET/POST {App}/app/login/oauth2/authorize.nl</c>: validation, the HTML consent page, Allow and Deny, the test switches.</summary>
public sealed class ConsentTests
{
    private static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var document = await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html));
        return (IHtmlDocument)document;
    }

    /// <summary>Submits the consent form as a browser would when the named button is clicked.</summary>
    private static async Task<HttpResponseMessage> ClickAsync(Harness h, IHtmlDocument page, string buttonId, string? roleValue = null)
    {
        var form = page.QuerySelector<IHtmlFormElement>("form#consent")!;
        var button = page.QuerySelector<IHtmlButtonElement>($"button#{buttonId}")!;
        var fields = form.QuerySelectorAll<IHtmlInputElement>("input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        var select = form.QuerySelector<IHtmlSelectElement>("select[name=role]")!;
        fields.Add(new("role", roleValue ?? select.Value ?? ""));
        fields.Add(new(button.Name!, button.Value));
        var action = new Uri(new Uri(h.Sim.BaseUrl), form.GetAttribute("action"));
        Assert.Equal("post", form.Method, ignoreCase: true);
        return await h.Http.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    [Fact]
    public async Task Consent_page_has_Allow_and_Deny_buttons_and_a_role_choice()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.AuthorizeUrl());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var page = await ParseAsync(response);
        Assert.NotNull(page.QuerySelector<IHtmlButtonElement>("button#allow"));
        Assert.NotNull(page.QuerySelector<IHtmlButtonElement>("button#deny"));
        var options = page.QuerySelectorAll("select[name=role] option").Select(o => o.GetAttribute("value")).ToList();
        Assert.Equal(new[] { $"{h.User.EntityId}:1000", $"{h.User.EntityId}:3" }.Order(StringComparer.Ordinal), options.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Allow_redirects_with_state_role_entity_company_and_code()
    {
        await using var h = await Harness.StartAsync();
        using var page = await h.Http.GetAsync(h.AuthorizeUrl());
        using var response = await ClickAsync(h, await ParseAsync(page), "allow", $"{h.User.EntityId}:3");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith(Harness.RedirectUri + "?", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var p = Harness.RedirectParameters(response);
        Assert.Equal(Harness.State22, p["state"]);
        Assert.Equal("3", p["role"]);
        Assert.Equal(h.User.EntityId.ToString(System.Globalization.CultureInfo.InvariantCulture), p["entity"]);
        Assert.Equal("1234567_SB1", p["company"]);
        Assert.Matches("^[0-9a-f]{64}$", p["code"]);
        Assert.False(p.ContainsKey("error"));
    }

    [Fact]
    public async Task Deny_redirects_with_access_denied_and_no_code()
    {
        await using var h = await Harness.StartAsync();
        using var page = await h.Http.GetAsync(h.AuthorizeUrl());
        using var response = await ClickAsync(h, await ParseAsync(page), "deny");

        var p = Harness.RedirectParameters(response);
        Assert.Equal("access_denied", p["error"]);
        Assert.Equal(Harness.State22, p["state"]);
        Assert.False(p.ContainsKey("code"));
        Assert.Equal("AuthorizationExplicitlyDenied", h.LastAudit(SimEndpoint.AuthorizeDecision).Detail);
    }

    [Fact]
    public async Task Consent_form_cannot_be_submitted_twice()
    {
        await using var h = await Harness.StartAsync();
        using var page = await h.Http.GetAsync(h.AuthorizeUrl());
        var document = await ParseAsync(page);
        using var first = await ClickAsync(h, document, "allow");
        using var second = await ClickAsync(h, document, "allow");

        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Null(second.Headers.Location);
    }

    [Fact]
    public async Task Unknown_client_gets_an_error_page_and_no_redirect()
    {
        await using var h = await Harness.StartAsync();
        var url = h.AuthorizeUrl().Replace(h.Integration.ClientId, new string('0', 64), StringComparison.Ordinal);
        using var response = await h.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("Unknown application", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("UnknownIntegration", h.LastAudit(SimEndpoint.Authorize).Detail);
    }

    [Theory]
    [InlineData("https://app.example.com/netsuite/callback/")]
    [InlineData("https://evil.example.com/netsuite/callback")]
    [InlineData(null)]
    public async Task Redirect_uri_that_is_not_exactly_registered_gets_an_error_page_and_no_redirect(string? redirectUri)
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.AuthorizeUrl(redirectUri: redirectUri));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("InvalidRedirectURI", h.LastAudit(SimEndpoint.Authorize).Detail);
    }

    [Theory]
    [InlineData("short-state", null, "S256", "rest_webservices", "code", "invalid_request", "InvalidState")]
    [InlineData(Harness.State22, "Who5QBshz2Mu1Mq6GuAknYA5TnjA-0z7VhAgLloec1s", "plain", "rest_webservices", "code", "invalid_request", "InvalidRequest")]
    [InlineData(Harness.State22, "Who5QBshz2Mu1Mq6GuAknYA5TnjA-0z7VhAgLloec1s", null, "rest_webservices", "code", "invalid_request", "InvalidRequest")]
    [InlineData(Harness.State22, null, "S256", "suite_analytics", "code", "invalid_scope", "ScopeMismatched")]
    [InlineData(Harness.State22, null, "S256", "mcp restlets", "code", "invalid_scope", "InvalidScope")]
    [InlineData(Harness.State22, null, "S256", "rest_webservices", "token", "unsupported_response_type", "UnsupportedResponseType")]
    public async Task Invalid_parameters_redirect_with_an_error(string state, string? challenge, string? method, string scope, string responseType, string error, string detail)
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.AuthorizeUrl(state: state, challenge: challenge, method: method, scope: scope, responseType: responseType));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var p = Harness.RedirectParameters(response);
        Assert.Equal(error, p["error"]);
        Assert.Equal(state, p["state"]);
        Assert.False(p.ContainsKey("code"));
        Assert.Equal(detail, h.LastAudit(SimEndpoint.Authorize).Detail);
    }

    [Fact]
    public async Task Public_client_without_PKCE_is_refused()
    {
        await using var h = await Harness.StartAsync();
        var publicClient = h.State.AddIntegration(Harness.Account, new IntegrationSpec { PublicClient = true, RedirectUris = [Harness.RedirectUri] });
        using var response = await h.Http.GetAsync(h.AuthorizeUrl(publicClient));

        Assert.Equal("invalid_request", Harness.RedirectParameters(response)["error"]);
    }

    [Fact]
    public async Task Blocked_integration_is_refused_with_unauthorized_client()
    {
        await using var h = await Harness.StartAsync();
        h.Integration.State = IntegrationState.Blocked;
        using var response = await h.Http.GetAsync(h.AuthorizeUrl());

        Assert.Equal("unauthorized_client", Harness.RedirectParameters(response)["error"]);
        Assert.Equal("IntegrationBlocked", h.LastAudit(SimEndpoint.Authorize).Detail);
    }

    [Fact]
    public async Task Auto_approve_switch_redirects_at_once_with_the_preferred_role()
    {
        await using var h = await Harness.StartAsync(m => m.Consent = ConsentMode.AutoApprove);
        h.State.SetConsentUser(Harness.Account, Harness.Email, 3);
        using var response = await h.Http.GetAsync(h.AuthorizeUrl());

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var p = Harness.RedirectParameters(response);
        Assert.Equal("3", p["role"]);
        Assert.True(p.ContainsKey("code"));
    }

    [Fact]
    public async Task Auto_deny_switch_redirects_at_once_with_access_denied()
    {
        await using var h = await Harness.StartAsync(m => m.Consent = ConsentMode.AutoDeny);
        using var response = await h.Http.GetAsync(h.AuthorizeUrl());

        Assert.Equal("access_denied", Harness.RedirectParameters(response)["error"]);
    }

    [Fact]
    public async Task Company_parameter_can_use_the_host_label_form()
    {
        await using var h = await Harness.StartAsync(m => m.CompanyParameter = CompanyParameterFormat.HostLabel);
        var p = await h.ConsentAsync();

        Assert.Equal("1234567-sb1", p["company"]);
    }

    [Fact]
    public async Task Prompt_none_without_the_switch_redirects_with_login_required()
    {
        await using var h = await Harness.StartAsync();
        using var response = await h.Http.GetAsync(h.AuthorizeUrl(extra: "&prompt=none"));

        Assert.Equal("login_required", Harness.RedirectParameters(response)["error"]);
    }

    [Fact]
    public async Task Consent_page_encodes_names_it_shows()
    {
        await using var h = await Harness.StartAsync();
        h.Integration.Name = "<script>alert(1)</script>";
        using var response = await h.Http.GetAsync(h.AuthorizeUrl());
        var html = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Realm_form_of_the_account_in_the_path_is_accepted()
    {
        await using var h = await Harness.StartAsync();
        var url = h.AuthorizeUrl().Replace("/1234567-sb1/", "/1234567_SB1/", StringComparison.Ordinal);
        using var response = await h.Http.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"allow\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
