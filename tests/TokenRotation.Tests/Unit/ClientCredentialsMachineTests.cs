using System.Net;
using System.Text;
using System.Text.Json;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Tests.Unit;

/// <summary>
/// The client-credentials mint (architecture section 4, last paragraph) with the token endpoint in memory: it signs with
/// the current certificate, publishes the access token, and writes the state vault only when a person is needed or
/// a failure heals.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ClientCredentialsMachineTests : IDisposable
{
    private const string Name = "m2m-orders";

    private readonly MachineWorld _world = new();
    private readonly TokenEndpointStub _endpoint;
    private readonly LocalAssertionSigners _signers = new();

    public ClientCredentialsMachineTests()
    {
        _endpoint = new TokenEndpointStub(_world.Effects);
        _world.Seed(UnitDocuments.ClientCredentials(Name, MachineWorld.Start + TimeSpan.FromDays(100)));
    }

    public void Dispose()
    {
        _endpoint.Dispose();
        _world.Dispose();
    }

    private string AccessToken { get; } = UnsignedJwt.Create("a.m2m", MachineWorld.Start + TimeSpan.FromHours(1), MachineWorld.Start);

    private async Task<(OutcomeKind Outcome, RunContext Context)> RunAsync() =>
        await _world.RunAsync(Name, RunRequest.Sweep(startRotations: false), ctx => _world.MintMachine(_endpoint, _signers).MintIfDueAsync(ctx, CancellationToken.None));

    private HttpResponseMessage Minted() =>
        TokenEndpointStub.Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { access_token = AccessToken, token_type = "bearer", expires_in = 3600 }));

    private static string KeyIdOf(string assertion)
    {
        var header = assertion.Split('.')[0];
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(header)));
        return json.RootElement.GetProperty("kid").GetString()!;
    }

    [Fact]
    public async Task A_due_mint_signs_with_the_current_certificate_publishes_the_access_token_and_writes_no_state()
    {
        _endpoint.Answer = _ => Minted();
        var (outcome, ctx) = await RunAsync();

        Assert.Equal(OutcomeKind.Succeeded, outcome);
        var form = Assert.Single(_endpoint.Forms);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal("certificate-0", KeyIdOf(form["client_assertion"]));
        Assert.Equal(["certificate-0"], _signers.SignedFor);
        Assert.Equal(0, _world.Store.Writes);
        Assert.Equal(AccessToken, (await _world.Consumers.GetAsync(ConnectionName.Parse(Name)))!.Value);
        Assert.Equal(MachineWorld.Start + TimeSpan.FromHours(1), ctx.AccessTokenExpiresAt);
    }

    [Fact]
    public async Task A_mint_not_yet_due_calls_nothing()
    {
        var stored = _world.Stored(Name);
        await _world.Store.UpdateIndexAsync(stored.StoredIndex! with { CredentialExpiresAt = _world.Now + TimeSpan.FromMinutes(50) });

        Assert.Equal(OutcomeKind.NothingToDo, (await RunAsync()).Outcome);
        Assert.Empty(_endpoint.Forms);
        Assert.Empty(_signers.SignedFor);
    }

    [Fact]
    public async Task A_refused_assertion_needs_a_person_is_retried_on_the_slow_backoff_and_a_later_mint_heals_it()
    {
        _endpoint.Answer = _ => TokenEndpointStub.Json(HttpStatusCode.BadRequest, """{"error":"invalid_grant"}""");
        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync()).Outcome);

        var stored = _world.Stored(Name);
        Assert.Equal(ConnectionStatus.NeedsPerson, stored.Status);
        Assert.Contains("certificate-0", stored.NeedsPersonReason, StringComparison.Ordinal);
        var retry = stored.LastError!.RetryAt!.Value;
        Assert.True(retry > _world.Now);
        Assert.Equal(retry, stored.StoredIndex!.NextActionAt);
        Assert.DoesNotContain(_world.Effects, e => e.Kind == SideEffect.Publish);

        _endpoint.Answer = _ => Minted();
        _world.Time.SetUtcNow(retry);
        var writes = _world.Store.Writes;
        Assert.Equal(OutcomeKind.Succeeded, (await RunAsync()).Outcome);
        stored = _world.Stored(Name);
        Assert.Equal(ConnectionStatus.Healthy, stored.Status);
        Assert.Null(stored.LastError);
        Assert.Null(stored.NeedsPersonReason);
        Assert.Equal(writes + 1, _world.Store.Writes);
    }

    [Fact]
    public async Task A_connection_without_a_certificate_needs_a_person_once_and_then_writes_nothing()
    {
        var doc = _world.Stored(Name);
        doc.Credentials.Current = null;
        _world.Seed(doc);

        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync()).Outcome);
        Assert.Equal(OutcomeKind.NeedsPerson, (await RunAsync()).Outcome);
        Assert.Equal(1, _world.Store.Writes);
        Assert.Empty(_endpoint.Forms);
        Assert.Contains("No certificate is mapped", _world.Stored(Name).NeedsPersonReason, StringComparison.Ordinal);
    }
}
