using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Functions.Http;
using TokenRotation.Functions.Middleware;

namespace TokenRotation.Functions.Tests;

/// <summary>POST /api/connections/{name}/orphans/{id}/ack: who is the signed-in principal; the orphan leaves the open list.</summary>
public sealed class OrphanApiTests
{
    [Fact]
    public async Task Ack_records_the_signed_in_principal_and_the_note_and_needs_the_operate_role()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var name = FunctionsTestEnvironment.NewName();
        await env.SaveTbaAsync(name, env.SeedAccount());
        var orphan = await AddOrphanAsync(env, name, "erp-20261129T120000-ab12");
        var id = PossibleOrphan.IdOf(orphan);

        var response = await CallAsync(env, $"/api/connections/{name}/orphans/{id}/ack", name, id, """{"note":"revoked in NetSuite"}""",
            new Claim("oid", "00000000-0000-0000-0000-0000000000aa"), new Claim("preferred_username", "ops@example.com"));

        Assert.Equal(200, response.StatusCode);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("Succeeded", json.RootElement.GetProperty("kind").GetString());
        var stored = (await env.GetAsync(name))!;
        Assert.Empty(stored.PossibleOrphans);
        var acknowledged = Assert.Single(stored.AcknowledgedOrphans);
        Assert.Equal("ops@example.com (oid 00000000-0000-0000-0000-0000000000aa)", acknowledged.AcknowledgedBy);
        Assert.Equal(env.Time.GetUtcNow(), acknowledged.AcknowledgedAt);
        Assert.Equal("revoked in NetSuite", acknowledged.Note);
        Assert.Equal(orphan.TokenName, acknowledged.TokenName);
        Assert.Contains(env.Host.Logs.Entries, e => e.Message.StartsWith($"OrphanAcknowledged {name}: possible orphan {orphan.TokenName} acknowledged by ops@example.com", StringComparison.Ordinal));

        // Changing state needs Connections.Operate; the status reader's role is not enough.
        Assert.Equal(OperatorAccess.Operate, OperatorAuthMiddleware.AccessFor(nameof(OrphanFunctions.AcknowledgeOrphan)));
    }

    [Fact]
    public async Task Ack_refuses_an_unknown_id_an_unknown_field_and_a_call_without_a_principal_and_changes_nothing()
    {
        await using var env = await FunctionsTestEnvironment.StartAsync();
        var name = FunctionsTestEnvironment.NewName();
        await env.SaveTbaAsync(name, env.SeedAccount());
        var orphan = await AddOrphanAsync(env, name, "erp-20261129T120000-cd34");
        var id = PossibleOrphan.IdOf(orphan);
        var oid = new Claim("oid", "00000000-0000-0000-0000-0000000000bb");

        var unknown = await CallAsync(env, $"/api/connections/{name}/orphans/deadbeef/ack", name, "deadbeef", null, oid);
        var field = await CallAsync(env, $"/api/connections/{name}/orphans/{id}/ack", name, id, """{"notes":"x"}""", oid);
        var anonymous = await CallAsync(env, $"/api/connections/{name}/orphans/{id}/ack", name, id, null);
        var dryRun = await CallAsync(env, $"/api/connections/{name}/orphans/{id}/ack?dryRun=true", name, id, null, oid);

        Assert.Equal(400, unknown.StatusCode);
        Assert.Contains(id, unknown.Body, StringComparison.Ordinal);
        Assert.Equal(400, field.StatusCode);
        Assert.Contains("notes: unknown field", field.Body, StringComparison.Ordinal);
        Assert.Equal(401, anonymous.StatusCode);
        Assert.Equal(200, dryRun.StatusCode);
        Assert.Contains("DryRun", dryRun.Body, StringComparison.Ordinal);
        var stored = (await env.GetAsync(name))!;
        Assert.Single(stored.PossibleOrphans);
        Assert.Empty(stored.AcknowledgedOrphans);
    }

    private static async Task<PossibleOrphan> AddOrphanAsync(FunctionsTestEnvironment env, string name, string tokenName)
    {
        var document = (await env.GetAsync(name))!;
        var orphan = new PossibleOrphan { TokenName = tokenName, RecordedAt = env.Time.GetUtcNow().AddHours(-2), Reason = "the issue request's answer was lost (timeout)" };
        document.PossibleOrphans.Add(orphan);
        await env.Store.SaveAsync(document, Scheduler.Index(document, new RotationOptions()));
        return orphan;
    }

    private static async Task<TestResponse> CallAsync(FunctionsTestEnvironment env, string path, string name, string id, string? body, params Claim[] claims)
    {
        var request = env.Host.NewRequest("POST", path);
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            request.Body = new MemoryStream(bytes);
            request.ContentLength = bytes.Length;
            request.ContentType = "application/json";
        }

        if (claims.Length > 0)
        {
            request.HttpContext.User = new ClaimsPrincipal(new ClaimsIdentity(claims, "Bearer"));
        }

        var functions = env.Host.Activate<OrphanFunctions>();
        return await FunctionsTestHost.ExecuteAsync(await functions.AcknowledgeOrphan(request, name, id, CancellationToken.None), request);
    }
}
