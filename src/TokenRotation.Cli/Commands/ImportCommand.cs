using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2.Jwt;
using TokenRotation.Cli.Output;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Keys;
using TokenRotation.Kinds.ClientCredentials;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// <c>nstoken import tba|oauth2|client-credentials NAME</c>. Secrets are read from a prompt without echo, or from
/// standard input with <c>--secrets-from-stdin</c> (one per line, in the order the help gives); never from arguments.
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliConsole console, GlobalOptions global)
    {
        var command = new Command("import", "Add a connection: a TBA token made in NetSuite's UI, an OAuth 2.0 client, or a client-credentials (M2M) connection. Secrets are prompted for without echo or read from stdin, never taken from arguments.");
        command.Subcommands.Add(Tba(console, global));
        command.Subcommands.Add(OAuth2(console, global));
        command.Subcommands.Add(ClientCredentials(console, global));
        return command;
    }

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    private static Option<bool> SecretsFromStdin(string order) => new("--secrets-from-stdin")
    {
        Description = $"Read the secrets from standard input, one per line: {order}. Without it they are prompted for without echo.",
    };

    private static Command Tba(CliConsole console, GlobalOptions global)
    {
        const string order = "consumer secret, token secret, the rotation user's password, its TOTP secret (empty line if its role has no two-factor authentication)";
        var name = CommandSupport.NameArgument();
        var account = Required("--account", "NetSuite account id: 1234567, 1234567_SB1 or 1234567-sb1.");
        var consumerKey = Required("--consumer-key", "The integration record's consumer key.");
        var tokenId = Required("--token-id", "The token id made in NetSuite (Setup > Users/Roles > Access Tokens).");
        var email = Required("--email", "E-mail of the NetSuite user that issues new tokens (issuetoken, NLAuth).");
        var role = Required("--role", "Internal id of that user's role; the token's role must be the same.");
        var verifyUrl = new Option<string?>("--verify-url") { Description = "Optional RESTlet or REST URL to call, signed, when verifying a new token." };
        var rotateNow = new Option<bool>("--rotate-now")
        {
            Description = "After the import, rotate at once: log in with the user's password (and TOTP) to issue a new token, verify and promote it; the imported token is retired after the grace period. Proves the rotation credentials on day one instead of at the first rotation.",
        };
        var dryRun = CommandSupport.DryRunOption();
        var stdin = SecretsFromStdin(order);
        var command = new Command("tba", $"""
            Import a TBA token made in NetSuite's UI. It is checked with tokeninfo (account, role, entity) before it is
            stored. Secrets, in this order: {order}.
            """)
        {
            name, account, consumerKey, tokenId, email, role, verifyUrl, rotateNow, dryRun, stdin,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection) || !TryAccount(console, parse.GetValue(account), out var accountId)
                || !InputChecks.TryToken(console, "--consumer-key", parse.GetValue(consumerKey)) || !InputChecks.TryToken(console, "--token-id", parse.GetValue(tokenId))
                || !InputChecks.TryEmail(console, "--email", parse.GetValue(email)) || !InputChecks.TryInternalId(console, "--role", parse.GetValue(role)))
            {
                return ExitCodes.BadInput;
            }

            var url = parse.GetValue(verifyUrl);
            if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                await console.Error.WriteLineAsync($"--verify-url: '{url}' is not an absolute URL.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var secrets = await ReadSecretsAsync(console, parse.GetValue(stdin), order, ct,
                ("Consumer secret", false), ("Token secret", false), ("Password of " + parse.GetValue(email), false), ("TOTP secret (base32)", true)).ConfigureAwait(false);
            if (secrets is null)
            {
                return ExitCodes.BadInput;
            }

            var document = new ConnectionDocument
            {
                Name = connection.Value,
                Kind = ConnectionKind.Tba,
                Account = accountId.Realm,
                Tba = new TbaDefinition
                {
                    ConsumerKey = parse.GetValue(consumerKey)!,
                    ConsumerSecret = secrets[0],
                    User = new RotationUser { Email = parse.GetValue(email)!, Password = secrets[2], TotpSecret = secrets[3].Length == 0 ? null : secrets[3], RoleId = parse.GetValue(role)! },
                    VerifyUrl = url,
                },
                Credentials = new CredentialSlots { Current = new RotatedCredential { Id = parse.GetValue(tokenId)!, Secret = secrets[1], Name = "imported", IssuedAt = console.Time.GetUtcNow() } },
            };
            if (!parse.GetValue(rotateNow) || parse.GetValue(dryRun))
            {
                return await ImportAsync(console, global, parse, document, parse.GetValue(dryRun), ct).ConfigureAwait(false);
            }

            return await CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var output = CliOutput.For(console, parse, global);
                var imported = await ImportWithAsync(output, services, document, dryRun: false, token).ConfigureAwait(false);
                if (imported != ExitCodes.Ok)
                {
                    return imported;
                }

                // The password and TOTP secret can only be proven by a login: issue a new token now, as a rotation does.
                await output.ProgressAsync($"Rotating {connection} now to prove the rotation credentials (issue, verify, promote) ...").ConfigureAwait(false);
                var outcome = await RunCommands.RotateAsync(services, connection, dryRun: false, force: false, token).ConfigureAwait(false);
                return await CommandSupport.ReportAsync(output, outcome, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            }, ct, createsStore: true).ConfigureAwait(false);
        });
        return command;
    }

    private static Command OAuth2(CliConsole console, GlobalOptions global)
    {
        const string order = "client secret (confidential clients only)";
        var name = CommandSupport.NameArgument();
        var account = new Option<string?>("--account")
        {
            Description = "NetSuite account id: 1234567, 1234567_SB1 or 1234567-sb1. Leave it out when the account is not known yet: the consent link then starts at NetSuite's generic login page and the first consent chooses the account.",
        };
        var allowedAccounts = new Option<string[]>("--allowed-accounts")
        {
            Description = "Without --account: the accounts the first consent may bind to, comma-separated or repeated: account ids, or 1234567_SB* for every sandbox of 1234567. Default: any account.",
            AllowMultipleArgumentsPerToken = true,
        };
        var clientId = Required("--client-id", "The integration record's client id.");
        var publicClient = new Option<bool>("--public-client") { Description = "A public client (PKCE, no client secret; single-use refresh tokens)." };
        var redirect = new Option<string?>("--redirect-uri") { Description = "The redirect URI registered on the integration record (default: {TokenRotation:PublicBaseUrl}/api/oauth/callback)." };
        var scopes = new Option<string[]>("--scope") { Description = "Scopes (repeatable): rest_webservices, restlets, suite_analytics. Default rest_webservices.", AllowMultipleArgumentsPerToken = true };
        var role = new Option<string?>("--role") { Description = "Role id the tokens must be for (otherwise pinned by the first consent)." };
        var entity = new Option<string?>("--entity") { Description = "Entity (user) id the tokens must be for (otherwise pinned by the first consent)." };
        var maxRotation = new Option<int>("--max-rotation-hours") { Description = "Public clients: the record's Maximum Time For Token Rotation (no token carries it).", DefaultValueFactory = _ => 168 };
        var dryRun = CommandSupport.DryRunOption();
        var stdin = SecretsFromStdin(order);
        var command = new Command("oauth2", $"""
            Import an OAuth 2.0 authorization-code client. It then needs one consent by a person (the command prints the
            consent link). Secret: {order}.
            """)
        {
            name, account, allowedAccounts, clientId, publicClient, redirect, scopes, role, entity, maxRotation, dryRun, stdin,
        };
        command.SetAction(async (parse, ct) =>
        {
            var accountText = parse.GetValue(account);
            NetSuiteAccountId? accountId = null;
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection) || (accountText is not null && !TryAccount(console, accountText, out accountId))
                || !InputChecks.TryToken(console, "--client-id", parse.GetValue(clientId))
                || !InputChecks.TryInternalId(console, "--role", parse.GetValue(role), optional: true) || !InputChecks.TryInternalId(console, "--entity", parse.GetValue(entity), optional: true))
            {
                return ExitCodes.BadInput;
            }

            var allowed = (parse.GetValue(allowedAccounts) ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (allowed.Count > 0 && accountId is not null)
            {
                await console.Error.WriteLineAsync("--allowed-accounts: only for a connection imported without --account (its first consent chooses the account).").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            foreach (var entry in allowed)
            {
                if (!AccountRestriction.TryNormalize(entry, out _, out var problem))
                {
                    await console.Error.WriteLineAsync($"--allowed-accounts: {problem}.").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }

            var isPublic = parse.GetValue(publicClient);
            string? secret = null;
            if (!isPublic)
            {
                var secrets = await ReadSecretsAsync(console, parse.GetValue(stdin), order, ct, ("Client secret", false)).ConfigureAwait(false);
                if (secrets is null)
                {
                    return ExitCodes.BadInput;
                }

                secret = secrets[0];
            }

            var chosenScopes = parse.GetValue(scopes) is { Length: > 0 } s ? s.ToList() : ["rest_webservices"];
            return await CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var redirectUri = parse.GetValue(redirect)
                    ?? services.GetRequiredService<IOptions<TokenRotationOptions>>().Value.PublicBaseUrl.TrimEnd('/') + "/api/oauth/callback";
                var document = new ConnectionDocument
                {
                    Name = connection.Value,
                    Kind = ConnectionKind.OAuth2AuthorizationCode,
                    Account = accountId?.Realm ?? "",
                    OAuth2 = new OAuth2Definition
                    {
                        AllowedAccounts = allowed.Count > 0 ? allowed : null,
                        ClientId = parse.GetValue(clientId)!,
                        ClientSecret = secret,
                        IsPublicClient = isPublic,
                        RedirectUri = redirectUri,
                        Scopes = chosenScopes,
                        ExpectedRoleId = parse.GetValue(role),
                        ExpectedEntityId = parse.GetValue(entity),
                        MaxRotationHours = parse.GetValue(maxRotation),
                    },
                };
                var output = CliOutput.For(console, parse, global);
                return await ImportWithAsync(output, services, document, parse.GetValue(dryRun), token, async () =>
                {
                    var link = await services.GetRequiredService<IConsentLinkFactory>().CreateAsync(connection, token).ConfigureAwait(false);
                    return [link is null
                        ? $"a person consents once; run `{output.Command("consent-link " + connection)}` where consent links can be made."
                        : $"a person consents once, in a browser: {link}"];
                }).ConfigureAwait(false);
            }, ct, waitingFor: $"NetSuite (importing {connection})", createsStore: true).ConfigureAwait(false);
        });
        return command;
    }

    private static Command ClientCredentials(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var account = Required("--account", "NetSuite account id: 1234567, 1234567_SB1 or 1234567-sb1.");
        var clientId = Required("--client-id", "The integration record's client id.");
        var role = Required("--role", "Role id the certificate is mapped to.");
        var entity = Required("--entity", "Entity (user) id the certificate is mapped to.");
        var certificateId = new Option<string?>("--certificate-id") { Description = "The certificate id NetSuite shows after the upload (the assertion's kid)." };
        var keyVersion = new Option<string?>("--key-version") { Description = "The version of the certificate (in the state vault) whose key signs; printed by --new-key." };
        var certificateName = new Option<string?>("--certificate-name") { Description = "Name of the certificate in the state vault (default cert-NAME)." };
        var expires = new Option<DateTimeOffset?>("--certificate-expires") { Description = "When the certificate expires (rotation starts Rotation:CertificateRenewBefore earlier); printed by --new-key." };
        var algorithm = new Option<string>("--algorithm") { Description = "Assertion algorithm: ES256 (default), ES384, ES512, PS256, PS384, PS512.", DefaultValueFactory = _ => JwtAlgorithms.ES256 };
        var newKey = new Option<bool>("--new-key") { Description = "Create a new key and certificate in the state vault and write the certificate to upload in NetSuite to a file (--certificate-file); then run import again with --certificate-id and --key-version." };
        var certificateFile = new Option<string?>("--certificate-file") { Description = "With --new-key: where to write the certificate (PEM). Default: CERTIFICATE-NAME.pem in the working directory (never overwritten).", HelpName = "FILE" };
        var dryRun = CommandSupport.DryRunOption();
        var command = new Command("client-credentials", """
            Import an OAuth 2.0 client-credentials (M2M) connection. No secret is read: the private key stays in the state
            vault. Step 1: --new-key writes a certificate to a file; upload it in NetSuite (Setup > Integration > Manage
            Authentication > OAuth 2.0 Client Credentials (M2M) Setup) for the role and entity. Step 2: import with
            --certificate-id and --key-version.
            """)
        {
            name, account, clientId, role, entity, certificateId, keyVersion, certificateName, expires, algorithm, newKey, certificateFile, dryRun,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection) || !TryAccount(console, parse.GetValue(account), out var accountId)
                || !InputChecks.TryToken(console, "--client-id", parse.GetValue(clientId))
                || !InputChecks.TryInternalId(console, "--role", parse.GetValue(role)) || !InputChecks.TryInternalId(console, "--entity", parse.GetValue(entity))
                || !InputChecks.TryVaultName(console, "--certificate-name", parse.GetValue(certificateName), optional: true)
                || !InputChecks.TryToken(console, "--certificate-id", parse.GetValue(certificateId), optional: true)
                || !InputChecks.TryToken(console, "--key-version", parse.GetValue(keyVersion), optional: true))
            {
                return ExitCodes.BadInput;
            }

            if (!JwtAlgorithms.IsSupported(parse.GetValue(algorithm)))
            {
                await console.Error.WriteLineAsync($"--algorithm: '{parse.GetValue(algorithm)}' is not one NetSuite accepts (ES256, ES384, ES512, PS256, PS384, PS512).").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var certName = parse.GetValue(certificateName) ?? Stores.SecretNames.Certificate(connection);
            return await CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                if (parse.GetValue(newKey))
                {
                    if (services.GetService<ICertificateKeyStore>() is not { } keys)
                    {
                        await console.Error.WriteLineAsync("No certificate key store is configured, so no key can be made here.").ConfigureAwait(false);
                        return ExitCodes.Failure;
                    }

                    var output = CliOutput.For(console, parse, global);
                    var version = await keys.CreateVersionAsync(certName, $"nstoken {connection}", ClientCredentialsSetup.CertificateValidity, token).ConfigureAwait(false);
                    var file = await WriteCertificateAsync(console, parse.GetValue(certificateFile), certName, version.Version, version.CertificatePem, token).ConfigureAwait(false);
                    var again = output.Command($"import client-credentials {connection} --account {accountId.Realm} --client-id {parse.GetValue(clientId)} --role {parse.GetValue(role)} --entity {parse.GetValue(entity)} --certificate-name {certName} --key-version {version.KeyVersion} --certificate-expires {version.NotAfter.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} --certificate-id <the id NetSuite shows>");
                    var upload = $"a person uploads {file} in NetSuite (Setup > Integration > Manage Authentication > OAuth 2.0 Client Credentials (M2M) Setup) for role {parse.GetValue(role)} and entity {parse.GetValue(entity)}, then runs:";
                    if (output.Json)
                    {
                        await output.WriteJsonAsync(new CertificateJson(connection.Value, certName, version.Version, version.KeyVersion, version.NotAfter, file, [upload, again], ExitCodes.NeedsPerson)).ConfigureAwait(false);
                        return ExitCodes.NeedsPerson;
                    }

                    await console.Out.WriteLineAsync($"""
                        Created {certName} version {version.Version} (key version {version.KeyVersion}), valid until {version.NotAfter:u}; the private key stays in the store.
                        Wrote the certificate to {file}
                        Next: {upload}
                          {again}
                        """).ConfigureAwait(false);
                    return ExitCodes.NeedsPerson;
                }

                if (parse.GetValue(certificateId) is not { Length: > 0 } certId || parse.GetValue(keyVersion) is not { Length: > 0 } version2)
                {
                    await console.Error.WriteLineAsync("--certificate-id and --key-version are required (or --new-key to make the certificate first).").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }

                var document = new ConnectionDocument
                {
                    Name = connection.Value,
                    Kind = ConnectionKind.OAuth2ClientCredentials,
                    Account = accountId.Realm,
                    ClientCredentials = new ClientCredentialsDefinition
                    {
                        ClientId = parse.GetValue(clientId)!,
                        RoleId = parse.GetValue(role)!,
                        EntityId = parse.GetValue(entity)!,
                        CertificateName = certName,
                        Algorithm = parse.GetValue(algorithm)!,
                    },
                    Credentials = new CredentialSlots
                    {
                        Current = new RotatedCredential { Id = certId, KeyVersion = version2, Name = "imported", IssuedAt = console.Time.GetUtcNow(), ExpiresAt = parse.GetValue(expires) },
                    },
                };
                return await ImportWithAsync(CliOutput.For(console, parse, global), services, document, parse.GetValue(dryRun), token).ConfigureAwait(false);
            }, ct, waitingFor: $"NetSuite (minting a first access token for {connection})", createsStore: true).ConfigureAwait(false);
        });
        return command;
    }

    private static Task<int> ImportAsync(CliConsole console, GlobalOptions global, ParseResult parse, ConnectionDocument document, bool dryRun, CancellationToken cancellationToken) =>
        CommandSupport.RunAsync(console, global, parse, (services, token) => ImportWithAsync(CliOutput.For(console, parse, global), services, document, dryRun, token), cancellationToken,
            waitingFor: $"NetSuite (checking {document.Name}'s credential)", createsStore: true);

    private static async Task<int> ImportWithAsync(
        CliOutput output, IServiceProvider services, ConnectionDocument document, bool dryRun, CancellationToken cancellationToken, Func<Task<IReadOnlyList<string>>>? next = null)
    {
        var account = document.Account.Length > 0 ? document.Account : "chosen by the first consent";
        await output.ProgressAsync(dryRun
            ? $"Dry run: checking {document.Name} ({CommandSupport.KindName(document.Kind)}, account {account}) without storing it ..."
            : $"Importing {document.Name} ({CommandSupport.KindName(document.Kind)}, account {account}) ...").ConfigureAwait(false);
        var outcome = await services.GetRequiredService<ConnectionImport>().ImportAsync(document, dryRun, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == OutcomeKind.Refused && !output.Json && CredentialConflicts.IsConflict(outcome.Message))
        {
            // A credential another connection holds: the refusal names the option, the connection and what to do in one
            // line, unwrapped, so that it can be searched for and copied.
            await output.Console.Error.WriteLineAsync(outcome.Message).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        if (outcome.Kind == OutcomeKind.Succeeded && !dryRun && document.Kind == ConnectionKind.OAuth2ClientCredentials && document.Credentials.Current is not null)
        {
            // A mint proves the certificate id, key and role mapping now, not at the first sweep: a mistyped id fails here.
            await output.ProgressAsync($"Minting an access token for {document.Name} to prove the certificate mapping ...").ConfigureAwait(false);
            var minted = await services.GetRequiredService<ConnectionProcessor>().WithSessionAsync(
                ConnectionName.Parse(document.Name), new RunRequest { Now = true, Trigger = "import-check" }, (ctx, ct) => RunCommands.RefreshAsync(services, ctx, ct), cancellationToken).ConfigureAwait(false);
            if (minted.Kind is not OutcomeKind.Succeeded)
            {
                return await CommandSupport.ReportAsync(output, minted, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            }

            // One report for both: the import, then the mint that proved it.
            outcome = outcome with
            {
                Message = $"{outcome.Message}; {minted.Message}",
                Actions = [.. outcome.Actions, .. minted.Actions],
                Status = minted.Status,
                NextActionAt = minted.NextActionAt,
            };
        }

        var hints = outcome.Kind == OutcomeKind.Succeeded && next is not null ? await next().ConfigureAwait(false) : null;
        return await CommandSupport.ReportAsync(
            output, outcome, services.GetRequiredService<TimeProvider>(), hints, document.Account.Length > 0 ? document.Account : null,
            exitCode: outcome.Kind == OutcomeKind.Refused ? ExitCodes.BadInput : null).ConfigureAwait(false);
    }

    /// <summary>Writes the certificate a person uploads in NetSuite; never over an existing file.</summary>
    internal static async Task<string> WriteCertificateAsync(CliConsole console, string? given, string certificateName, string version, string pem, CancellationToken cancellationToken)
    {
        var path = given is not null
            ? Path.GetFullPath(given, console.WorkingDirectory)
            : Path.Combine(console.WorkingDirectory, certificateName + ".pem");
        if (File.Exists(path))
        {
            path = Path.Combine(Path.GetDirectoryName(path)!, $"{Path.GetFileNameWithoutExtension(path)}-{version[..Math.Min(8, version.Length)]}.pem");
        }

        await using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(pem.Trim().AsMemory(), cancellationToken).ConfigureAwait(false);
            await writer.WriteLineAsync().ConfigureAwait(false);
        }

        return path;
    }

    private static bool TryAccount(CliConsole console, string? value, out NetSuiteAccountId account)
    {
        if (NetSuiteAccountId.TryParse(value, out var parsed))
        {
            account = parsed;
            return true;
        }

        console.Error.WriteLine($"--account: '{InputChecks.Printable(value)}' is not a NetSuite account id. Accepted forms: 1234567, 1234567_SB1, 1234567-sb1 or TSTDRV1234567.");
        account = null!;
        return false;
    }

    /// <summary>Reads the secrets in order; null (after saying why) when one is missing. Optional ones may be empty.</summary>
    private static async Task<string[]?> ReadSecretsAsync(CliConsole console, bool fromStdin, string order, CancellationToken cancellationToken, params (string Label, bool Optional)[] wanted)
    {
        if (!fromStdin && console.PromptSecret is null)
        {
            await console.Error.WriteLineAsync($"There is no terminal to prompt for secrets: pass --secrets-from-stdin and write them on standard input, one per line ({order}).").ConfigureAwait(false);
            return null;
        }

        var values = new string[wanted.Length];
        for (var i = 0; i < wanted.Length; i++)
        {
            var (label, optional) = wanted[i];
            var value = fromStdin
                ? (await console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.TrimEnd('\r')
                : await console.PromptSecret!($"{label}{(optional ? " (Enter for none)" : "")}: ", cancellationToken).ConfigureAwait(false);
            if (value is null && optional)
            {
                value = "";
            }

            if (value is null || (value.Length == 0 && !optional))
            {
                await console.Error.WriteLineAsync($"Missing the {label.ToLowerInvariant()}{(fromStdin ? $" on standard input (expected, one per line: {order})" : "")}.").ConfigureAwait(false);
                return null;
            }

            values[i] = value;
        }

        return values;
    }
}
