using System.CommandLine;
using System.Globalization;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenRotation.Cli.Output;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Cli.Commands;

/// <summary>What every command shares: the NAME argument, composing the services, errors to exit codes, printing outcomes.</summary>
internal static class CommandSupport
{
    public static Argument<string> NameArgument() => new("NAME") { Description = "The connection's name (letters, digits and '-', at most 127 characters)." };

    public static Option<bool> DryRunOption() => new("--dry-run") { Description = "Say what would be done; change nothing in NetSuite or the vaults." };

    /// <summary>Builds the services, runs <paramref name="work"/>, and turns expected failures into exit codes with a message.</summary>
    /// <param name="waitingFor">What the work waits for, for the progress lines on stderr ("NetSuite (rotating erp)").</param>
    /// <param name="createsStore">The command may start a new <c>--local</c> folder (import); the others refuse a folder that does not exist.</param>
    public static async Task<int> RunAsync(
        CliConsole console, GlobalOptions global, ParseResult parse, Func<IServiceProvider, CancellationToken, Task<int>> work, CancellationToken cancellationToken,
        string? waitingFor = null, bool createsStore = false, Action<IServiceCollection>? configure = null)
    {
        ServiceProvider? services = null;
        try
        {
            if (!createsStore && parse.GetValue(global.Local) is { } local && !Directory.Exists(Path.GetFullPath(local, console.WorkingDirectory)))
            {
                // Opening the store would create an empty one and report "no connections", hiding a mistyped path.
                await console.Error.WriteLineAsync($"--local: the folder {Path.GetFullPath(local, console.WorkingDirectory)} does not exist, so it holds no connections. Check the path (`nstoken demo --folder DIR` keeps its folder; `nstoken import ... --local DIR` starts a new one).").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var output = CliOutput.For(console, parse, global);
            var progress = new ProgressReporter(console.Error, output.ErrorColour) { Waiting = waitingFor ?? "NetSuite" };
            TimeProvider? demoClock = null;
            if (parse.GetValue(global.Local) is { } folder && Demo.DemoClock.ReadOffset(Path.GetFullPath(folder, console.WorkingDirectory)) is { } offset && console.Time == TimeProvider.System)
            {
                // A folder the demo kept: its times are simulated, so read them on the demo's clock, and say so.
                demoClock = new Demo.DemoClock.Shifted(offset);
                await output.ProgressAsync($"(The demo wrote this folder: times follow its simulated clock, {offset.TotalDays:0.#} days ahead of this machine's; see {Demo.DemoClock.FileName}.)").ConfigureAwait(false);
            }

            services = CliHost.BuildServices(console.With(s => s.AddSingleton<ILoggerProvider>(progress), time: demoClock), parse.GetValue(global.Settings), parse.GetValue(global.Local), configure);
            using (waitingFor is null ? null : progress.Start())
            {
                return await work(services, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (CliConfigurationException ex)
        {
            await console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (AzureFailures.Describe(ex, CliHost.TryBuildConfiguration(console, parse.GetValue(global.Settings), parse.GetValue(global.Local) is not null)) is { } line)
        {
            await console.Error.WriteLineAsync(line).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (RequestFailedException ex)
        {
            await console.Error.WriteLineAsync($"Azure answered {ex.Status} ({ex.ErrorCode ?? "no code"}): {FirstLine(ex.Message)} Check the vault URI, your sign-in (az login) and your role on the vault.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or InvalidDataException or IOException or LeaseLostException or Azure.Identity.AuthenticationFailedException)
        {
            await console.Error.WriteLineAsync($"Failed: {FirstLine(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            if (services is not null)
            {
                await services.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public static bool TryName(CliConsole console, string? value, out ConnectionName name, string field = "NAME")
    {
        if (ConnectionName.TryParse(value, out var parsed))
        {
            name = parsed;
            return true;
        }

        console.Error.WriteLine($"{field}: '{InputChecks.Printable(value)}' is not a connection name: use 1 to 127 letters, digits or '-' (Key Vault's rules for secret names).");
        name = null!;
        return false;
    }

    /// <summary>
    /// Prints what happened: one line per action ("Likely causes" as a list), then the state and the next action; or
    /// the outcome as JSON. Never a secret. Hints repeat the user's --local and --settings.
    /// </summary>
    /// <param name="account">The account the command was given, for the sandbox hint on a 404.</param>
    /// <param name="showState">False when the connection has no state to show (a dry run of recover).</param>
    /// <param name="exitCode">The exit code when the command maps the outcome differently from <see cref="ExitCodes.For"/>.</param>
    public static async Task<int> ReportAsync(
        CliOutput output, ConnectionOutcome outcome, TimeProvider time, IReadOnlyList<string>? next = null, string? account = null, bool showState = true, int? exitCode = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(time);
        var exit = exitCode ?? ExitCodes.For(outcome.Kind);
        var lines = (outcome.Actions.Count > 0 ? outcome.Actions : [outcome.Message]).Select(output.Hints).ToList();
        var hints = (next ?? []).Select(output.Hints).ToList();
        if (SandboxHint(lines, account) is { } sandbox)
        {
            hints.Add(sandbox);
        }

        if (output.Json)
        {
            var json = OutputJson(outcome, lines, hints, exit, time);
            await output.WriteJsonAsync(showState ? json : json with { State = null, NextActionAt = null }).ConfigureAwait(false);
            return exit;
        }

        var ok = outcome.Kind is OutcomeKind.Succeeded or OutcomeKind.NothingToDo or OutcomeKind.DryRun;
        var writer = ok ? output.Console.Out : output.Console.Error;
        var style = ok ? output.Colour : output.ErrorColour;
        var summary = Describe(outcome.Kind);
        await writer.WriteLineAsync($"{style.Bold(outcome.Connection)}: {(ok ? (outcome.Kind == OutcomeKind.DryRun ? style.Yellow(summary) : style.Green(summary)) : style.Red(summary))}").ConfigureAwait(false);
        foreach (var line in lines)
        {
            await writer.WriteAsync(Action(line, output.Width)).ConfigureAwait(false);
        }

        if (outcome.Kind is not OutcomeKind.NotFound && showState)
        {
            await writer.WriteLineAsync($"  state {style.State(outcome.Status.ToString(), outcome.Status.ToString())}; next action {When(outcome.NextActionAt, time)}").ConfigureAwait(false);
        }

        foreach (var hint in hints)
        {
            await writer.WriteAsync(TextLayout.Indent(hint, output.Width, "Next: ", "  ")).ConfigureAwait(false);
        }

        return exit;
    }

    private static OutcomeJson OutputJson(ConnectionOutcome outcome, List<string> lines, List<string> hints, int exit, TimeProvider time) =>
        OutcomeJson.From(outcome with { Actions = lines }, exit, time.GetUtcNow(), hints);

    /// <summary>
    /// One action, wrapped, with an engine message's " Likely causes: a; b; c." as a list and the Login Audit Trail
    /// hint on its own line (the engine writes them as one long line, which reads badly at 1,500 characters).
    /// </summary>
    public static string Action(string line, int width)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = new System.Text.StringBuilder();
        var hint = NetSuite.Auth.NetSuiteErrorParser.LoginAuditTrailHint;
        var rest = line;
        string? where = null;
        if (rest.Contains(hint, StringComparison.Ordinal))
        {
            rest = rest.Replace(hint, "", StringComparison.Ordinal).TrimEnd();
            where = hint;
        }

        const string marker = " Likely causes: ";
        var at = rest.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            text.Append(TextLayout.Indent(rest, width, "  - ", "    "));
        }
        else
        {
            text.Append(TextLayout.Indent(rest[..at], width, "  - ", "    "));
            text.Append("    Likely causes:\n");
            var causes = rest[(at + marker.Length)..].TrimEnd().TrimEnd('.');
            foreach (var cause in causes.Split("; ", StringSplitOptions.RemoveEmptyEntries))
            {
                text.Append(TextLayout.Indent(cause.EndsWith('.') ? cause : cause + ".", width, "      * ", "        "));
            }
        }

        if (where is not null)
        {
            text.Append(TextLayout.Indent("Where to look: " + where, width, "    ", "    "));
        }

        return text.ToString();
    }

    /// <summary>NetSuite answers 404 for an account id it does not know; the usual mistake is a sandbox's suffix.</summary>
    public static string? SandboxHint(IEnumerable<string> lines, string? account)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (!lines.Any(l => l.Contains("http_404", StringComparison.Ordinal) || l.Contains("answered 404", StringComparison.Ordinal) || l.Contains("HTTP 404", StringComparison.Ordinal)))
        {
            return null;
        }

        if (account is null || !NetSuite.Auth.NetSuiteAccountId.TryParse(account, out var id))
        {
            return "NetSuite answered 404 (not found): check the account id. A sandbox's id carries a suffix (1234567_SB1, 1234567_SB2); production has none.";
        }

        return id.IsSandbox
            ? $"NetSuite answered 404 (not found) for account {id.Realm}: check the sandbox's number (_SB1, _SB2, ...) or whether the production account (no suffix) was meant."
            : $"NetSuite answered 404 (not found) for account {id.Realm}: if it is a sandbox, its id carries a suffix ({id.Realm}_SB1, {id.Realm}_SB2, ...).";
    }

    public static string Describe(OutcomeKind kind) => kind switch
    {
        OutcomeKind.NothingToDo => "nothing was due",
        OutcomeKind.Succeeded => "done",
        OutcomeKind.DryRun => "dry run (nothing was changed)",
        OutcomeKind.Failed => "failed (the service retries it)",
        OutcomeKind.NeedsPerson => "needs a person",
        OutcomeKind.Conflict => "conflict",
        OutcomeKind.NotFound => "not found",
        OutcomeKind.Refused => "refused",
        _ => kind.ToString(),
    };

    public static string When(DateTimeOffset? at, TimeProvider time)
    {
        if (at is not { } value)
        {
            return "-";
        }

        if (value == DateTimeOffset.MinValue)
        {
            return "now";
        }

        return $"{value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z ({Relative(value - time.GetUtcNow())})";
    }

    public static string Relative(TimeSpan span)
    {
        var future = span >= TimeSpan.Zero;
        var abs = span.Duration();
        var text = abs.TotalMinutes < 1 ? "<1m"
            : abs.TotalHours < 1 ? $"{(int)abs.TotalMinutes}m"
            : abs.TotalDays < 2 ? $"{(int)abs.TotalHours}h{abs.Minutes:00}m"
            : $"{(int)abs.TotalDays}d{abs.Hours:00}h";
        return future ? "in " + text : text + " ago";
    }

    /// <summary>The kind's one name (<see cref="KindNames"/>).</summary>
    public static string KindName(ConnectionKind kind) => ConnectionKindNames.Display(kind);

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
