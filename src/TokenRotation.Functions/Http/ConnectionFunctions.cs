using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenRotation.Connections;
using TokenRotation.Engine;
using TokenRotation.Functions.Status;

namespace TokenRotation.Functions.Http;

/// <summary>
/// The operator's HTTP API: rotate or refresh now, pause, resume, roll back, and the status as JSON and as a page.
/// Anonymous to the host: <see cref="Middleware.OperatorAuthMiddleware"/> asks for an Entra ID token with the app role
/// (Status.Read to read, Connections.Operate to change). Answers carry the outcome's message, never a secret.
/// </summary>
public sealed class ConnectionFunctions(ConnectionProcessor processor, ConnectionLifecycle admin, StatusReportBuilder status, TimeProvider timeProvider)
{
    [Function(nameof(RotateConnection))]
    public Task<IActionResult> RotateConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connections/{name}/rotate")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        OperatorRequest.RunAsync(request, name, timeProvider, allowForce: true, (connection, flags) =>
            processor.RunAsync(connection, new RunRequest { Now = true, StartRotations = true, Force = flags.Force, DryRun = flags.DryRun, Trigger = "rotate-now" }, cancellationToken));

    [Function(nameof(PauseConnection))]
    public Task<IActionResult> PauseConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connections/{name}/pause")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        OperatorRequest.RunAsync(request, name, timeProvider, allowForce: false, (connection, flags) =>
            admin.PauseAsync(connection, flags.DryRun, cancellationToken));

    [Function(nameof(ResumeConnection))]
    public Task<IActionResult> ResumeConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connections/{name}/resume")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        OperatorRequest.RunAsync(request, name, timeProvider, allowForce: false, (connection, flags) =>
            admin.ResumeAsync(connection, flags.DryRun, cancellationToken));

    [Function(nameof(RollbackConnection))]
    public Task<IActionResult> RollbackConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connections/{name}/rollback")] HttpRequest request,
        string name,
        CancellationToken cancellationToken) =>
        OperatorRequest.RunAsync(request, name, timeProvider, allowForce: false, (connection, flags) =>
            admin.RollbackAsync(connection, flags.DryRun, cancellationToken));

    [Function(nameof(ListConnections))]
    public async Task<IActionResult> ListConnections(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "connections")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpResults.JsonBody(StatusCodes.Status200OK, await status.BuildAsync(cancellationToken).ConfigureAwait(false));
    }

    [Function(nameof(StatusPage))]
    public async Task<IActionResult> StatusPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "status")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpResults.Html(StatusCodes.Status200OK, Pages.Status(await status.BuildAsync(cancellationToken).ConfigureAwait(false)));
    }
}

/// <summary>Reading the operator API's route and query, and mapping an outcome to a status code.</summary>
internal static class OperatorRequest
{
    public readonly record struct Flags(bool DryRun, bool Force);

    public static bool TryRead(
        HttpRequest request,
        string name,
        bool allowForce,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConnectionName? connection,
        out Flags flags,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out IActionResult? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        flags = default;
        connection = null;
        if (!ConnectionName.TryParse(name, out connection))
        {
            problem = HttpResults.Problem(StatusCodes.Status400BadRequest, "Invalid connection name",
                $"A connection name is 1-{ConnectionName.MaxLength} letters, digits or '-', starting with a letter or digit.");
            return false;
        }

        if (!TryFlag(request, "dryRun", out var dryRun) || !TryFlag(request, "force", out var force))
        {
            problem = HttpResults.Problem(StatusCodes.Status400BadRequest, "Invalid query", "dryRun and force take true or false, once.");
            return false;
        }

        if (force && !allowForce)
        {
            problem = HttpResults.Problem(StatusCodes.Status400BadRequest, "Invalid query", "force applies only to rotate.");
            return false;
        }

        flags = new Flags(dryRun, force);
        problem = null;
        return true;
    }

    /// <summary>Reads the route and query, runs <paramref name="action"/> when they are valid, and answers its outcome.</summary>
    public static async Task<IActionResult> RunAsync(HttpRequest request, string name, TimeProvider timeProvider, bool allowForce, Func<ConnectionName, Flags, Task<ConnectionOutcome>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (!TryRead(request, name, allowForce, out var connection, out var flags, out var problem))
        {
            return problem;
        }

        var outcome = await action(connection, flags).ConfigureAwait(false);
        return Answer(DueTimes.Shown(outcome, timeProvider.GetUtcNow()));
    }

    public static IActionResult Answer(ConnectionOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var status = outcome.Kind switch
        {
            OutcomeKind.NotFound => StatusCodes.Status404NotFound,
            OutcomeKind.Conflict or OutcomeKind.Refused => StatusCodes.Status409Conflict,
            OutcomeKind.Failed => StatusCodes.Status502BadGateway,
            _ => StatusCodes.Status200OK,
        };
        return HttpResults.JsonBody(status, outcome);
    }

    private static bool TryFlag(HttpRequest request, string name, out bool value)
    {
        value = false;
        var values = request.Query[name];
        return values.Count switch
        {
            0 => true,
            1 when string.IsNullOrEmpty(values[0]) => value = true,
            1 => bool.TryParse(values[0], out value),
            _ => false,
        };
    }
}
