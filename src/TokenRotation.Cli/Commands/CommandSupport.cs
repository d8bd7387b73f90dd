using System.CommandLine;
using System.Globalization;
using Azure;
using Microsoft.Extensions.DependencyInjection;
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
    public static async Task<int> RunAsync(
        CliConsole console, GlobalOptions global, ParseResult parse, Func<IServiceProvider, CancellationToken, Task<int>> work, CancellationToken cancellationToken,
        Action<IServiceCollection>? configure = null)
    {
        ServiceProvider? services = null;
        try
        {
            services = CliHost.BuildServices(console, parse.GetValue(global.Settings), parse.GetValue(global.Local), configure);
            return await work(services, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Prints what happened: one line per action, then the state and the next action. Never a secret.</summary>
    public static async Task<int> ReportAsync(CliConsole console, ConnectionOutcome outcome, TimeProvider time)
    {
        var writer = outcome.Kind is OutcomeKind.Succeeded or OutcomeKind.NothingToDo or OutcomeKind.DryRun ? console.Out : console.Error;
        await writer.WriteLineAsync($"{outcome.Connection}: {Describe(outcome.Kind)}").ConfigureAwait(false);
        var lines = outcome.Actions.Count > 0 ? outcome.Actions : [outcome.Message];
        foreach (var line in lines)
        {
            await writer.WriteLineAsync($"  - {line}").ConfigureAwait(false);
        }

        if (outcome.Kind is not OutcomeKind.NotFound)
        {
            await writer.WriteLineAsync($"  state {outcome.Status}; next action {When(outcome.NextActionAt, time)}").ConfigureAwait(false);
        }

        return ExitCodes.For(outcome.Kind);
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

    public static string KindName(ConnectionKind kind) => kind switch
    {
        ConnectionKind.OAuth2AuthorizationCode => "oauth2",
        ConnectionKind.OAuth2ClientCredentials => "client-credentials",
        ConnectionKind.Tba => "tba",
        _ => kind.ToString(),
    };

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
