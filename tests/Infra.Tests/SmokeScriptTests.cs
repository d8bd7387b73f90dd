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
    private const string Key = "smoke-test-function-key-5b2e";

    [Fact]
    public async Task Smoke_script_checks_health_refuses_anonymous_status_and_dry_runs_one_rotation()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"acme-oauth","state":"Healthy"}]""");

        var result = await RunSmokeAsync(app.BaseUrl);

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Equal(
            [
                "GET /api/health key=False",
                "GET /api/connections key=False",
                "GET /api/connections key=True",
                "POST /api/connections/acme-oauth/rotate?dryRun=true key=True",
            ],
            app.Requests);
        Assert.DoesNotContain(Key, result.Combined, StringComparison.Ordinal);
        Assert.Contains("smoke: passed", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_script_dry_runs_the_named_connection_when_given_one()
    {
        await using var app = await FakeFunctionApp.StartAsync(connectionsJson: """[{"name":"first"},{"name":"second"}]""");

        var result = await RunSmokeAsync(app.BaseUrl, "--connection", "second");

        Assert.True(result.ExitCode == 0, result.Combined);
        Assert.Equal("POST /api/connections/second/rotate?dryRun=true key=True", app.Requests[^1]);
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
    public async Task Smoke_script_fails_when_the_status_answers_without_a_key()
    {
        await using var app = await FakeFunctionApp.StartAsync(requireKey: false);

        var result = await RunSmokeAsync(app.BaseUrl);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("without a key is refused", result.StandardError, StringComparison.Ordinal);
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

    private static Task<ProcessResult> RunSmokeAsync(string baseUrl, params string[] extra) =>
        ProcessRunner.RunAsync(
            "bash",
            [Path.Combine(BicepCli.RepositoryPath, "scripts", "smoke.sh"), "--base-url", baseUrl, "--key", Key, .. extra],
            BicepCli.RepositoryPath,
            new Dictionary<string, string?>
            {
                ["SMOKE_ATTEMPTS"] = "2",
                ["SMOKE_DELAY_SECONDS"] = "0",
                ["SMOKE_CONNECTION"] = null,
                ["FUNCTION_APP_URL"] = null,
                ["FUNCTION_KEY"] = null,
            },
            TimeSpan.FromMinutes(2));

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
            bool requireKey = true)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var fake = new FakeFunctionApp(app);

            app.Run(async context =>
            {
                var request = context.Request;
                var hasKey = request.Headers["x-functions-key"] == Key;
                fake._requests.Enqueue($"{request.Method} {request.Path}{request.QueryString} key={hasKey}");
                var path = request.Path.Value ?? "";

                if (request.Method == "GET" && path == "/api/health")
                {
                    context.Response.StatusCode = (int)healthStatus;
                    await context.Response.WriteAsync("""{"status":"healthy"}""");
                    return;
                }

                if (requireKey && !hasKey)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                if (request.Method == "GET" && path == "/api/connections")
                {
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
