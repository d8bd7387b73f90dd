using System.CommandLine;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Cli.Output;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Commands;

/// <summary>pause, resume, rollback, delete, recover, consent-link.</summary>
internal static class AdminCommands
{
    public static Command Pause(CliConsole console, GlobalOptions global) =>
        Simple(console, global, "pause", "Pause a connection: the timers leave it alone until `nstoken resume`. Its current credential keeps working.",
            (admin, name, dryRun, ct) => admin.PauseAsync(name, dryRun, ct));

    public static Command Resume(CliConsole console, GlobalOptions global) =>
        Simple(console, global, "resume", "Resume a paused connection: the next sweep picks it up again.",
            (admin, name, dryRun, ct) => admin.ResumeAsync(name, dryRun, ct));

    public static Command Rollback(CliConsole console, GlobalOptions global) =>
        Simple(console, global, "rollback", "During a rotation's grace period, make the previous credential current again. Nothing is revoked; the newer one is revoked after a new grace period.",
            (admin, name, dryRun, ct) => admin.RollbackAsync(name, dryRun, ct));

    public static Command Delete(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var dryRun = CommandSupport.DryRunOption();
        var force = new Option<bool>("--force") { Description = "Delete even if revoking in NetSuite fails (then revoke by hand in NetSuite)." };
        var command = new Command("delete", """
            Delete a connection: revoke what this service holds in NetSuite first (TBA tokens, the refresh token,
            certificates), then delete the consumer secret and the state secret. With purge protection the name stays
            blocked until `nstoken recover NAME`.
            """)
        {
            name, dryRun, force,
        };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var output = CliOutput.For(console, parse, global);
                await output.ProgressAsync(parse.GetValue(dryRun)
                    ? $"Dry run: what deleting {connection} would revoke in NetSuite and delete (nothing is changed) ..."
                    : $"Deleting {connection}: revoking in NetSuite first ...").ConfigureAwait(false);
                var outcome = await services.GetRequiredService<ConnectionLifecycle>().DeleteAsync(connection, parse.GetValue(dryRun), parse.GetValue(force), token).ConfigureAwait(false);
                return await CommandSupport.ReportAsync(output, outcome, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            }, ct, waitingFor: $"NetSuite (revoking what {connection} holds)");
        });
        return command;
    }

    public static Command Recover(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var dryRun = CommandSupport.DryRunOption();
        var command = new Command("recover", "Recover a deleted connection (soft delete keeps it until purged): its state secret and its consumer secret.")
        {
            name, dryRun,
        };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var output = CliOutput.For(console, parse, global);
                var store = services.GetRequiredService<IConnectionStore>();
                if (!await store.IsDeletedAsync(connection, token).ConfigureAwait(false))
                {
                    var exists = await store.GetAsync(connection, token).ConfigureAwait(false) is not null;
                    await console.Error.WriteLineAsync(exists
                        ? $"{connection} is not deleted; nothing to recover."
                        : $"No deleted connection named {connection} (it may have been purged, or never existed).").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }

                var time = services.GetRequiredService<TimeProvider>();
                var consumerSecret = SecretNames.Consumer(connection);
                ConnectionOutcome outcome;
                if (parse.GetValue(dryRun))
                {
                    outcome = new ConnectionOutcome(connection.Value, OutcomeKind.DryRun, "", ConnectionStatus.Paused, null,
                        [$"would recover the state secret {SecretNames.State(connection)}", $"would recover the consumer secret {consumerSecret} if it is deleted too"]);
                    return await CommandSupport.ReportAsync(output, outcome, time, next: [$"`{output.Command("recover " + connection)}` recovers it"], showState: false).ConfigureAwait(false);
                }

                await store.RecoverAsync(connection, token).ConfigureAwait(false);
                var consumer = await RecoverConsumerAsync(services, connection, token).ConfigureAwait(false);
                var recovered = await store.GetAsync(connection, token).ConfigureAwait(false);
                outcome = new ConnectionOutcome(connection.Value, OutcomeKind.Succeeded, "", recovered?.Status ?? ConnectionStatus.Healthy, null,
                    [$"recovered the state secret {SecretNames.State(connection)}", consumer]);
                return await CommandSupport.ReportAsync(output, outcome, time, next: [$"the next sweep picks it up again; `{output.Command("status")}` shows where it stands"]).ConfigureAwait(false);
            }, ct);
        });
        return command;
    }

    public static Command ConsentLink(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var command = new Command("consent-link", """
            Print a signed, expiring consent link (Rotation:ConsentLinkLifetime, 72 hours by default) for an OAuth 2.0
            connection. Whoever opens it logs in to NetSuite as the integration's user and chooses Allow; the callback
            accepts only the connection's account, role and entity.
            """)
        {
            name,
        };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var output = CliOutput.For(console, parse, global);
                var document = await services.GetRequiredService<IConnectionStore>().GetAsync(connection, token).ConfigureAwait(false);
                if (document is null)
                {
                    await console.Error.WriteLineAsync($"No connection named {connection}.").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }

                if (document.Kind != ConnectionKind.OAuth2AuthorizationCode)
                {
                    await console.Error.WriteLineAsync($"{connection} is a {CommandSupport.KindName(document.Kind)} connection; only OAuth 2.0 authorization-code connections are set up by a browser consent.").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }

                var link = await services.GetRequiredService<IConsentLinkFactory>().CreateAsync(connection, token).ConfigureAwait(false);
                if (link is null)
                {
                    await console.Error.WriteLineAsync(
                        "Consent links cannot be made with this configuration: no consent link signer is registered. Set TokenRotation:PublicBaseUrl to the Functions app's URL and run against its state vault, which holds the signing key.")
                        .ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                var lifetime = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.RotationOptions>>().Value.ConsentLinkLifetime;
                if (output.Json)
                {
                    await output.WriteJsonAsync(new ConsentLinkJson(connection.Value, link, services.GetRequiredService<TimeProvider>().GetUtcNow() + lifetime, document.Account.Length > 0 ? document.Account : null)).ConfigureAwait(false);
                    return ExitCodes.Ok;
                }

                await console.Out.WriteLineAsync(link).ConfigureAwait(false);
                await console.Error.WriteLineAsync($"The link is valid for {lifetime.TotalHours:0.#} hours. Open it in a browser, log in to NetSuite {(document.Account.Length > 0 ? "account " + document.Account : "(the login chooses the account)")} as the integration's user, choose its role and Allow.").ConfigureAwait(false);
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static Command Simple(
        CliConsole console, GlobalOptions global, string verb, string description,
        Func<ConnectionLifecycle, ConnectionName, bool, CancellationToken, Task<ConnectionOutcome>> run)
    {
        var name = CommandSupport.NameArgument();
        var dryRun = CommandSupport.DryRunOption();
        var command = new Command(verb, description) { name, dryRun };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var outcome = await run(services.GetRequiredService<ConnectionLifecycle>(), connection, parse.GetValue(dryRun), token).ConfigureAwait(false);
                return await CommandSupport.ReportAsync(CliOutput.For(console, parse, global), outcome, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            }, ct);
        });
        return command;
    }

    private static async Task<string> RecoverConsumerAsync(IServiceProvider services, ConnectionName connection, CancellationToken cancellationToken)
    {
        var secretName = SecretNames.Consumer(connection);
        switch (services.GetRequiredService<IConsumerPublisher>())
        {
            case FileConsumerPublisher file:
                if (!await file.Folder.IsDeletedAsync(secretName, cancellationToken).ConfigureAwait(false))
                {
                    return $"no deleted consumer secret {secretName} to recover";
                }

                await file.Folder.RecoverAsync(secretName, cancellationToken).ConfigureAwait(false);
                return $"recovered the consumer secret {secretName}";
            default:
                if (services.GetKeyedService<SecretClient>(StoresServiceCollectionExtensions.ConsumerVaultKey) is not { } client)
                {
                    return $"the consumer secret {secretName} was not recovered (no consumer vault client); the next refresh or rotation publishes it again";
                }

                try
                {
                    var operation = await client.StartRecoverDeletedSecretAsync(secretName, cancellationToken).ConfigureAwait(false);
                    await operation.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
                    return $"recovered the consumer secret {secretName}";
                }
                catch (Azure.RequestFailedException ex) when (ex.Status == 404)
                {
                    return $"no deleted consumer secret {secretName} to recover";
                }
        }
    }
}
