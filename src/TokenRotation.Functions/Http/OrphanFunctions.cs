using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenRotation.Connections;
using TokenRotation.Functions.Status;

namespace TokenRotation.Functions.Http;

/// <summary>
/// Acknowledging a possible orphan over the operator API (role Connections.Operate, like every change): the same
/// <see cref="OrphanAcknowledger"/> as <c>nstoken orphans ack</c>, recording the signed-in principal as who.
/// </summary>
public sealed class OrphanFunctions(OrphanAcknowledger acknowledger, TimeProvider timeProvider)
{
    /// <summary>Largest request body read (a note of <see cref="OrphanAcknowledger.MaxNoteLength"/> characters fits).</summary>
    private const int MaxBodyBytes = 8 * 1024;

    [Function(nameof(AcknowledgeOrphan))]
    public async Task<IActionResult> AcknowledgeOrphan(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connections/{name}/orphans/{id}/ack")] HttpRequest request,
        string name,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!OperatorRequest.TryRead(request, name, allowForce: false, out var connection, out var flags, out var problem))
        {
            return problem;
        }

        var (note, bodyProblem) = await ReadNoteAsync(request, cancellationToken).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, "Invalid body", bodyProblem);
        }

        if (Who(request.HttpContext.User) is not { } who)
        {
            return HttpResults.Problem(StatusCodes.Status401Unauthorized, "Sign-in required", "Acknowledging a possible orphan records who did it: send an Entra ID token.");
        }

        var outcome = await acknowledger.AcknowledgeAsync(connection, id, who, note, flags.DryRun, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == Engine.OutcomeKind.Refused)
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, "Not acknowledged", outcome.Actions.Count > 0 ? outcome.Actions[0] : outcome.Message);
        }

        return OperatorRequest.Answer(DueTimes.Shown(outcome, timeProvider.GetUtcNow()));
    }

    /// <summary>The signed-in principal: its user name when it has one, and always its object id.</summary>
    internal static string? Who(ClaimsPrincipal? principal)
    {
        var oid = principal?.FindFirst("oid")?.Value;
        if (oid is null)
        {
            return null;
        }

        var user = principal!.FindFirst("preferred_username")?.Value ?? principal.FindFirst("upn")?.Value ?? principal.FindFirst("appid")?.Value ?? principal.FindFirst("azp")?.Value;
        return user is null ? $"oid {oid}" : $"{user} (oid {oid})";
    }

    private static async Task<(string? Note, string? Problem)> ReadNoteAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Body.CanRead))
        {
            return (null, null);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return (null, $"The body is larger than {MaxBodyBytes} bytes.");
            }
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        try
        {
            using var json = JsonDocument.Parse(buffer.ToArray());
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "The body is a JSON object: {\"note\": \"...\"}.");
            }

            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name != "note")
                {
                    return (null, $"{property.Name}: unknown field; the body has only \"note\".");
                }
            }

            if (!json.RootElement.TryGetProperty("note", out var note) || note.ValueKind == JsonValueKind.Null)
            {
                return (null, null);
            }

            return note.ValueKind == JsonValueKind.String ? (note.GetString(), null) : (null, "note: a string.");
        }
        catch (JsonException)
        {
            return (null, "The body is not valid JSON; send {\"note\": \"...\"} or nothing.");
        }
    }
}
