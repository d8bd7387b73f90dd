using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.OAuth2.Jwt;
using NetSuite.Auth.Tba;
using NetSuite.Simulator;

namespace NetSuite.Auth.Tests;

/// <summary>
/// The usage example of src/NetSuite.Auth/README.md, run against the NetSuite simulator on loopback: a TBA-signed
/// call, an OAuth 2.0 refresh and a client-credentials mint through the <c>AddNetSuiteAuth</c> composition. A second
/// test holds the README's code block to the lines between the markers below, so the README cannot drift from code
/// that compiles and works.
/// </summary>
public sealed class ReadmeExampleTests
{
    private const string SimulatedAccount = "1234567_SB1";
    private const string Email = "integration@example.com";
    private const int RoleId = 1000;

    [Fact]
    public async Task The_readme_example_signs_a_TBA_call_refreshes_and_mints_against_the_simulator()
    {
        await using var simulator = await NetSuiteSimulator.StartAsync(new SimulatorOptions());
        simulator.State.AddAccount(SimulatedAccount, concurrencyLimit: 5);
        simulator.State.AddRole(SimulatedAccount, RoleId, "Integration Role", twoFactorRequired: false);
        var user = simulator.State.AddUser(SimulatedAccount, Email, "correct horse battery staple", null, RoleId);
        var integration = simulator.State.AddIntegration(SimulatedAccount);
        var issuedTba = simulator.State.IssueTbaToken(SimulatedAccount, integration.ConsumerKey, Email, RoleId);
        var grant = simulator.State.IssueOAuth2Tokens(SimulatedAccount, integration.ClientId, Email, RoleId);
        var certificate = simulator.State.AddGeneratedCertificate(SimulatedAccount, integration.ClientId, Email, RoleId, "ES256");

        // What the README's reader has from configuration and a secret store; here the simulator's hosts and credentials.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["NetSuite:Endpoints:SuiteTalkUrlTemplate"] = simulator.SuiteTalkTemplate,
                ["NetSuite:Endpoints:RestletsUrlTemplate"] = simulator.RestletsTemplate,
                ["NetSuite:Endpoints:AppUrlTemplate"] = simulator.AppTemplate,
            })
            .Build();
        string consumerKey = integration.ConsumerKey, consumerSecret = integration.ConsumerSecret;
        string tokenId = issuedTba.TokenId, tokenSecret = issuedTba.TokenSecret;
        string clientId = integration.ClientId, clientSecret = integration.ClientSecret, refreshToken = grant.RefreshToken;
        string privateKeyPem = certificate.PrivateKeyPem, certificateId = certificate.CertificateId;
        var recordUrl = new Uri(simulator.RecordUrl(SimulatedAccount, "customer/42"));

        // README example: begin
        var services = new ServiceCollection();
        services.AddNetSuiteAuth(endpoints => configuration.GetSection(NetSuiteEndpointOptions.SectionName).Bind(endpoints));
        services.AddHttpClient("netsuite").AddNetSuiteResilience();
        await using var provider = services.BuildServiceProvider();
        var account = NetSuiteAccountId.Parse("1234567_SB1");

        // 1. A TBA (OAuth 1.0a) signed call: the handler signs each attempt with a fresh nonce.
        var tba = new TbaCredentials(account, consumerKey, consumerSecret, tokenId, tokenSecret);
        using var request = new HttpRequestMessage(HttpMethod.Get, recordUrl).ForNetSuite(account, NetSuiteCallSafety.SafeToRetry);
        request.Options.Set(TbaSigningHandler.Credentials, tba);
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("netsuite");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();

        // 2. An OAuth 2.0 refresh. A confidential client keeps its refresh token; a public client gets a new one.
        var tokens = provider.GetRequiredService<NetSuiteTokenClient>();
        var client = OAuth2ClientAuthentication.Confidential(clientId, clientSecret);
        var refreshed = await tokens.RefreshAsync(account, client, refreshToken);
        if (!refreshed.IsSuccess)
        {
            throw new InvalidOperationException($"The refresh failed: {refreshed.Error}");
        }

        var accessToken = refreshed.Value.AccessToken;

        // 3. A client-credentials (M2M) mint: a JWT signed with the key of the certificate mapped in NetSuite.
        using var signer = EcdsaJwtSigner.FromPem(privateKeyPem, certificateId);
        var assertion = await provider.GetRequiredService<NetSuiteClientAssertionBuilder>().CreateAsync(
            account, new ClientAssertionOptions { ClientId = clientId, Scopes = NetSuiteScopes.RestWebServices }, signer);
        var minted = await tokens.ClientCredentialsAsync(account, assertion);
        // README example: end

        var record = await response.Content.ReadFromJsonAsync<JsonElement>();
        var caller = record.GetProperty("authenticatedAs");
        Assert.Equal("tba", caller.GetProperty("auth").GetString());
        Assert.Equal(user.EntityId, caller.GetProperty("entity").GetInt32());

        Assert.False(string.IsNullOrEmpty(accessToken));
        Assert.NotEqual(grant.AccessToken, accessToken);
        Assert.Null(refreshed.Value.RefreshToken);

        Assert.True(minted.IsSuccess, minted.ToString());
        Assert.False(string.IsNullOrEmpty(minted.Value.AccessToken));
        Assert.Null(minted.Value.RefreshToken);
    }

    [Fact]
    public void The_readme_shows_the_tested_example_verbatim()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "src", "NetSuite.Auth", "README.md"));
        var source = File.ReadAllText(Path.Combine(root, "tests", "NetSuite.Auth.Tests", "ReadmeExampleTests.cs"));

        var block = Between(readme, "```csharp\n", "```");
        var example = Between(source, "// README example: begin\n", "// README example: end");

        Assert.Equal(Dedent(example), Dedent(block));
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"'{start.Trim()}' not found.");
        from += start.Length;
        var to = text.IndexOf(end, from, StringComparison.Ordinal);
        Assert.True(to >= 0, $"'{end.Trim()}' not found after '{start.Trim()}'.");
        return text[from..to];
    }

    /// <summary>The lines without trailing blanks and without the indentation they share.</summary>
    private static string Dedent(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var indent = lines.Where(l => l.Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length == 0 ? l : l[indent..]));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}.");
    }
}
