using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Cli.Output;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Kinds;

namespace TokenRotation.Cli.Commands;

/// <summary><c>refresh</c> and <c>rotate</c>: the work the timers do, now, under the connection's lease.</summary>
internal static class RunCommands
{
    public static Command Refresh(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var dryRun = CommandSupport.DryRunOption();
        var command = new Command("refresh", """
            Refresh now: OAuth 2.0 authorization code -> refresh the access token and publish it; client credentials -> mint
            an access token and publish it; TBA (tokens never expire) -> check the current token with tokeninfo and
            re-publish the TBA set if the consumer vault lacks it.
            """)
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
                await output.ProgressAsync(parse.GetValue(dryRun) ? $"Dry run: what refreshing {connection} would do (nothing is changed) ..." : $"Refreshing {connection} ...").ConfigureAwait(false);
                var processor = services.GetRequiredService<ConnectionProcessor>();
                var request = new RunRequest { Now = true, DryRun = parse.GetValue(dryRun), Trigger = "cli-refresh" };
                var outcome = await processor.WithSessionAsync(connection, request, (ctx, ct) => RefreshAsync(services, ctx, ct), token).ConfigureAwait(false);
                return await CommandSupport.ReportAsync(output, outcome, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            }, ct, waitingFor: $"NetSuite (refreshing {connection})");
        });
        return command;
    }

    public static Command Rotate(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var dryRun = CommandSupport.DryRunOption();
        var force = new Option<bool>("--force")
        {
            Description = "Start a new rotation even while the previous credential is in its grace period (it is revoked first; consumers still using it break).",
        };
        var command = new Command("rotate", """
            Rotate now: TBA token or client-credentials certificate -> issue a new one, verify it with a real call, promote
            it; the old one is revoked after the grace period (Rotation:GracePeriod). For OAuth 2.0 authorization-code
            connections this is a refresh. Also advances a rotation already in progress.
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
                    ? $"Dry run: what rotating {connection} would do (nothing is changed) ..."
                    : $"Rotating {connection}: issue, verify, promote (a few NetSuite calls) ...").ConfigureAwait(false);
                var outcome = await RotateAsync(services, connection, parse.GetValue(dryRun), parse.GetValue(force), token).ConfigureAwait(false);
                return await CommandSupport.ReportAsync(output, outcome, services.GetRequiredService<TimeProvider>()).ConfigureAwait(false);
            }, ct, waitingFor: $"NetSuite (rotating {connection})");
        });
        return command;
    }

    /// <summary>What <c>nstoken rotate</c> does (the demo calls it too): the Functions app's rotate-now request.</summary>
    public static Task<ConnectionOutcome> RotateAsync(IServiceProvider services, ConnectionName connection, bool dryRun, bool force, CancellationToken cancellationToken) =>
        services.GetRequiredService<ConnectionProcessor>().RunAsync(
            connection, new RunRequest { Now = true, Rotate = true, StartRotations = true, Force = force, DryRun = dryRun, Trigger = "cli-rotate" }, cancellationToken);

    /// <summary>The refresh of one connection, by kind, inside its session.</summary>
    public static Task<OutcomeKind> RefreshAsync(IServiceProvider services, RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Doc.Paused && !ctx.Request.DryRun)
        {
            ctx.Did($"paused: nothing done (run `nstoken resume {ctx.Name}` first)");
            return Task.FromResult(OutcomeKind.Refused);
        }

        return services.GetRequiredService<CredentialKindHandlers>().For(ctx.Doc).VerifyAsync(ctx, cancellationToken);
    }
}
