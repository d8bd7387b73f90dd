using Microsoft.Extensions.Options;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Functions.Status;

/// <summary>What <c>GET /api/connections</c> and <c>GET /api/status</c> show. Holds no secret.</summary>
public sealed record StatusReport(
    string Service,
    DateTimeOffset GeneratedAt,
    IReadOnlyList<ConnectionStatusEntry> Connections,
    IReadOnlyList<PoisonedWork> PoisonedWork)
{
    /// <summary>Connections only a person can move on, in the engine's order (what needs a person first).</summary>
    public IEnumerable<ConnectionStatusEntry> NeedingAPerson => Connections.Where(c => c.NeedsPerson);
}

/// <summary>One connection's status, with a consent link when a browser consent is what it needs.</summary>
public sealed record ConnectionStatusEntry(ConnectionStatusView Connection, bool NeedsPerson, string? ConsentLink);

/// <summary>Builds the status from the engine's view of every connection, fresh consent links and the poisoned work.</summary>
public sealed class StatusReportBuilder(
    ConnectionStatusQuery statusQuery, IConsentLinkFactory consentLinks, IPoisonedWorkLog poisonedWork, IOptions<TokenRotationOptions> options, TimeProvider timeProvider)
{
    public async Task<StatusReport> BuildAsync(CancellationToken cancellationToken = default)
    {
        var views = await statusQuery.StatusAsync(cancellationToken).ConfigureAwait(false);
        var now = timeProvider.GetUtcNow();
        var entries = new List<ConnectionStatusEntry>(views.Count);
        foreach (var view in views)
        {
            var needsPerson = view.State == ConnectionStatus.NeedsPerson;
            string? link = null;
            if (needsPerson && view.Kind == ConnectionKind.OAuth2AuthorizationCode && ConnectionName.TryParse(view.Name, out var name))
            {
                link = await consentLinks.CreateAsync(name, cancellationToken).ConfigureAwait(false);
            }

            entries.Add(new ConnectionStatusEntry(view with { NextActionAt = DueTimes.Shown(view.NextActionAt, now) }, needsPerson, link));
        }

        var poisoned = await poisonedWork.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return new StatusReport(options.Value.ServiceName, now, entries, poisoned);
    }
}

/// <summary>
/// The engine says "due now" with <see cref="DateTimeOffset.MinValue"/>; what people and scripts read shows the time of
/// the answer instead of the year 1.
/// </summary>
public static class DueTimes
{
    public static DateTimeOffset? Shown(DateTimeOffset? at, DateTimeOffset now) => at == DateTimeOffset.MinValue ? now : at;

    public static ConnectionOutcome Shown(ConnectionOutcome outcome, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.NextActionAt == DateTimeOffset.MinValue ? outcome with { NextActionAt = now } : outcome;
    }
}
