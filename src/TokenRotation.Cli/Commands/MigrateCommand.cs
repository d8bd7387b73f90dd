using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Cli.Output;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Kinds.ClientCredentials;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// <c>nstoken migrate TBA --to NEW</c>: the way off TBA. Step 1 makes the key pair (where it lives) and prints the
/// certificate to map in NetSuite for the TBA token's role and entity; step 2 (with the certificate id) creates the
/// client-credentials connection beside the TBA one and publishes its access token once it verifies; step 3
/// (<c>--retire-tba</c>, when the consumers have moved to bearer tokens) deletes the TBA connection, revoking its tokens.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var to = new Option<string>("--to") { Description = "Name of the client-credentials connection to create beside the TBA one.", Required = true };
        var keyVersion = new Option<string?>("--key-version") { Description = "Step 2: the key version step 1 printed." };
        var expires = new Option<string?>("--certificate-expires") { Description = "Step 2: the certificate's expiry step 1 printed (UTC, ISO 8601)." };
        var certificateId = new Option<string?>("--certificate-id") { Description = "Step 2: the Certificate ID NetSuite showed when the certificate was mapped." };
        var clientId = new Option<string?>("--client-id") { Description = "The integration record's client id (default: the TBA connection's consumer key, which is the same record's)." };
        var retire = new Option<bool>("--retire-tba") { Description = "Step 3: the consumers use the bearer token now; revoke the TBA tokens and delete the TBA connection." };
        var dryRun = CommandSupport.DryRunOption();
        var command = new Command("migrate", """
            Move a TBA connection to OAuth 2.0 client credentials (no new TBA integrations from NetSuite 2027.1; TBA support
            is planned to end around 2028.1, tentatively).
              1. nstoken migrate TBA --to NEW                 makes the key pair and writes the certificate to map in NetSuite to a file
              2. nstoken migrate TBA --to NEW --key-version V --certificate-expires T --certificate-id ID
                                                              creates NEW beside TBA, verifies it by minting, publishes its token
              3. nstoken migrate TBA --to NEW --retire-tba    after the consumers send bearer tokens: revokes and deletes TBA
            """)
        {
            name, to, keyVersion, expires, certificateId, clientId, retire, dryRun,
        };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var tbaName) || !CommandSupport.TryName(console, parse.GetValue(to), out var newName, "--to")
                || !InputChecks.TryToken(console, "--key-version", parse.GetValue(keyVersion), optional: true)
                || !InputChecks.TryToken(console, "--certificate-id", parse.GetValue(certificateId), optional: true)
                || !InputChecks.TryToken(console, "--client-id", parse.GetValue(clientId), optional: true))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var output = CliOutput.For(console, parse, global);
                var setup = services.GetRequiredService<ClientCredentialsSetup>();
                var store = services.GetRequiredService<IConnectionStore>();
                var time = services.GetRequiredService<TimeProvider>();
                if (parse.GetValue(retire))
                {
                    var replacement = await store.GetAsync(newName, token).ConfigureAwait(false);
                    if (replacement is null || replacement.Kind != ConnectionKind.OAuth2ClientCredentials || replacement.Status != ConnectionStatus.Healthy)
                    {
                        await console.Error.WriteLineAsync($"{newName} is not a healthy client-credentials connection yet; the TBA connection {tbaName} is kept. Finish step 2 first.").ConfigureAwait(false);
                        return ExitCodes.Conflict;
                    }

                    var deleted = await services.GetRequiredService<ConnectionLifecycle>().DeleteAsync(tbaName, parse.GetValue(dryRun), force: false, token).ConfigureAwait(false);
                    return await CommandSupport.ReportAsync(output, deleted, time).ConfigureAwait(false);
                }

                var tba = await store.GetAsync(tbaName, token).ConfigureAwait(false);
                if (tba?.Kind != ConnectionKind.Tba || tba.Tba is null)
                {
                    await console.Error.WriteLineAsync(tba is null ? $"No connection named {tbaName}." : $"{tbaName} is a {CommandSupport.KindName(tba.Kind)} connection; only TBA connections are migrated.").ConfigureAwait(false);
                    return tba is null ? ExitCodes.BadInput : ExitCodes.Conflict;
                }

                var role = tba.Tba.ExpectedRoleId ?? tba.Tba.User.RoleId;
                var entity = tba.Tba.ExpectedEntityId;
                if (parse.GetValue(certificateId) is not { Length: > 0 } id)
                {
                    if (parse.GetValue(dryRun))
                    {
                        var dry = new ConnectionOutcome(newName.Value, OutcomeKind.DryRun, "", ConnectionStatus.NeedsPerson, null,
                            [$"would make a key pair for {newName} and write the certificate to map for role {role} and entity {entity} to a file"]);
                        return await CommandSupport.ReportAsync(output, dry, time, showState: false).ConfigureAwait(false);
                    }

                    var (certificate, _) = await setup.PrepareMigrationAsync(tbaName, newName, token).ConfigureAwait(false);
                    var file = await ImportCommand.WriteCertificateAsync(console, null, certificate.CertificateName, certificate.KeyVersion, certificate.CertificatePem, token).ConfigureAwait(false);
                    var then = output.Command($"migrate {tbaName} --to {newName} --key-version {certificate.KeyVersion} --certificate-expires {certificate.NotAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} --certificate-id <the id NetSuite shows>");
                    if (output.Json)
                    {
                        await output.WriteJsonAsync(new CertificateJson(newName.Value, certificate.CertificateName, certificate.KeyVersion, certificate.KeyVersion, certificate.NotAfter, file, [certificate.Instructions, then], ExitCodes.NeedsPerson)).ConfigureAwait(false);
                        return ExitCodes.NeedsPerson;
                    }

                    await console.Out.WriteLineAsync($"""
                        Step 1 of 3: a key pair for {newName} was made in the key store (the private key stays there).
                        Wrote the certificate to {file}
                        {certificate.Instructions}

                        Then run:
                          {then}
                        """).ConfigureAwait(false);
                    return ExitCodes.NeedsPerson;
                }

                if (parse.GetValue(keyVersion) is not { Length: > 0 } version
                    || !DateTimeOffset.TryParse(parse.GetValue(expires), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var notAfter))
                {
                    await console.Error.WriteLineAsync("--certificate-id needs --key-version and --certificate-expires, as step 1 printed them.").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }

                if (entity is null)
                {
                    await console.Error.WriteLineAsync($"{tbaName} does not know its entity yet (tokeninfo did not say); run `nstoken doctor {tbaName}` first.").ConfigureAwait(false);
                    return ExitCodes.NeedsPerson;
                }

                var mapped = new CertificateToMap(newName.Value, SecretNames.Certificate(newName), version, "", notAfter, role, entity);
                var outcome = await setup.CompleteAsync(
                    newName, tba.Account, parse.GetValue(clientId) ?? tba.Tba.ConsumerKey, role, entity, mapped, id, null, parse.GetValue(dryRun), token).ConfigureAwait(false);
                IReadOnlyList<string> next = outcome.Kind == OutcomeKind.Succeeded
                    ? [$"step 2 of 3 done: {newName} publishes an access token in the consumer vault (secret netsuite-{newName}). The consumers of {tbaName} must now send \"Authorization: Bearer <that token>\" instead of signing with the TBA set; only their owners can make that change. `{output.Command("status")}` shows both connections side by side. When all have moved: `{output.Command($"migrate {tbaName} --to {newName} --retire-tba")}`"]
                    : [];
                var exit = await CommandSupport.ReportAsync(output, outcome, time, next).ConfigureAwait(false);
                return exit;
            }, ct);
        });
        return command;
    }
}
