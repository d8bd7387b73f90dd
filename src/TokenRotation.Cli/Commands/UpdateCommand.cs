using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// <c>nstoken update NAME</c>: new rotation credentials without revoking anything (a password NetSuite expired, a new
/// TOTP secret or e-mail, a consumer key and secret or client secret after a reset). Secrets come from a prompt
/// without echo or from standard input, as for import; never from arguments.
/// </summary>
internal static class UpdateCommand
{
    private const string Password = "password";
    private const string TotpSecret = "totp-secret";
    private const string ClientSecret = "client-secret";

    public static Command Create(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var email = new Option<string?>("--email") { Description = "TBA: the NLAuth user's new e-mail." };
        var consumerKey = new Option<string?>("--consumer-key") { Description = "TBA: the integration record's new consumer key (after a reset); its consumer secret is then read like the other secrets." };
        var change = new Option<string[]>("--change")
        {
            Description = $"Secrets to replace (repeatable): {Password}, {TotpSecret} (an empty one removes it: the role no longer requires 2FA), {ClientSecret}. Each is read from the prompt or stdin.",
            AllowMultipleArgumentsPerToken = true,
        };
        change.AcceptOnlyFromAmong(Password, TotpSecret, ClientSecret);
        var dryRun = CommandSupport.DryRunOption();
        var stdin = new Option<bool>("--secrets-from-stdin")
        {
            Description = "Read the secrets from standard input, one per line, in this order: consumer secret, password, TOTP secret, client secret (only those asked for).",
        };
        var command = new Command("update", """
            Update a connection's rotation credentials without revoking anything: the current token or refresh token keeps
            working and the next rotation or refresh uses the new values. TBA: --email, --change password, --change
            totp-secret, --consumer-key (with its secret) after a reset; OAuth 2.0: --change client-secret. A new password
            lets the NLAuth login be tried again after NetSuite refused the old one. Then prove it: `nstoken rotate NAME`
            (TBA) or `nstoken refresh NAME`.
            """)
        {
            name, email, consumerKey, change, dryRun, stdin,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection)
                || (parse.GetValue(email) is { } e && !InputChecks.TryEmail(console, "--email", e))
                || !InputChecks.TryToken(console, "--consumer-key", parse.GetValue(consumerKey), optional: true))
            {
                return ExitCodes.BadInput;
            }

            var changes = (parse.GetValue(change) ?? []).ToHashSet(StringComparer.Ordinal);
            var asked = new List<(string Field, string Label, bool Optional)>();
            if (parse.GetValue(consumerKey) is not null)
            {
                asked.Add(("consumer-secret", "New consumer secret", false));
            }

            if (changes.Contains(Password))
            {
                asked.Add((Password, "New password", false));
            }

            if (changes.Contains(TotpSecret))
            {
                asked.Add((TotpSecret, "New TOTP secret (base32)", true));
            }

            if (changes.Contains(ClientSecret))
            {
                asked.Add((ClientSecret, "New client secret", false));
            }

            if (asked.Count == 0 && parse.GetValue(email) is null)
            {
                await console.Error.WriteLineAsync("Nothing to update: give --email, --consumer-key, or --change password|totp-secret|client-secret.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var secrets = await ReadAsync(console, parse.GetValue(stdin), asked, ct).ConfigureAwait(false);
            if (secrets is null)
            {
                return ExitCodes.BadInput;
            }

            var update = new CredentialChanges
            {
                Email = parse.GetValue(email),
                ConsumerKey = parse.GetValue(consumerKey),
                ConsumerSecret = secrets.GetValueOrDefault("consumer-secret"),
                Password = secrets.GetValueOrDefault(Password),
                TotpSecret = secrets.GetValueOrDefault(TotpSecret),
                ClientSecret = secrets.GetValueOrDefault(ClientSecret),
            };
            return await CommandSupport.RunAsync(console, global, parse, async (services, token) =>
            {
                console.Error.WriteLine($"Updating {connection}: {string.Join(", ", update.Fields())} ...");
                var outcome = await ActivatorUtilities.CreateInstance<CredentialUpdater>(services).UpdateAsync(connection, update, parse.GetValue(dryRun), token).ConfigureAwait(false);
                var exit = await CommandSupport.ReportAsync(Output.CliOutput.For(console, parse, global), outcome, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
                return outcome.Kind == OutcomeKind.Refused ? ExitCodes.BadInput : exit;
            }, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<Dictionary<string, string>?> ReadAsync(CliConsole console, bool fromStdin, List<(string Field, string Label, bool Optional)> asked, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (asked.Count == 0)
        {
            return values;
        }

        var order = string.Join(", ", asked.Select(a => a.Label.ToLowerInvariant()));
        if (!fromStdin && console.PromptSecret is null)
        {
            await console.Error.WriteLineAsync($"There is no terminal to prompt for secrets: pass --secrets-from-stdin and write them on standard input, one per line ({order}).").ConfigureAwait(false);
            return null;
        }

        foreach (var (field, label, optional) in asked)
        {
            var value = fromStdin
                ? (await console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.TrimEnd('\r')
                : await console.PromptSecret!($"{label}{(optional ? " (Enter to remove it)" : "")}: ", cancellationToken).ConfigureAwait(false);
            if (value is null && optional)
            {
                value = "";
            }

            if (value is null || (value.Length == 0 && !optional))
            {
                await console.Error.WriteLineAsync($"Missing the {label.ToLowerInvariant()}{(fromStdin ? $" on standard input (expected, one per line: {order})" : "")}.").ConfigureAwait(false);
                return null;
            }

            values[field] = value;
        }

        return values;
    }
}
