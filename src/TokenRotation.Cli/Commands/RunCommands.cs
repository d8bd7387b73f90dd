using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation.Cli.Output;
using TokenRotation.Connections;
using TokenRotation.Engine;

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
                var outcome = await processor.WithSessionAsync(connection, request, RefreshAsync, token).ConfigureAwait(false);
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
    public static Task<OutcomeKind> RefreshAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (ctx.Doc.Paused && !ctx.Request.DryRun)
        {
            ctx.Did($"paused: nothing done (run `nstoken resume {ctx.Name}` first)");
            return Task.FromResult(OutcomeKind.Refused);
        }

        return ctx.Doc.Kind switch
        {
            ConnectionKind.OAuth2AuthorizationCode => OAuth2RefreshMachine.RunAsync(ctx, cancellationToken),
            ConnectionKind.OAuth2ClientCredentials => ClientCredentialsMachine.MintIfDueAsync(ctx, cancellationToken),
            ConnectionKind.Tba => CheckTbaAsync(ctx, cancellationToken),
            _ => Task.FromResult(OutcomeKind.Refused),
        };
    }

    private static async Task<OutcomeKind> CheckTbaAsync(RunContext ctx, CancellationToken cancellationToken)
    {
        var current = ctx.Doc.Credentials.Current;
        if (current is null)
        {
            ctx.Did("no current TBA token to check");
            return OutcomeKind.Refused;
        }

        if (ctx.Request.DryRun)
        {
            ctx.Did($"would check TBA token {current.Id} with tokeninfo and re-publish the TBA set if the consumer vault lacks it (TBA tokens do not expire: `nstoken rotate {ctx.Name}` replaces one)");
            return OutcomeKind.DryRun;
        }

        var ops = TbaRotationOperations.Instance;
        var verify = await ops.VerifyAsync(ctx, current, cancellationToken).ConfigureAwait(false);
        if (!verify.Verified)
        {
            if (verify.Mismatch is { } mismatch)
            {
                ctx.Did($"TBA token {current.Id} works but is for another identity: {mismatch}");
                return OutcomeKind.NeedsPerson;
            }

            var error = verify.Error!;
            var causes = error.LikelyCauses.Count > 0 ? $" Likely causes: {string.Join("; ", error.LikelyCauses)}." : "";
            ctx.Did($"tokeninfo did not accept TBA token {current.Id} ({error.Code}): {error.Message}{causes}{(error.AuditTrailHint is null ? "" : " " + error.AuditTrailHint)}");
            return error.Class == NetSuite.Auth.NetSuiteErrorClass.NeedsPerson ? OutcomeKind.NeedsPerson : OutcomeKind.Failed;
        }

        ctx.Did($"TBA token {current.Id} works (tokeninfo shows the expected account, role and entity); TBA tokens do not expire, so there is nothing to refresh");
        if (!await ops.IsPublishedAsync(ctx, current, cancellationToken).ConfigureAwait(false))
        {
            await ops.PublishAsync(ctx, current, cancellationToken).ConfigureAwait(false);
            ctx.Did("re-published the TBA set to the consumer vault");
        }

        return OutcomeKind.Succeeded;
    }
}
