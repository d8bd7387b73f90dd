using System.Net;
using System.Text.Json;
using NetSuite.Auth.Certificates;
using NetSuite.Auth.Tests.OAuth2;

namespace NetSuite.Auth.Tests.Certificates;

public class NetSuiteCertificatesClientTests
{
    private const string ClientId = "751a2830e09c6f47b00e486ec192934cd0efad12fdba5f4703841bd2b67d5357";
    private const string CertificatesUrl =
        "https://3829855.restlets.api.netsuite.com/services/rest/auth/oauth2/v1/clients/" + ClientId + "/certificates";

    private static readonly NetSuiteAccountId Account = NetSuiteAccountId.Parse("3829855");
    private static readonly string AccessToken = TestJwt.Access();

    // Oracle's list response (NetSuite topic 2.4, ORA article_11111634165).
    private const string OracleList = """
        [{"application":{"id":1,"name":"outlook","url":"/app/common/integration/integrapp.nl?id=1","application_id":"1C61CD58-044D-497A-AA29-7A3E9A9BB924"},"entity":{"id":12,"name":"test@test.cz","url":"/app/common/entity/entity.nl?id=12"},"role":{"id":3,"name":"Administrator","url":"/app/setup/role.nl?id=3"},"created":"2023-04-21","valid_from":"2023-04-21","valid_until":"2023-05-21","revoked":false,"certificate_id":"I_k32OzlZNGsHtCScnCwQCVLqsQsV2BOIQzlTaSmRQI","algorithm":"RSA"},
         {"application":{"id":1,"name":"outlook","url":"/app/common/integration/integrapp.nl?id=1","application_id":"1C61CD58-044D-497A-AA29-7A3E9A9BB924"},"entity":{"id":-5,"name":"Test Test","url":"/app/common/entity/entity.nl?id=-5"},"role":{"id":3,"name":"Administrator","url":"/app/setup/role.nl?id=3"},"created":"2023-10-19","valid_from":"2023-10-19","valid_until":"2023-11-18","revoked":false,"certificate_id":"MhkfyJ8knaSvAEhGrpT0uR2dTX5SkzguPnBToifC-vg","algorithm":"RSA"}]
        """;

    // Oracle's create response (NetSuite topic 2.4, ORA article_0209112025), certificate text shortened.
    private const string OracleCreated = """
        {"entity_role_id":{"com":"3829855","ent":-5,"rol":1000},"application_id":1,"certificate_id":"NPMnRyPg-WDWhPiAbisjKiH0fqnBpjOZ367wDTe0pqA","certificate":"-----BEGIN CERTIFICATE-----   MIICMzCC   -----END CERTIFICATE-----","algorithm":"EC","created_at":"2026-01-30","valid_from":"2026-01-30","valid_until":"2026-03-01","invalidated":false}
        """;

    private const string CertificatePem = "-----BEGIN CERTIFICATE-----\nMIICMzCCAdmgAwIBAgIUBiVEnfUN+N/+Dx5y95vec4/l9cowCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----";

    private static NetSuiteCertificatesClient Client(RecordingHandler handler) =>
        new(handler.CreateClient(), new NetSuiteEndpoints(new NetSuiteEndpointOptions()));

    private static NetSuiteCertificateUpload Upload(string pem = CertificatePem) => new() { CertificatePem = pem, RoleId = 1000, EntityId = -5 };

    [Fact]
    public async Task List_gets_with_bearer_token_and_parses_Oracle_sample()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, OracleList);

        var result = await Client(handler).ListAsync(Account, ClientId, AccessToken);

        var request = handler.Single;
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal(CertificatesUrl, request.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + AccessToken, request.Header("Authorization"));
        Assert.Equal("application/json", request.Header("Accept"));
        Assert.Null(request.Body);
        Assert.Equal(NetSuiteCallSafety.SafeToRetry, request.Safety);
        Assert.Equal(Account, request.Account);

        var list = result.Value;
        Assert.Equal(2, list.Count);
        var first = list[0];
        Assert.Equal("I_k32OzlZNGsHtCScnCwQCVLqsQsV2BOIQzlTaSmRQI", first.CertificateId);
        Assert.Equal("RSA", first.Algorithm);
        Assert.Equal(new DateOnly(2023, 4, 21), first.Created);
        Assert.Equal(new DateOnly(2023, 4, 21), first.ValidFrom);
        Assert.Equal(new DateOnly(2023, 5, 21), first.ValidUntil);
        Assert.False(first.Revoked);
        Assert.Equal(new NetSuiteCertificateApplication("1", "outlook", "/app/common/integration/integrapp.nl?id=1", "1C61CD58-044D-497A-AA29-7A3E9A9BB924"), first.Application);
        Assert.Equal(new NetSuiteRecordReference("12", "test@test.cz", "/app/common/entity/entity.nl?id=12"), first.Entity);
        Assert.Equal(new NetSuiteRecordReference("3", "Administrator", "/app/setup/role.nl?id=3"), first.Role);
        Assert.Equal("-5", list[1].Entity!.Id);
    }

    [Fact]
    public async Task List_tolerates_other_types_missing_parts_and_a_wrapped_array()
    {
        const string body = """
            {"items":[{"certificate_id":"a","revoked":"T","valid_from":"2026-01-30T10:00:00Z","valid_until":"soon","unknown":{"x":1},"application":"not-an-object"},
                      {"certificate_id":7,"revoked":"false","created":null,"entity":{"id":"12"},"role":"3"}],"hasMore":false}
            """;
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, body);

        var result = await Client(handler).ListAsync(Account, ClientId, AccessToken);

        var list = result.Value;
        Assert.True(list[0].Revoked);
        Assert.Equal(new DateOnly(2026, 1, 30), list[0].ValidFrom);
        Assert.Null(list[0].ValidUntil);
        Assert.Null(list[0].Application);
        Assert.Null(list[0].Algorithm);
        Assert.Equal("7", list[1].CertificateId);
        Assert.False(list[1].Revoked);
        Assert.Null(list[1].Created);
        Assert.Equal("12", list[1].Entity!.Id);
        Assert.Null(list[1].Role);
    }

    [Fact]
    public async Task List_of_nothing_is_empty()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, "[]");

        var result = await Client(handler).ListAsync(Account, ClientId, AccessToken);

        Assert.Empty(result.Value);
    }

    [Theory]
    [InlineData("""{"certificates":[]}""", "not a JSON array")]
    [InlineData("""[{"algorithm":"EC"}]""", "without certificate_id")]
    [InlineData("""["just-a-string"]""", "without certificate_id")]
    [InlineData("""{"items":"x"}""", "not a JSON array")]
    [InlineData("<html>login</html>", "not valid JSON")]
    public async Task List_with_an_unusable_answer_is_an_invalid_response(string body, string expected)
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, body);

        var result = await Client(handler).ListAsync(Account, ClientId, AccessToken);

        Assert.Equal("invalid_response", result.Error!.Code);
        Assert.Contains(expected, result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_with_a_rejected_bearer_token_is_a_failure_without_the_token()
    {
        var handler = new RecordingHandler().Respond(
            HttpStatusCode.Unauthorized,
            string.Empty,
            configure: r => r.Headers.WwwAuthenticate.ParseAdd("Bearer realm=\"3829855\", error=\"invalid_token\", error_description=\"Invalid login attempt.\""));

        var result = await Client(handler).ListAsync(Account, ClientId, AccessToken);

        Assert.False(result.IsSuccess);
        Assert.Equal(401, result.Error!.StatusCode);
        Assert.DoesNotContain(AccessToken, result.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_posts_json_like_Oracle_and_is_single_use()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, OracleCreated);

        var result = await Client(handler).CreateAsync(Account, ClientId, AccessToken, Upload());

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(CertificatesUrl, request.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + AccessToken, request.Header("Authorization"));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal(NetSuiteCallSafety.SingleUse, request.Safety);
        Assert.Equal(Account, request.Account);
        Assert.Equal(
            """{"fileContent":"-----BEGIN CERTIFICATE-----\nMIICMzCCAdmgAwIBAgIUBiVEnfUN+N/+Dx5y95vec4/l9cowCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----","role":1000,"entity":"-5"}""",
            request.Body);
        using (var json = JsonDocument.Parse(request.Body!))
        {
            Assert.Equal(CertificatePem, json.RootElement.GetProperty("fileContent").GetString());
        }

        var created = result.Value;
        Assert.Equal("NPMnRyPg-WDWhPiAbisjKiH0fqnBpjOZ367wDTe0pqA", created.CertificateId);
        Assert.Equal("EC", created.Algorithm);
        Assert.Equal(new DateOnly(2026, 1, 30), created.Created);
        Assert.Equal(new DateOnly(2026, 1, 30), created.ValidFrom);
        Assert.Equal(new DateOnly(2026, 3, 1), created.ValidUntil);
        Assert.False(created.Invalidated);
        Assert.Equal("1", created.ApplicationId);
        Assert.Equal("3829855", created.Company);
        Assert.Equal("-5", created.EntityId);
        Assert.Equal("1000", created.RoleId);
    }

    [Fact]
    public async Task Create_answer_with_created_and_no_mapping_is_read_tolerantly()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.Created, """{"certificate_id":"x","created":"2026-02-01","invalidated":true,"entity_role_id":"n/a"}""");

        var created = (await Client(handler).CreateAsync(Account, ClientId, AccessToken, Upload())).Value;

        Assert.Equal(new DateOnly(2026, 2, 1), created.Created);
        Assert.True(created.Invalidated);
        Assert.Null(created.Company);
        Assert.Null(created.RoleId);
    }

    [Fact]
    public async Task Create_answer_with_only_a_certificate_id_is_enough()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, """{"certificate_id":"only"}""");
        var client = new NetSuiteCertificatesClient(handler.CreateClient(), new NetSuiteEndpoints(new NetSuiteEndpointOptions()), TimeProvider.System);

        var created = (await client.CreateAsync(Account, ClientId, AccessToken, Upload())).Value;

        Assert.Equal("only", created.CertificateId);
        Assert.Null(created.Created);
        Assert.Null(created.EntityId);
        Assert.False(created.Invalidated);
    }

    [Theory]
    [InlineData("""{"algorithm":"EC"}""")]
    [InlineData("[]")]
    public async Task Create_answer_without_certificate_id_is_an_invalid_response(string body)
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.OK, body);

        var result = await Client(handler).CreateAsync(Account, ClientId, AccessToken, Upload());

        Assert.Equal("invalid_response", result.Error!.Code);
        Assert.Contains("certificate_id", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_refuses_to_send_a_private_key_and_does_not_echo_it()
    {
        var handler = new RecordingHandler();
        // Made at test time: PEM blocks labelled as private keys whose body is the base64 of "secret" (c2VjcmV0).
        var key = System.Security.Cryptography.PemEncoding.WriteString("PRIVATE KEY", "secret"u8);
        var both = CertificatePem + "\n" + System.Security.Cryptography.PemEncoding.WriteString("EC PRIVATE KEY", "secret"u8);

        var keyOnly = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler).CreateAsync(Account, ClientId, AccessToken, Upload(key)));
        var bundled = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler).CreateAsync(Account, ClientId, AccessToken, Upload(both)));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler).CreateAsync(Account, ClientId, AccessToken, Upload(" ")));
        var notCert = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler).CreateAsync(Account, ClientId, AccessToken, Upload("MIIC c2VjcmV0")));

        Assert.Contains("private key", keyOnly.Message, StringComparison.Ordinal);
        Assert.Contains("private key", bundled.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", keyOnly.Message + bundled.Message + empty.Message + notCert.Message, StringComparison.Ordinal);
        Assert.Contains("BEGIN CERTIFICATE", notCert.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "Successfully revoked", "text/plain")]
    [InlineData(HttpStatusCode.NoContent, "", "text/plain")]
    [InlineData(HttpStatusCode.OK, "{\"status\":\"ok\"}", "application/json")]
    public async Task Revoke_posts_to_the_certificate_revoke_path_and_accepts_any_2xx(HttpStatusCode status, string body, string contentType)
    {
        var handler = new RecordingHandler().Respond(status, body, contentType);

        var result = await Client(handler).RevokeAsync(Account, ClientId, "MhkfyJ8knaSvAEhGrpT0uR2dTX5SkzguPnBToifC-vg", AccessToken);

        var request = handler.Single;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(CertificatesUrl + "/MhkfyJ8knaSvAEhGrpT0uR2dTX5SkzguPnBToifC-vg/revoke", request.Uri.AbsoluteUri);
        Assert.Equal("Bearer " + AccessToken, request.Header("Authorization"));
        Assert.True(string.IsNullOrEmpty(request.Body));
        Assert.Equal(NetSuiteCallSafety.SafeToRetry, request.Safety);
        Assert.Equal(Account, request.Account);
        Assert.Equal((int)status, result.Value);
    }

    [Fact]
    public async Task Revoke_error_is_a_failure()
    {
        var handler = new RecordingHandler().Respond(HttpStatusCode.NotFound, """{"error":"not_found"}""");

        var result = await Client(handler).RevokeAsync(Account, ClientId, "gone", AccessToken);

        Assert.False(result.IsSuccess);
        Assert.Equal(404, result.Error!.StatusCode);
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_before_sending()
    {
        var handler = new RecordingHandler();
        var client = Client(handler);

        await Assert.ThrowsAsync<ArgumentNullException>(() => client.ListAsync(null!, ClientId, AccessToken));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ListAsync(Account, " ", AccessToken));
        await Assert.ThrowsAsync<ArgumentException>(() => client.ListAsync(Account, ClientId, ""));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CreateAsync(null!, ClientId, AccessToken, Upload()));
        await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAsync(Account, ClientId, "", Upload()));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.CreateAsync(Account, ClientId, AccessToken, null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => client.RevokeAsync(null!, ClientId, "c", AccessToken));
        await Assert.ThrowsAsync<ArgumentException>(() => client.RevokeAsync(Account, ClientId, "", AccessToken));
        await Assert.ThrowsAsync<ArgumentException>(() => client.RevokeAsync(Account, ClientId, "c", " "));
        Assert.Throws<ArgumentNullException>(() => new NetSuiteCertificatesClient(null!, new NetSuiteEndpoints(new NetSuiteEndpointOptions())));
        Assert.Throws<ArgumentNullException>(() => new NetSuiteCertificatesClient(new HttpClient(), null!));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Network_failure_is_a_failure_result()
    {
        var handler = new RecordingHandler().Throw(new HttpRequestException("reset"));

        var result = await Client(handler).ListAsync(Account, ClientId, AccessToken);

        Assert.Equal(NetSuiteErrorClass.Transient, result.Error!.Class);
    }

    [Theory]
    [InlineData(false, "2026-01-01", "2026-12-31", "2026-06-01", true)]
    [InlineData(true, "2026-01-01", "2026-12-31", "2026-06-01", false)]
    [InlineData(false, "2026-01-01", "2026-12-31", "2025-12-31", false)]
    [InlineData(false, "2026-01-01", "2026-12-31", "2026-12-31", true)]
    [InlineData(false, "2026-01-01", "2026-12-31", "2027-01-01", false)]
    [InlineData(false, null, null, "2030-01-01", true)]
    public void IsActiveOn_checks_revocation_and_validity_dates(bool revoked, string? from, string? until, string day, bool active)
    {
        var certificate = new NetSuiteCertificate
        {
            CertificateId = "c",
            Revoked = revoked,
            ValidFrom = from is null ? null : DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            ValidUntil = until is null ? null : DateOnly.Parse(until, System.Globalization.CultureInfo.InvariantCulture),
        };

        Assert.Equal(active, certificate.IsActiveOn(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
