using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.Certificates;
using NetSuite.Auth.OAuth2;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Keys;

namespace TokenRotation.Kinds.ClientCredentials;

/// <summary>
/// Certificate rotation for client-credentials connections, through the same state machine as TBA tokens:
/// issue = a new certificate version (fresh key) uploaded through NetSuite's certificates endpoint for the same
/// role and entity; verify = mint a token with the new <c>kid</c> and make a real call; promote; retire = revoke
/// the old certificate in NetSuite after the grace period.
/// </summary>
internal sealed class CertificateRotationOperations(
    ICertificateKeyStore keys, ClientCredentialsMachine mint, IAccountGate gate, NetSuiteCertificatesClient certificates, IOptions<RotationOptions> rotation, TimeProvider time)
    : IRotationOperations
{
    /// <summary>NetSuite allows at most five active certificates per integration record.</summary>
    public const int MaxActiveCertificates = 5;

    public static TimeSpan Validity => ClientCredentialsSetup.CertificateValidity;

    public string Noun => "certificate";

    private DateTimeOffset Now => time.GetUtcNow();

    public bool IsRotationDue(RunContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var current = ctx.Doc.Credentials.Current;
        var renewBefore = ctx.Doc.Policy.CertificateRenewBefore ?? rotation.Value.CertificateRenewBefore;
        return current?.ExpiresAt is { } expires && expires - renewBefore <= Now;
    }

    public async Task<NetSuiteResult<RotatedCredential>> IssueAsync(RunContext ctx, string rotationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var cc = Definition(ctx);
        var token = await RestWebServicesTokenAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (!token.IsSuccess)
        {
            return NetSuiteResult<RotatedCredential>.Failure(NotProcessed(token.Error!));
        }

        NetSuiteResult<IReadOnlyList<NetSuiteCertificate>> listed;
        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            listed = await certificates.ListAsync(ctx.Account, cc.ClientId, token.Value, cancellationToken).ConfigureAwait(false);
        }

        if (!listed.IsSuccess)
        {
            return NetSuiteResult<RotatedCredential>.Failure(PermissionHint(NotProcessed(listed.Error!)));
        }

        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        var active = listed.Value.Count(c => c.IsActiveOn(today));
        if (active >= MaxActiveCertificates)
        {
            return NetSuiteResult<RotatedCredential>.Failure(new NetSuiteError(
                NetSuiteErrorClass.NeedsPerson, "certificate_limit",
                $"The integration record already has {active} active certificates, NetSuite's maximum is {MaxActiveCertificates}. Revoke unused ones in Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup, then rotate again.")
            { MayHaveBeenProcessed = false });
        }

        var version = await keys.CreateVersionAsync(cc.CertificateName, $"nstoken {ctx.Name} {rotationId}", Validity, cancellationToken).ConfigureAwait(false);
        NetSuiteResult<NetSuiteCreatedCertificate> created;
        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            created = await certificates.CreateAsync(
                ctx.Account, cc.ClientId, token.Value,
                new NetSuiteCertificateUpload { CertificatePem = version.CertificatePem, RoleId = int.Parse(cc.RoleId, System.Globalization.CultureInfo.InvariantCulture), EntityId = int.Parse(cc.EntityId, System.Globalization.CultureInfo.InvariantCulture) },
                cancellationToken).ConfigureAwait(false);
        }

        if (!created.IsSuccess)
        {
            return NetSuiteResult<RotatedCredential>.Failure(PermissionHint(created.Error!));
        }

        return NetSuiteResult<RotatedCredential>.Success(new RotatedCredential
        {
            Id = created.Value.CertificateId,
            KeyVersion = version.KeyVersion,
            Name = rotationId,
            IssuedAt = Now,
            ExpiresAt = version.NotAfter,
        });
    }

    public async Task<VerifyResult> VerifyAsync(RunContext ctx, RotatedCredential pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(pending);
        var cc = Definition(ctx);
        var minted = await mint.MintAsync(ctx, pending, ["rest_webservices"], cancellationToken).ConfigureAwait(false);
        if (!minted.IsSuccess)
        {
            return VerifyResult.Failed(minted.Error!);
        }

        if (NetSuiteTokenFacts.TryRead(minted.Value.AccessToken, out var facts)
            && ((facts.RoleId is { } role && role != cc.RoleId) || (facts.EntityId is { } entity && entity != cc.EntityId)))
        {
            return VerifyResult.WrongIdentity($"the token minted with certificate {pending.Id} is for role {facts.RoleId} and entity {facts.EntityId}, expected role {cc.RoleId} and entity {cc.EntityId}");
        }

        // A real call with the new token: list the certificates (it also proves the role still has the permission).
        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            var call = await certificates.ListAsync(ctx.Account, cc.ClientId, minted.Value.AccessToken!, cancellationToken).ConfigureAwait(false);
            return call.IsSuccess ? VerifyResult.Ok : VerifyResult.Failed(PermissionHint(call.Error!));
        }
    }

    /// <summary>The consumer projection is the access token, minted on schedule; a promoted certificate needs no publish.</summary>
    public Task PublishAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> IsPublishedAsync(RunContext ctx, RotatedCredential current, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<NetSuiteResult<string>> RevokeAsync(RunContext ctx, RotatedCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(credential);
        var cc = Definition(ctx);
        var token = await RestWebServicesTokenAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (!token.IsSuccess)
        {
            return NetSuiteResult<string>.Failure(token.Error!);
        }

        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            var revoked = await certificates.RevokeAsync(ctx.Account, cc.ClientId, credential.Id, token.Value, cancellationToken).ConfigureAwait(false);
            return revoked.IsSuccess ? NetSuiteResult<string>.Success($"HTTP {revoked.Value}") : NetSuiteResult<string>.Failure(PermissionHint(revoked.Error!));
        }
    }

    /// <summary>A <c>rest_webservices</c> token from the connection itself (its current certificate).</summary>
    private async Task<NetSuiteResult<string>> RestWebServicesTokenAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var current = ctx.Doc.Credentials.Current ?? throw new InvalidDataException($"Connection {ctx.Name} has no current certificate.");
        var minted = await mint.MintAsync(ctx, current, ["rest_webservices"], cancellationToken).ConfigureAwait(false);
        return minted.IsSuccess ? NetSuiteResult<string>.Success(minted.Value.AccessToken!) : NetSuiteResult<string>.Failure(minted.Error!);
    }

    private static ClientCredentialsDefinition Definition(RunContext ctx) =>
        ctx.Doc.ClientCredentials ?? throw new InvalidDataException($"Connection {ctx.Name} is {ctx.Doc.Kind} but has no clientCredentials section.");

    /// <summary>Nothing was uploaded yet: failures before the upload cannot leave a certificate behind.</summary>
    private static NetSuiteError NotProcessed(NetSuiteError error) =>
        new(error.Class, error.Code, error.Message)
        {
            StatusCode = error.StatusCode,
            MayHaveBeenProcessed = false,
            RetryAfter = error.RetryAfter,
            LikelyCauses = error.LikelyCauses,
            AuditTrailHint = error.AuditTrailHint,
        };

    private static NetSuiteError PermissionHint(NetSuiteError error) =>
        error.StatusCode is 401 or 403
            ? new NetSuiteError(NetSuiteErrorClass.NeedsPerson, error.Code,
                $"{error.Message} The role needs the permission \"Manage own OAuth 2.0 Client Credentials Certificates\", and the token the rest_webservices scope.")
            {
                StatusCode = error.StatusCode,
                MayHaveBeenProcessed = error.MayHaveBeenProcessed,
                LikelyCauses = error.LikelyCauses,
                AuditTrailHint = error.AuditTrailHint,
            }
            : error;
}
