using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Coordination;
using TokenRotation.Functions.Http;
using TokenRotation.Functions.Middleware;
using TokenRotation.Functions.Queues;
using TokenRotation.Functions.Timers;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// The timers and the queue worker resolved from the composition, with real TimerInfo inputs and real messages on
/// Azurite's queue (read back and base64-decoded as the Functions host does), against the simulator and the vaults.
/// </summary>
public sealed class TriggerTests
{
    [Fact]
    public async Task The_refresh_timer_enqueues_one_message_per_account_naming_only_due_connections()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var integration = env.SeedAccount();
        var oauth = FunctionsTestEnvironment.NewName("oauth");
        var tba = FunctionsTestEnvironment.NewName("tba");
        await env.SaveConsentedOAuth2Async(oauth, integration);
        await env.SaveTbaAsync(tba, integration);

        await env.Host.Activate<SweepFunctions>().RefreshOAuth2Tokens(new TimerInfo(), CancellationToken.None);

        var item = Assert.Single(await ReceiveAllAsync(env));
        Assert.Equal(FunctionsTestEnvironment.Account, item.Account);
        Assert.Equal([oauth], item.Connections);
        Assert.False(item.StartRotations);
    }

    [Fact]
    public async Task Only_the_daily_timer_starts_a_TBA_rotation_that_is_due()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var tba = FunctionsTestEnvironment.NewName("tba");
        await env.SaveTbaAsync(tba, env.SeedAccount());
        env.Time.Advance(TimeSpan.FromDays(91));
        var sweeps = env.Host.Activate<SweepFunctions>();

        await sweeps.RefreshOAuth2Tokens(new TimerInfo { IsPastDue = true }, CancellationToken.None);
        var afterRefresh = await ReceiveAllAsync(env);
        await sweeps.RotateTbaTokens(new TimerInfo(), CancellationToken.None);
        var afterDaily = await ReceiveAllAsync(env);

        Assert.Empty(afterRefresh);
        var item = Assert.Single(afterDaily);
        Assert.Equal([tba], item.Connections);
        Assert.True(item.StartRotations);
    }

    [Fact]
    public async Task The_daily_timer_checks_a_TBA_token_and_a_revoked_one_is_failing_with_its_cause_in_the_operator_API_and_on_the_status_page()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var tba = FunctionsTestEnvironment.NewName("tba");
        var doc = await env.SaveTbaAsync(tba, env.SeedAccount());
        env.Simulator.State.RevokeTbaToken(FunctionsTestEnvironment.Account, doc.Credentials.Current!.Id);
        env.Time.Advance(TimeSpan.FromHours(20));

        // The frequent timer does not check; the daily one enqueues the check, and the queue worker runs it.
        await env.Host.Activate<SweepFunctions>().RefreshOAuth2Tokens(new TimerInfo(), CancellationToken.None);
        Assert.Empty(await ReceiveAllAsync(env));
        await env.Host.Activate<SweepFunctions>().RotateTbaTokens(new TimerInfo(), CancellationToken.None);
        var message = Assert.Single(await ReceiveTextsAsync(env));
        await env.Host.Activate<WorkQueueFunctions>().ProcessAccount(message, CancellationToken.None);

        var request = env.Host.NewRequest("GET", "/api/connections");
        var response = await FunctionsTestHost.ExecuteAsync(await env.Host.Activate<ConnectionFunctions>().ListConnections(request, CancellationToken.None), request);
        using var json = JsonDocument.Parse(response.Body);
        var connection = json.RootElement.GetProperty("connections").EnumerateArray()
            .Select(c => c.GetProperty("connection")).Single(c => c.GetProperty("name").GetString() == tba);
        Assert.Equal("Failing", connection.GetProperty("state").GetString());
        Assert.StartsWith("scheduled check: Invalid login attempt.", connection.GetProperty("lastErrorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal("INVALID_LOGIN_ATTEMPT", connection.GetProperty("lastErrorCode").GetString());

        var document = await StatusTests.StatusDocumentAsync(env);
        Assert.Contains("scheduled check: Invalid login attempt.", document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_daily_timer_deletes_consent_sessions_that_expired_over_a_week_ago_and_keeps_the_rest()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var sessions = env.Services.GetRequiredService<IConsentSessionStore>();
        var now = env.Time.GetUtcNow();
        ConsentSession Session(TimeSpan expiresIn) => new($"state-{Guid.NewGuid():N}", "conn-purge", "binding", "verifier", now + expiresIn);
        var old = Session(-(SweepFunctions.ConsentSessionRetention + TimeSpan.FromMinutes(1)));
        var recentlyExpired = Session(-TimeSpan.FromDays(1));
        var live = Session(TimeSpan.FromMinutes(10));
        foreach (var session in new[] { old, recentlyExpired, live })
        {
            await sessions.CreateAsync(session);
        }

        await env.Host.Activate<SweepFunctions>().RotateTbaTokens(new TimerInfo(), CancellationToken.None);

        Assert.Equal(2, await env.ConsentSessionCountAsync());
        Assert.Null(await sessions.TryConsumeAsync(old.State));
        Assert.Equal(recentlyExpired, await sessions.TryConsumeAsync(recentlyExpired.State));
        Assert.Equal(live, await sessions.TryConsumeAsync(live.State));
        Assert.Contains(env.Host.Logs.Entries, e => e.EventId.Id == 1401 && e.Message.StartsWith("Deleted 1 consent sessions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_queue_worker_refreshes_the_connections_named_in_a_real_message()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var oauth = FunctionsTestEnvironment.NewName("oauth");
        var before = await env.SaveConsentedOAuth2Async(oauth, env.SeedAccount());
        await env.Host.Activate<SweepFunctions>().RefreshOAuth2Tokens(new TimerInfo(), CancellationToken.None);
        var message = Assert.Single(await ReceiveTextsAsync(env));

        await env.Host.Activate<WorkQueueFunctions>().ProcessAccount(message, CancellationToken.None);

        var projection = await env.GetProjectionAsync(oauth);
        Assert.NotNull(projection);
        Assert.Equal("AccessToken", projection.Tags["kind"]);
        Assert.True(projection.ExpiresOn > env.Time.GetUtcNow());

        // A confidential client's refresh changes no durable state: the state secret is not written again.
        var after = (await env.GetAsync(oauth))!;
        Assert.Equal(before.Generation, after.Generation);
        Assert.Equal(before.OAuth2!.RefreshToken, after.OAuth2!.RefreshToken);
        Assert.Equal(after.StoredIndex!.CredentialExpiresAt, projection.ExpiresOn);
    }

    [Fact]
    public async Task A_message_that_fails_on_every_retry_ends_in_the_status_with_its_reason()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        const string garbage = "{\"not\":\"a work item\"}";
        var middleware = env.Services.GetRequiredService<FunctionErrorMiddleware>();
        var worker = env.Host.Activate<WorkQueueFunctions>();

        // The host's retries: each attempt fails through the middleware, which keeps the reason and rethrows.
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var context = new TestFunctionContext(nameof(WorkQueueFunctions.ProcessAccount), FunctionErrorMiddleware.QueueTrigger, env.Services,
                new Dictionary<string, object?> { [FunctionErrorMiddleware.QueueMessageBindingData] = garbage, ["DequeueCount"] = (long)attempt });
            await Assert.ThrowsAsync<InvalidDataException>(() => middleware.Invoke(context, _ => worker.ProcessAccount(garbage, CancellationToken.None)));
        }

        // Then the host moves it to the poison queue, whose function keeps it for the status.
        await worker.RecordPoisonedWork(garbage, CancellationToken.None);
        var request = env.Host.NewRequest("GET", "/api/connections");
        var response = await FunctionsTestHost.ExecuteAsync(await env.Host.Activate<ConnectionFunctions>().ListConnections(request, CancellationToken.None), request);

        using var json = JsonDocument.Parse(response.Body);
        var poisoned = Assert.Single(json.RootElement.GetProperty("poisonedWork").EnumerateArray());
        var reason = poisoned.GetProperty("reason").GetString()!;
        Assert.StartsWith("the message is not a work item; InvalidDataException: The work message is not a work item", reason, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, poisoned.GetProperty("account").ValueKind);
        Assert.Contains(env.Host.Logs.Entries, e => e.EventId.Name == "WorkPoisoned" && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task The_worker_reads_both_the_decoded_JSON_and_the_raw_base64_of_a_message()
    {
        var item = new AccountWorkItem("1234567_SB1", ["a", "b"], new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero), true);
        var base64 = StorageWorkQueue.Encode(item);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(base64));

        Assert.True(WorkMessages.TryParse(json, out var fromJson));
        Assert.True(WorkMessages.TryParse(base64, out var fromBase64));
        Assert.False(WorkMessages.TryParse("not base64 or json", out _));
        Assert.False(WorkMessages.TryParse("{\"account\":\"\"}", out _));
        Assert.Equal(item.Connections, fromJson.Connections);
        Assert.Equal(item with { Connections = fromJson.Connections }, fromJson);
        Assert.Equal(item with { Connections = fromBase64.Connections }, fromBase64);
        await Task.CompletedTask;
    }

    /// <summary>Receives and deletes every message, base64-decoding each as the host does (host.json messageEncoding base64).</summary>
    private static async Task<List<string>> ReceiveTextsAsync(FunctionsTestEnvironment env)
    {
        var queue = env.Azurite.CreateQueueServiceClient().GetQueueClient(env.StorageNames.WorkQueue);
        await queue.CreateIfNotExistsAsync();
        var texts = new List<string>();
        while (true)
        {
            var batch = (await queue.ReceiveMessagesAsync(maxMessages: 32)).Value;
            if (batch.Length == 0)
            {
                return texts;
            }

            foreach (var message in batch)
            {
                texts.Add(Encoding.UTF8.GetString(Convert.FromBase64String(message.MessageText)));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }

    private static async Task<List<AccountWorkItem>> ReceiveAllAsync(FunctionsTestEnvironment env) =>
        (await ReceiveTextsAsync(env)).Select(t => WorkMessages.TryParse(t, out var item) ? item : throw new InvalidDataException(t)).ToList();
}
