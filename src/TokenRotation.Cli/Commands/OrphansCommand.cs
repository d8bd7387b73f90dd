using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Commands;

/// <summary><c>nstoken orphans list [NAME]</c> and <c>nstoken orphans ack NAME ID [--note TEXT]</c>.</summary>
internal static class OrphansCommand
{
    public static Command Create(CliConsole console, GlobalOptions global)
    {
        var command = new Command("orphans", """
            Possible orphans: credentials NetSuite may hold that the state does not record (an issue answer that was lost,
            a revoke NetSuite did not confirm). Revoke the credential in NetSuite, then acknowledge it here: the alert stops.
            """);
        command.Subcommands.Add(List(console, global));
        command.Subcommands.Add(Ack(console, global));
        return command;
    }

    /// <summary>Who acknowledges from the CLI: the OS user (Key Vault's logs name the Azure sign-in separately).</summary>
    public static string OsUser(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var user = console.GetEnvironmentVariable("USER") ?? console.GetEnvironmentVariable("USERNAME") ?? Environment.UserName;
        var host = console.GetEnvironmentVariable("HOSTNAME") ?? console.GetEnvironmentVariable("COMPUTERNAME") ?? Environment.MachineName;
        return $"{user}@{host} (nstoken)";
    }

    private static Command List(CliConsole console, GlobalOptions global)
    {
        var name = new Argument<string?>("NAME") { Description = "Only this connection (default: every connection).", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Also list the acknowledged ones, with who acknowledged them and when." };
        var command = new Command("list", "List the open possible orphans with their ids (and with --all the acknowledged ones).") { name, all };
        command.SetAction((parse, ct) =>
        {
            ConnectionName? only = null;
            if (parse.GetValue(name) is { } given)
            {
                if (!CommandSupport.TryName(console, given, out var parsed))
                {
                    return Task.FromResult(ExitCodes.BadInput);
                }

                only = parsed;
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var store = services.GetRequiredService<IConnectionStore>();
                var documents = new List<ConnectionDocument>();
                if (only is not null)
                {
                    if (await store.GetAsync(only, token).ConfigureAwait(false) is not { } doc)
                    {
                        await console.Error.WriteLineAsync($"No connection named {only}.").ConfigureAwait(false);
                        return ExitCodes.BadInput;
                    }

                    documents.Add(doc);
                }
                else
                {
                    await foreach (var index in store.ListAsync(token).ConfigureAwait(false))
                    {
                        if (await store.GetAsync(index.Name, token).ConfigureAwait(false) is { } doc)
                        {
                            documents.Add(doc);
                        }
                    }
                }

                var open = 0;
                foreach (var doc in documents.OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    foreach (var orphan in doc.PossibleOrphans)
                    {
                        open++;
                        await console.Out.WriteLineAsync($"{doc.Name} {PossibleOrphan.IdOf(orphan)} open: {orphan.TokenName}: {orphan.Reason} (recorded {orphan.RecordedAt:u})").ConfigureAwait(false);
                    }

                    if (parse.GetValue(all))
                    {
                        foreach (var acknowledged in doc.AcknowledgedOrphans)
                        {
                            var note = acknowledged.Note is null ? "" : $"; note: {acknowledged.Note}";
                            await console.Out.WriteLineAsync($"{doc.Name} {acknowledged.Id} acknowledged by {acknowledged.AcknowledgedBy} at {acknowledged.AcknowledgedAt:u}: {acknowledged.TokenName}{note}").ConfigureAwait(false);
                        }
                    }
                }

                await console.Error.WriteLineAsync(open == 0
                    ? "No open possible orphans."
                    : $"{open} open possible orphan(s). Revoke each in NetSuite (Setup > Users/Roles > Access Tokens; certificates under OAuth 2.0 Client Credentials (M2M) Setup), then `nstoken orphans ack NAME ID`.").ConfigureAwait(false);
                return ExitCodes.Ok;
            }, ct);
        });
        return command;
    }

    private static Command Ack(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var id = new Argument<string>("ID") { Description = "The possible orphan's id from `nstoken orphans list` (or its exact token name)." };
        var note = new Option<string?>("--note") { Description = $"Why it is cleared, e.g. \"revoked in NetSuite, ticket 123\" (at most {OrphanAcknowledger.MaxNoteLength} characters)." };
        var dryRun = CommandSupport.DryRunOption();
        var command = new Command("ack", """
            Acknowledge a possible orphan after revoking it in NetSuite (or finding it was never issued): it is recorded with
            who (your OS user) and when, leaves the open list, and stops raising the possible-orphan alert.
            """)
        {
            name, id, note, dryRun,
        };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            return CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                var acknowledger = ActivatorUtilities.CreateInstance<OrphanAcknowledger>(services);
                var outcome = await acknowledger.AcknowledgeAsync(connection, parse.GetValue(id) ?? "", OsUser(console), parse.GetValue(note), parse.GetValue(dryRun), token).ConfigureAwait(false);
                var exit = await CommandSupport.ReportAsync(Output.CliOutput.For(console, parse, global), outcome, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
                return outcome.Kind == Engine.OutcomeKind.Refused ? ExitCodes.BadInput : exit;
            }, ct);
        });
        return command;
    }
}
