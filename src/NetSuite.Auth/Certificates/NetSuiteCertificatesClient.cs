using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace NetSuite.Auth.Certificates;

/// <summary>
/// NetSuite's OAuth 2.0 client-credentials certificate rotation endpoint (NetSuite topic 2.4) on the RESTlets host:
/// list, upload and revoke the certificates mapped to an integration record. Every call needs a bearer access token
/// issued for the <c>rest_webservices</c> scope, to a role with "Manage own OAuth 2.0 Client Credentials Certificates".
/// </summary>
/// <param name="http">The HTTP client (from <c>AddNetSuiteAuth</c>, with the NetSuite resilience pipeline).</param>
/// <param name="endpoints">The endpoint templates.</param>
/// <param name="timeProvider">The clock for date-form <c>Retry-After</c>; <see cref="TimeProvider.System"/> when null.</param>
public sealed class NetSuiteCertificatesClient(HttpClient http, NetSuiteEndpoints endpoints, TimeProvider? timeProvider = null)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly NetSuiteEndpoints _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
    private readonly TimeProvider _timeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>Lists the certificates of an integration record (<c>GET .../clients/{clientId}/certificates</c>). Safe to retry.</summary>
    /// <param name="account">The account.</param>
    /// <param name="clientId">The integration record's client id.</param>
    /// <param name="accessToken">A <c>rest_webservices</c> access token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The certificates (revoked and expired included), or the classified failure.</returns>
    public async Task<NetSuiteResult<IReadOnlyList<NetSuiteCertificate>>> ListAsync(
        NetSuiteAccountId account, string clientId, string accessToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(accessToken);
        using var request = Request(HttpMethod.Get, _endpoints.Certificates(account, clientId), account, NetSuiteCallSafety.SafeToRetry, accessToken);
        return await NetSuiteHttp.SendAsync(_http, request, ReadList, _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads a public certificate and maps it to a role and entity (<c>POST .../clients/{clientId}/certificates</c>).
    /// Single-use: a second upload of the same certificate after a lost answer would fail or duplicate, so it is
    /// retried only when NetSuite provably did not process it. List the certificates to find out after an ambiguous failure.
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="clientId">The integration record's client id.</param>
    /// <param name="accessToken">A <c>rest_webservices</c> access token.</param>
    /// <param name="upload">The certificate, role and entity.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new mapping with its <c>certificate_id</c>, or the classified failure.</returns>
    /// <exception cref="ArgumentException">The upload is not a PEM certificate, or looks like a private key.</exception>
    public async Task<NetSuiteResult<NetSuiteCreatedCertificate>> CreateAsync(
        NetSuiteAccountId account, string clientId, string accessToken, NetSuiteCertificateUpload upload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(accessToken);
        ArgumentNullException.ThrowIfNull(upload);
        var pem = upload.CertificatePem;
        if (string.IsNullOrWhiteSpace(pem) || pem.Contains("PRIVATE KEY", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                "The certificate upload must be a public PEM certificate; it is empty or holds a private key, which must never be sent.", nameof(upload));
        }

        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            throw new ArgumentException("The certificate upload must be a PEM X.509 certificate (-----BEGIN CERTIFICATE-----).", nameof(upload));
        }

        using var request = Request(HttpMethod.Post, _endpoints.Certificates(account, clientId), account, NetSuiteCallSafety.SingleUse, accessToken);
        request.Content = new StringContent(UploadJson(upload), Encoding.UTF8, "application/json");
        return await NetSuiteHttp.SendAsync(_http, request, ReadCreated, _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Revokes a certificate (<c>POST .../clients/{clientId}/certificates/{certificateId}/revoke</c>, empty body).
    /// Any 2xx is success whatever the body (NetSuite answers the text <c>Successfully revoked</c>). Safe to retry.
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="clientId">The integration record's client id.</param>
    /// <param name="certificateId">The certificate id.</param>
    /// <param name="accessToken">A <c>rest_webservices</c> access token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The HTTP status of the 2xx answer, or the classified failure.</returns>
    public async Task<NetSuiteResult<int>> RevokeAsync(
        NetSuiteAccountId account, string clientId, string certificateId, string accessToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrWhiteSpace(accessToken);
        var url = new Uri(_endpoints.Certificate(account, clientId, certificateId).AbsoluteUri + "/revoke");
        using var request = Request(HttpMethod.Post, url, account, NetSuiteCallSafety.SafeToRetry, accessToken);
        return await NetSuiteHttp.SendAsync(
            _http, request, (response, _) => NetSuiteResult<int>.Success((int)response.StatusCode), _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri url, NetSuiteAccountId account, NetSuiteCallSafety safety, string accessToken)
    {
        var request = new HttpRequestMessage(method, url).ForNetSuite(account, safety);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    private static string UploadJson(NetSuiteCertificateUpload upload)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            // Oracle's sample sends role as a number and entity as a string: {"fileContent":..,"role":1000,"entity":"-5"}.
            writer.WriteStartObject();
            writer.WriteString("fileContent", upload.CertificatePem);
            writer.WriteNumber("role", upload.RoleId);
            writer.WriteString("entity", upload.EntityId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static NetSuiteResult<IReadOnlyList<NetSuiteCertificate>> ReadList(HttpResponseMessage response, string body)
    {
        using var document = JsonDocument.Parse(body);
        var items = document.RootElement;
        if (items.ValueKind == JsonValueKind.Object && items.TryGetProperty("items", out var wrapped))
        {
            items = wrapped;
        }

        if (items.ValueKind != JsonValueKind.Array)
        {
            return NetSuiteResult<IReadOnlyList<NetSuiteCertificate>>.Failure(
                NetSuiteHttp.InvalidResponse(response, "a certificate list that is not a JSON array"));
        }

        var certificates = new List<NetSuiteCertificate>();
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || NetSuiteCertificate.Read(item) is not { } certificate)
            {
                return NetSuiteResult<IReadOnlyList<NetSuiteCertificate>>.Failure(
                    NetSuiteHttp.InvalidResponse(response, "a certificate list entry without certificate_id"));
            }

            certificates.Add(certificate);
        }

        return NetSuiteResult<IReadOnlyList<NetSuiteCertificate>>.Success(certificates);
    }

    private static NetSuiteResult<NetSuiteCreatedCertificate> ReadCreated(HttpResponseMessage response, string body)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind != JsonValueKind.Object || NetSuiteCreatedCertificate.Read(document.RootElement) is not { } created)
        {
            return NetSuiteResult<NetSuiteCreatedCertificate>.Failure(
                NetSuiteHttp.InvalidResponse(response, "a certificate upload answer without certificate_id"));
        }

        return NetSuiteResult<NetSuiteCreatedCertificate>.Success(created);
    }
}
