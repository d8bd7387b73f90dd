using System.Net;
using System.Net.Sockets;
using System.Text;
using NetSuite.Simulator;
using TokenRotation.Connections;

namespace TokenRotation.Cli.Tests;

/// <summary>
/// <c>nstoken consent NAME</c> end to end: the command serves the consent link and the callback on loopback HTTPS, an
/// HttpClient with a cookie jar plays the browser through the simulator's consent page (its switch approves at once),
/// and the tokens land in the local store while the connection keeps its deployed redirect URI.
/// </summary>
public sealed class LoopbackConsentTests : IAsyncLifetime
{
    private const string Account = LocalCli.Account;
    private const string Email = LocalCli.Email;
    private const string DeployedCallback = "https://func-nstoken.example.net/api/oauth/callback";

    private LocalCli _cli = null!;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-consent-test-");
        _cli.SeedAccount(twoFactor: false, consentUser: true);
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Consent_serves_the_link_and_callback_on_loopback_and_stores_the_tokens()
    {
        var port = FreePort();
        var loopback = $"https://127.0.0.1:{port}/api/oauth/callback";
        var integration = _cli.Simulator.State.AddIntegration(Account, new IntegrationSpec { RedirectUris = [DeployedCallback, loopback] });
        var import = await _cli.RunAsync($"{integration.ClientSecret}\n", "import", "oauth2", "crm", "--account", Account, "--client-id", integration.ClientId,
            "--redirect-uri", DeployedCallback, "--secrets-from-stdin");
        Assert.Equal(0, import.ExitCode);
        _cli.Simulator.Modes.Consent = ConsentMode.AutoApprove;

        var output = new SharedWriter();
        var error = new SharedWriter();
        var console = new CliConsole { In = new StringReader(""), Out = output, Error = error, WorkingDirectory = _cli.Folder };
        var run = NsTokenApp.RunAsync(["consent", "crm", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "3", "--local", _cli.Store, "--settings", _cli.Settings], console);
        var link = await output.WaitForLineAsync($"https://127.0.0.1:{port}/api/consent/", run);
        Assert.Contains(loopback, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Add this redirect URI to the integration record", error.ToString(), StringComparison.Ordinal);

        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,

            // The browser's one-time warning: trust only the certificate the command made for this run.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Subject == "CN=nstoken loopback consent",
        };
        using var browser = new HttpClient(handler);
        using var start = await browser.GetAsync(new Uri(link));
        Assert.Equal(HttpStatusCode.Found, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.StartsWith(_cli.Simulator.BaseUrl, authorize.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString(loopback), authorize.Query, StringComparison.Ordinal);
        var binding = Assert.Single(start.Headers.GetValues("Set-Cookie"));
        Assert.Contains("secure", binding, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/api/oauth", binding, StringComparison.OrdinalIgnoreCase);

        using var netsuite = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Found, netsuite.StatusCode);
        var callback = netsuite.Headers.Location!;
        Assert.StartsWith(loopback + "?", callback.AbsoluteUri, StringComparison.Ordinal);
        using var page = await browser.GetAsync(callback);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Connected</h1>", html, StringComparison.Ordinal);

        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("crm: connected.", output.ToString(), StringComparison.Ordinal);
        var stored = (await _cli.GetAsync("crm"))!;
        Assert.Equal(ConnectionStatus.Healthy, stored.Status);
        Assert.NotNull(stored.OAuth2!.RefreshToken);
        Assert.Equal(DeployedCallback, stored.OAuth2.RedirectUri);
        Assert.NotNull(await _cli.GetPublishedAsync("crm"));
        foreach (var text in new[] { output.ToString(), error.ToString(), html })
        {
            Assert.DoesNotContain(stored.OAuth2.RefreshToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(integration.ClientSecret, text, StringComparison.Ordinal);
        }

        // The server is gone once the command ends.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => browser.GetAsync(new Uri(link)));
    }

    [Fact]
    public async Task Consent_refuses_an_unknown_connection_and_a_bad_port()
    {
        Directory.CreateDirectory(_cli.Store); // an existing store, so what is refused is the name (a missing --local folder is refused first)
        var unknown = await _cli.RunAsync("", "consent", "nobody");
        var badPort = await _cli.RunAsync("", "consent", "crm", "--port", "70000");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("No connection named nobody", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, badPort.ExitCode);
        Assert.Contains("--port: 70000", badPort.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1:8400/api/oauth/callback", 8400)]
    [InlineData("https://localhost:9443/api/oauth/callback", 9443)]
    [InlineData("https://127.0.0.1/api/oauth/callback", null)]
    [InlineData("https://func-nstoken.example.net/api/oauth/callback", null)]
    public void The_default_port_is_that_of_a_loopback_redirect_uri(string redirectUri, int? port) =>
        Assert.Equal(port, Commands.ConsentCommand.LoopbackPort(redirectUri));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A writer the command writes to while the test reads it.</summary>
    private sealed class SharedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }

        /// <summary>The first whole line starting with <paramref name="prefix"/>; fails if the command ends first.</summary>
        public async Task<string> WaitForLineAsync(string prefix, Task<int> command)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                var line = ToString().Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.EndsWith('\r') is false);
                if (line is not null && ToString().Contains(line + Environment.NewLine, StringComparison.Ordinal))
                {
                    return line;
                }

                if (command.IsCompleted)
                {
                    Assert.Fail($"The command ended ({await command}) before printing a line starting with {prefix}: {ToString()}");
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"No line starting with {prefix}: {ToString()}");
        }
    }
}
