using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenRotation.Coordination;
using TokenRotation.Functions.Middleware;

namespace TokenRotation.Functions.Tests;

/// <summary>The error middleware on its own, with a FunctionContext made for each test and the app's real services.</summary>
public sealed class MiddlewareTests
{
    private const string Internal = "connection string Server=db;Password=hunter2 failed at Engine.cs line 42";

    [Fact]
    public async Task An_unexpected_exception_in_an_HTTP_function_becomes_a_problem_500_without_internals_and_is_logged()
    {
        await using var host = new FunctionsTestHost(overrides: s => s.AddSingleton<IPoisonedWorkLog, InMemoryPoisonedWorkLog>());
        var request = host.NewRequest("GET", "/api/status");
        var context = new TestFunctionContext("StatusPage", FunctionErrorMiddleware.HttpTrigger, host.Services, http: request.HttpContext);
        var middleware = host.Services.GetRequiredService<FunctionErrorMiddleware>();

        await middleware.Invoke(context, _ => throw new InvalidOperationException(Internal));

        var response = request.HttpContext.Response;
        response.Body.Position = 0;
        var body = await new StreamReader(response.Body).ReadToEndAsync();
        Assert.Equal(500, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(500, json.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(context.InvocationId, json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Engine.cs", body, StringComparison.Ordinal);
        var logged = Assert.Single(host.Logs.Entries, e => e.Category == typeof(FunctionErrorMiddleware).FullName);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Contains("InvalidOperationException", logged.Exception, StringComparison.Ordinal);
        Assert.Contains(context.InvocationId, logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timer_failure_is_logged_and_rethrown_for_the_host()
    {
        await using var host = new FunctionsTestHost(overrides: s => s.AddSingleton<IPoisonedWorkLog, InMemoryPoisonedWorkLog>());
        var context = new TestFunctionContext("RefreshOAuth2Tokens", "timerTrigger", host.Services);
        var failure = new TimeoutException("Key Vault did not answer");

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => host.Services.GetRequiredService<FunctionErrorMiddleware>().Invoke(context, _ => throw failure));

        Assert.Same(failure, thrown);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("RefreshOAuth2Tokens", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_queue_failure_is_rethrown_and_its_reason_kept_for_the_poison_handler()
    {
        var log = new InMemoryPoisonedWorkLog();
        await using var host = new FunctionsTestHost(overrides: s => s.AddSingleton<IPoisonedWorkLog>(log));
        const string message = "{\"account\":\"1234567_SB1\",\"connections\":[\"sales\"],\"enqueuedAt\":\"2026-11-29T12:00:00+00:00\",\"startRotations\":false}";
        var context = new TestFunctionContext("ProcessAccount", FunctionErrorMiddleware.QueueTrigger, host.Services,
            new Dictionary<string, object?> { [FunctionErrorMiddleware.QueueMessageBindingData] = message, ["DequeueCount"] = 3L });

        await Assert.ThrowsAsync<InvalidDataException>(() =>
            host.Services.GetRequiredService<FunctionErrorMiddleware>().Invoke(context, _ => throw new InvalidDataException("State secret conn-sales is empty.")));

        Assert.Equal("InvalidDataException: State secret conn-sales is empty.", await log.GetLastFailureAsync(WorkMessages.Key(message)));
    }

    [Fact]
    public async Task A_successful_invocation_passes_through_untouched()
    {
        await using var host = new FunctionsTestHost(overrides: s => s.AddSingleton<IPoisonedWorkLog, InMemoryPoisonedWorkLog>());
        var request = host.NewRequest("GET", "/api/health");
        var context = new TestFunctionContext("Health", FunctionErrorMiddleware.HttpTrigger, host.Services, http: request.HttpContext);
        var called = false;

        await host.Services.GetRequiredService<FunctionErrorMiddleware>().Invoke(context, _ =>
        {
            called = true;
            return Task.CompletedTask;
        });

        Assert.True(called);
        Assert.Equal(StatusCodes.Status200OK, request.HttpContext.Response.StatusCode);
        Assert.Equal(0, request.HttpContext.Response.Body.Length);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }
}
