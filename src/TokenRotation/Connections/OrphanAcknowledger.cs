using TokenRotation.Engine;
using TokenRotation.Telemetry;

namespace TokenRotation.Connections;

/// <summary>
/// Clears a possible orphan once a person has dealt with it in NetSuite (revoked the token or certificate, or found
/// it was never issued). The orphan moves from <see cref="ConnectionDocument.PossibleOrphans"/> to
/// <see cref="ConnectionDocument.AcknowledgedOrphans"/> with who and when, under the connection's lease, and an
/// <c>OrphanAcknowledged</c> event lets the alert query leave it out. The CLI and the operator API both call this.
/// </summary>
public sealed class OrphanAcknowledger(ConnectionProcessor processor, RunEffects effects, RotationTelemetry telemetry, TimeProvider time)
{
    /// <summary>Longest note kept; a note is for a ticket number or a sentence, not a document.</summary>
    public const int MaxNoteLength = 500;

    /// <summary>Longest name recorded for who acknowledged.</summary>
    public const int MaxByLength = 256;

    /// <summary>
    /// Acknowledges the open orphan whose short id (<see cref="PossibleOrphan.IdOf"/>) or exact token name is
    /// <paramref name="id"/>. Refused, naming the field, when the id matches no open orphan or the note or name is unusable.
    /// </summary>
    public Task<ConnectionOutcome> AcknowledgeAsync(
        ConnectionName name, string id, string acknowledgedBy, string? note, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Problem(id, acknowledgedBy, note) is { } problem)
        {
            return Task.FromResult(new ConnectionOutcome(name.Value, OutcomeKind.Refused, problem, ConnectionStatus.Healthy, null, [problem]));
        }

        return processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = "orphan-ack", Now = true }, async (ctx, ct) =>
        {
            var doc = ctx.Doc;
            var orphan = doc.PossibleOrphans.FirstOrDefault(o => PossibleOrphan.IdOf(o) == id)
                ?? doc.PossibleOrphans.FirstOrDefault(o => string.Equals(o.TokenName, id, StringComparison.Ordinal));
            if (orphan is null)
            {
                var open = doc.PossibleOrphans.Count == 0
                    ? "it has no open possible orphan"
                    : "its open ones are " + string.Join(", ", doc.PossibleOrphans.Select(o => PossibleOrphan.IdOf(o)));
                ctx.Did(doc.AcknowledgedOrphans.Any(a => a.Id == id || a.TokenName == id)
                    ? $"ID: {id} was already acknowledged; nothing changed"
                    : $"ID: {ctx.Name} has no open possible orphan {id} ({open}; `nstoken orphans list {ctx.Name}` shows them)");
                return OutcomeKind.Refused;
            }

            var orphanId = PossibleOrphan.IdOf(orphan);
            if (ctx.Request.DryRun)
            {
                ctx.Did($"would acknowledge possible orphan {orphanId} ({orphan.TokenName}) as {acknowledgedBy}");
                return OutcomeKind.DryRun;
            }

            doc.PossibleOrphans.Remove(orphan);
            doc.AcknowledgedOrphans.Add(new AcknowledgedOrphan
            {
                Id = orphanId,
                TokenName = orphan.TokenName,
                RecordedAt = orphan.RecordedAt,
                Reason = orphan.Reason,
                AcknowledgedBy = acknowledgedBy,
                AcknowledgedAt = time.GetUtcNow(),
                Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            });
            await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
            telemetry.OrphanAcknowledged(ctx.Name, orphan.TokenName, acknowledgedBy);
            ctx.Did($"acknowledged possible orphan {orphanId} ({orphan.TokenName}) as {acknowledgedBy}; {doc.PossibleOrphans.Count} open possible orphan(s) left");
            return OutcomeKind.Succeeded;
        }, cancellationToken);
    }

    private static string? Problem(string id, string acknowledgedBy, string? note)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 1024 || id.Any(char.IsControl))
        {
            return "ID: give the possible orphan's id (8 characters, from `nstoken orphans list NAME`) or its exact token name.";
        }

        if (string.IsNullOrWhiteSpace(acknowledgedBy) || acknowledgedBy.Length > MaxByLength || acknowledgedBy.Any(char.IsControl))
        {
            return "acknowledgedBy: who acknowledges must be known (the signed-in principal or the OS user).";
        }

        if (note is not null && (note.Length > MaxNoteLength || note.Any(c => char.IsControl(c) && c is not ('\n' or '\t'))))
        {
            return $"--note: at most {MaxNoteLength} characters, without control characters.";
        }

        return null;
    }
}
