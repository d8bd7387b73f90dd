using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Infra.Tests;

/// <summary>scripts/smoke.sh against a real Kestrel server on loopback that plays the deployed Function App.</summary>
public sealed class SmokeScriptTests
{
    private const string Token = "smoke-test-operator-token-5b2e";
    private const string ClientId = "66666666-7777-8888-9999-000000000000";

    [Fact]
    public async Task Smoke_script_checks_health_refuses_anonymous_status_and_dry_runs_one_rotation()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"acme-oauth","state":"Healthy"}]""");

        var result = await RunSmokeAsync(app.BaseUrl);

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Equal(
            [
                "GET /api/health token=False",
                "GET /api/connections token=False",
                "GET /api/connections token=True",
                "POST /api/connections/acme-oauth/rotate?dryRun=true token=True",
            ],
            app.Requests);
        Assert.DoesNotContain(Token, result.Combined, StringComparison.Ordinal);
        Assert.Contains("smoke: passed", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_dry_runs_the_named_connection_when_given_one()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"first"},{"name":"second"}]""");

        var result = await RunAsync(["--base-url", app.BaseUrl, "--token", Token, "--connection", "second"], [], path: null);

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Equal("POST /api/connections/second/rotate?dryRun=true token=True", app.Requests[^1]);
    }

    [Fact]
    public async Task Smoke_script_fails_when_health_never_answers_200()
    {
        await using var app = await FakeFunctionApp.StartAsync(healthStatus: HttpStatusCode.ServiceUnavailable);

        var result = await RunSmokeAsync(app.BaseUrl);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(2, app.Requests.Count(r => r.StartsWith("GET /api/health", StringComparison.Ordinal)));
        Assert.Contains("FAIL GET /api/health", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_fails_when_the_status_answers_without_a_token()
    {
        await using var app = await FakeFunctionApp.StartAsync(requireToken: false);

        var result = await RunSmokeAsync(app.BaseUrl);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("without a token is refused", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_fails_when_the_dry_run_is_refused()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"acme-tba"}]""", rotateStatus: HttpStatusCode.Conflict);

        var result = await RunSmokeAsync(app.BaseUrl);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("HTTP 409", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_skips_the_rotation_when_no_connection_exists_yet()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: "[]");

        var result = await RunSmokeAsync(app.BaseUrl);

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.DoesNotContain(app.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
        Assert.Contains("no connection yet", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_waits_for_health_then_asks_the_azure_cli_for_a_token_for_the_operator_api()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"acme-oauth"}]""", unhealthyFirst: 2);
        using var az = new AzStandIn(app.BaseUrl);

        var result = await RunSmokeWithAzAsync(app.BaseUrl, az, ("SMOKE_ATTEMPTS", "3"), ("OPERATOR_API_CLIENT_ID", ClientId));

        Assert.True(result.ExitCode == 0, result.Combined);
        var requests = app.Requests.ToList();
        Assert.Equal(3, requests.Count(r => r.StartsWith("GET /api/health", StringComparison.Ordinal)));
        Assert.True(
            requests.FindLastIndex(r => r.StartsWith("GET /api/health", StringComparison.Ordinal)) < requests.IndexOf($"AZ token api://{ClientId}/.default"),
            string.Join('\n', requests));
        Assert.Equal("POST /api/connections/acme-oauth/rotate?dryRun=true token=True", app.Requests[^1]);
        Assert.DoesNotContain(Token, result.Combined, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_without_a_token_or_client_id_says_what_to_pass()
    {
        await using var app = await FakeFunctionApp.StartAsync();
        using var az = new AzStandIn(app.BaseUrl);

        var result = await RunSmokeWithAzAsync(app.BaseUrl, az);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--client-id", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Requests, r => r.StartsWith("AZ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Smoke_script_retries_key_vault_backed_calls_while_role_assignments_propagate()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"acme-oauth"}]""", failingVaultCalls: 3);

        var result = await RunSmokeAsync(app.BaseUrl, ("SMOKE_VAULT_ATTEMPTS", "6"));

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Equal(4, app.Requests.Count(r => r == "GET /api/connections token=True"));
        Assert.Contains("retrying", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("POST /api/connections/acme-oauth/rotate?dryRun=true token=True", app.Requests[^1]);
    }

    [Fact]
    public async Task Smoke_script_stops_retrying_key_vault_backed_calls_at_its_bound()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"acme-oauth"}]""", failingVaultCalls: 100);

        var result = await RunSmokeAsync(app.BaseUrl, ("SMOKE_VAULT_ATTEMPTS", "3"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, app.Requests.Count(r => r == "GET /api/connections token=True"));
        Assert.Contains("FAIL GET /api/connections: HTTP 500", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_does_not_retry_a_refused_dry_run()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"acme-tba"}]""", rotateStatus: HttpStatusCode.Conflict);

        var result = await RunSmokeAsync(app.BaseUrl, ("SMOKE_VAULT_ATTEMPTS", "5"));

        Assert.Equal(1, result.ExitCode);
        Assert.Single(app.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    private static Task<ProcessResult> RunSmokeAsync(string baseUrl, params (string Name, string Value)[] environment) =>
        RunAsync(["--base-url", baseUrl, "--token", Token], environment, path: null);

    private static Task<ProcessResult> RunSmokeWithAzAsync(string baseUrl, AzStandIn az, params (string Name, string Value)[] environment) =>
        RunAsync(["--base-url", baseUrl, "--resource-group", "rg-smoke", "--name", "func-smoke"], environment, az.Directory);

    private static Task<ProcessResult> RunAsync(string[] arguments, (string Name, string Value)[] extra, string? path)
    {
        var environment = new Dictionary<string, string?>
        {
            ["SMOKE_ATTEMPTS"] = "2",
            ["SMOKE_DELAY_SECONDS"] = "0",
            ["OPERATOR_API_CLIENT_ID"] = null,
            ["SMOKE_VAULT_ATTEMPTS"] = null,
            ["SMOKE_CONNECTION"] = null,
            ["FUNCTION_APP_URL"] = null,
            ["SMOKE_TOKEN"] = null,
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        if (path is not null)
        {
            environment["PATH"] = $"{path}:{Environment.GetEnvironmentVariable("PATH")}";
        }

        return ProcessRunner.RunAsync(
            "bash",
            [Path.Combine(BicepCli.RepositoryPath, "scripts", "smoke.sh"), .. arguments],
            BicepCli.RepositoryPath,
            environment,
            TimeSpan.FromMinutes(2));
    }

    /// <summary>
    /// A stand-in `az` on PATH: `account get-access-token` prints the token; each call is reported to the fake app so its
    /// request log shows the order of events.
    /// </summary>
    private sealed class AzStandIn : IDisposable
    {
        private readonly DirectoryInfo _dir = System.IO.Directory.CreateTempSubdirectory("smoke-az-");

        public AzStandIn(string baseUrl)
        {
            var script = Path.Combine(_dir.FullName, "az");
            File.WriteAllText(script, $$"""
                #!/bin/sh
                case "$*" in
                  "account get-access-token --scope "*)
                    curl -s -o /dev/null "{{baseUrl}}/__az/token?scope=$4" || true
                    echo "{{Token}}" ;;
                  *) echo "az stand-in: unexpected $*" >&2; exit 2 ;;
                esac

                """.Replace("\r", "", StringComparison.Ordinal));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public string Directory => _dir.FullName;

        public void Dispose() => _dir.Delete(recursive: true);
    }

    private sealed class FakeFunctionApp : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<string> _requests = new();

        private FakeFunctionApp(WebApplication app) => _app = app;

        public string BaseUrl => _app.Urls.Single();

        public IReadOnlyList<string> Requests => _requests.ToList();

        public static async Task<FakeFunctionApp> StartAsync(
            string connectionsJson = "[]",
            HttpStatusCode healthStatus = HttpStatusCode.OK,
            HttpStatusCode rotateStatus = HttpStatusCode.Accepted,
            bool requireToken = true,
            int unhealthyFirst = 0,
            int failingVaultCalls = 0)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var fake = new FakeFunctionApp(app);
            var healthCalls = 0;
            var vaultCalls = 0;

            app.Run(async context =>
            {
                var request = context.Request;
                if (request.Path == "/__az/token")
                {
                    fake._requests.Enqueue($"AZ token {request.Query["scope"]}");
                    return;
                }

                var hasToken = request.Headers.Authorization == "Bearer " + Token;
                fake._requests.Enqueue($"{request.Method} {request.Path}{request.QueryString} token={hasToken}");
                var path = request.Path.Value ?? "";

                if (request.Method == "GET" && path == "/api/health")
                {
                    context.Response.StatusCode = Interlocked.Increment(ref healthCalls) <= unhealthyFirst ? StatusCodes.Status503ServiceUnavailable : (int)healthStatus;
                    await context.Response.WriteAsync("""{"status":"healthy"}""");
                    return;
                }

                if (requireToken && !hasToken)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                if (request.Method == "GET" && path == "/api/connections")
                {
                    // Until the app's Key Vault role assignments apply, its vault calls fail and the host answers 500.
                    if (Interlocked.Increment(ref vaultCalls) <= failingVaultCalls)
                    {
                        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                        return;
                    }

                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(connectionsJson);
                    return;
                }

                if (request.Method == "POST" && path.StartsWith("/api/connections/", StringComparison.Ordinal) && path.EndsWith("/rotate", StringComparison.Ordinal)
                    && request.Query["dryRun"] == "true")
                {
                    context.Response.StatusCode = (int)rotateStatus;
                    await context.Response.WriteAsync("""{"dryRun":true}""");
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
            });

            await app.StartAsync();
            return fake;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
