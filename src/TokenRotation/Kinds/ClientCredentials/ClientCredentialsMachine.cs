using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Telemetry;

namespace TokenRotation.Kinds.ClientCredentials;

/// <summary>
/// OAuth 2.0 client credentials: mint an access token (a JWT assertion signed with the current certificate's key,
/// by explicit key version) before the current one expires, and publish it. Minting changes no durable state.
/// Certificate rotation runs through <see cref="CredentialRotationMachine"/>.
/// </summary>
internal sealed class ClientCredentialsMachine(
    RunEffects effects, IAccountGate gate, NetSuiteTokenClient tokens, NetSuiteClientAssertionBuilder assertions, IAssertionSignerFactory signers,
    RotationTelemetry telemetry, IOptions<RotationOptions> rotation, TimeProvider time)
{
    /// <summary>The error code of a mint whose assertion the certificate's key could not sign.</summary>
    internal const string UnusableKeyCode = "certificate_key_unusable";

    private DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Why a signing failure is one only a person can fix; null for a passing one (Key Vault throttled or down).</summary>
    private static string? UnusableKey(Exception ex) => ex switch
    {
        Azure.RequestFailedException { Status: 400 or 401 or 403 or 404 } r => $"Key Vault answered {r.Status}{(r.ErrorCode is { Length: > 0 } code ? " " + code : "")}",
        ObjectDisposedException => null,
        InvalidOperationException or InvalidDataException or KeyNotFoundException or FileNotFoundException or System.Security.Cryptography.CryptographicException => ex.Message,
        _ => null,
    };

    public async Task<OutcomeKind> MintIfDueAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var doc = ctx.Doc;
        var cc = doc.ClientCredentials ?? throw new InvalidDataException($"Connection {doc.Name} is {doc.Kind} but has no clientCredentials section.");
        var current = doc.Credentials.Current;
        if (current is null)
        {
            if (doc.Status != ConnectionStatus.NeedsPerson)
            {
                await effects.NeedsPersonAsync(ctx, "No certificate is mapped yet: upload the certificate in NetSuite's OAuth 2.0 Client Credentials (M2M) Setup and import its certificate id.", false, cancellationToken).ConfigureAwait(false);
                await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            }

            return OutcomeKind.NeedsPerson;
        }

        var accessExpires = doc.StoredIndex?.CredentialExpiresAt;
        var due = ctx.Request.Now || accessExpires is null || accessExpires.Value - Scheduler.AccessLead(doc, rotation.Value) <= Now;
        if (!due)
        {
            return OutcomeKind.NothingToDo;
        }

        if (ctx.Request.DryRun)
        {
            ctx.Did($"would mint an access token with certificate {current.Id} and publish it to the consumer vault");
            return OutcomeKind.DryRun;
        }

        telemetry.Started(ctx.Name, ctx.Kind, "mint", "");
        var result = await MintAsync(ctx, current, cc.Scopes, cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            var error = result.Error!;
            var needsPerson = error.Class == NetSuiteErrorClass.NeedsPerson || error.Code == "invalid_grant";
            var (statusBefore, reasonBefore) = (doc.Status, doc.NeedsPersonReason);
            var repeat = doc.LastError is { } before && before.Code == error.Code && before.Message.StartsWith("mint:", StringComparison.Ordinal);
            // Retried in any case (needs-a-person ones on the growing backoff), so a fix made in NetSuite is noticed.
            effects.RecordError(ctx, error, "mint", retry: true);
            if (needsPerson)
            {
                await effects.NeedsPersonAsync(ctx, error.Code == UnusableKeyCode
                    ? $"{error.Message} Check the certificate name and key version the connection was imported with."
                    : $"NetSuite refused the client-credentials assertion ({error.Code}): check that certificate {current.Id} is still mapped (a sandbox refresh clears the mapping) and not revoked or expired.",
                    false, cancellationToken).ConfigureAwait(false);
            }
            else if (doc.Status == ConnectionStatus.Healthy)
            {
                doc.Status = ConnectionStatus.Failing;
            }

            if (repeat && doc.Status == statusBefore && doc.NeedsPersonReason == reasonBefore)
            {
                // The same refusal as the stored one: no durable state changed (architecture section 13). The retry time
                // goes to the index row only, and the next failure's backoff counts from the stored one's time.
                ctx.Did($"mint refused again ({error.Code}), as recorded; next try at {doc.LastError!.RetryAt:u}");
                return needsPerson ? OutcomeKind.NeedsPerson : OutcomeKind.Failed;
            }

            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
            return needsPerson ? OutcomeKind.NeedsPerson : OutcomeKind.Failed;
        }

        var token = result.Value;
        var accessToken = token.AccessToken!; // a mint's answer without one is an error (TokenResponse.AccessToken)
        var facts = NetSuiteTokenFacts.TryRead(accessToken, out var f) ? f : null;
        var expires = facts?.ExpiresAt ?? Now + (token.ExpiresIn ?? TimeSpan.FromHours(1));
        await effects.PublishAccessTokenAsync(ctx, accessToken, expires, cancellationToken).ConfigureAwait(false);
        ctx.AccessTokenExpiresAt = expires;
        ctx.Worked(Now, "mint"); // the mint is this connection's scheduled check (architecture section 13)
        ctx.Did($"minted and published an access token valid until {expires:u}");
        telemetry.Succeeded(ctx.Name, ctx.Kind, "mint", $"access token until {expires:u}");
        // Only a minting failure is healed by a mint; a refused rotation still needs its person.
        if (doc.LastError?.Message.StartsWith("mint:", StringComparison.Ordinal) == true || doc.Status == ConnectionStatus.Failing)
        {
            ctx.ClearError();
            doc.LastSuccessAt = Now;
            await effects.SaveAsync(ctx, cancellationToken).ConfigureAwait(false);
        }

        return OutcomeKind.Succeeded;
    }

    /// <summary>Mints an access token with one certificate (current, or a pending one being verified).</summary>
    public async Task<NetSuiteResult<TokenResponse>> MintAsync(RunContext ctx, RotatedCredential certificate, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var cc = ctx.Doc.ClientCredentials!;
        string assertion;
        try
        {
            var signer = await signers.CreateAsync(ctx.Doc, certificate, cancellationToken).ConfigureAwait(false);
            assertion = await assertions.CreateAsync(
                ctx.Account,
                new ClientAssertionOptions { ClientId = cc.ClientId, Scopes = NetSuiteScopeValues.Parse(string.Join(' ', scopes)), Audience = cc.Audience },
                signer,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (UnusableKey(ex) is { } why)
        {
            // The key cannot sign (a key version or certificate name the store lacks, a key it may not use): only a person
            // can fix that, and nothing was sent to NetSuite.
            return NetSuiteResult<TokenResponse>.Failure(new NetSuiteError(NetSuiteErrorClass.NeedsPerson, UnusableKeyCode,
                $"The key of certificate {certificate.Id} ({cc.CertificateName}, key version {certificate.KeyVersion}) could not sign the assertion: {why}.")
            { MayHaveBeenProcessed = false });
        }

        await using (await gate.EnterAsync(ctx.Doc.Account, cancellationToken).ConfigureAwait(false))
        {
            return await tokens.ClientCredentialsAsync(ctx.Account, assertion, cancellationToken).ConfigureAwait(false);
        }
    }
}
