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

    /// <summary>Everything a person must do, each with the action that fixes it: the connections' needs, then the poisoned work.</summary>
    public IReadOnlyList<PersonTask> PersonTasks { get; init; } = [];
}

/// <summary>One connection's status, with a consent link when a browser consent is what it needs.</summary>
public sealed record ConnectionStatusEntry(ConnectionStatusView Connection, bool NeedsPerson, string? ConsentLink)
{
    /// <summary>The kind as people say it.</summary>
    public string KindName => ConnectionKindNames.Display(Connection.Kind);
}

/// <summary>What kind of help a person gives.</summary>
public enum PersonTaskKind
{
    /// <summary>Consent in a browser (OAuth 2.0 authorization code).</summary>
    Consent,

    /// <summary>NetSuite refused the rotation user's password (TBA's NLAuth login).</summary>
    CredentialsRefused,

    /// <summary>The integration record is blocked or waiting for approval.</summary>
    IntegrationBlocked,

    /// <summary>NetSuite may hold a credential nobody uses: revoke it.</summary>
    PossibleOrphan,

    /// <summary>A queue message failed on every retry.</summary>
    PoisonedWork,

    /// <summary>Another refusal only a person can clear; the engine's reason says which.</summary>
    Other,
}

/// <summary>
/// One thing a person must do: the problem and the action, as text in which commands are quoted with backticks (the
/// page shows them as code), and a consent link when that is the action.
/// </summary>
public sealed record PersonTask(PersonTaskKind Kind, string? Connection, string? Account, string Problem, string Action, string? Link = null);

/// <summary>Builds the status from the engine's view of every connection, fresh consent links and the poisoned work.</summary>
public sealed class StatusReportBuilder(
    ConnectionStatusQuery statusQuery, IConsentLinkFactory consentLinks, IPoisonedWorkLog poisonedWork, IOptions<TokenRotationOptions> options, TimeProvider timeProvider)
{
    /// <summary>Error codes that mean the integration record is blocked or waits for an administrator's approval.</summary>
    private static readonly HashSet<string> BlockedCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "IntegrationBlocked", "WAITING_FOR_APPROVAL", "consumer_key_refused", "unauthorized_client",
    };

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
        return new StatusReport(options.Value.ServiceName, now, entries, poisoned) { PersonTasks = Tasks(entries, poisoned) };
    }

    /// <summary>What a person must do, connection by connection in the engine's order, then the poisoned work.</summary>
    public static IReadOnlyList<PersonTask> Tasks(IEnumerable<ConnectionStatusEntry> entries, IEnumerable<PoisonedWork> poisoned)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(poisoned);
        var tasks = new List<PersonTask>();
        foreach (var entry in entries)
        {
            var view = entry.Connection;
            if (entry.NeedsPerson)
            {
                tasks.Add(ConnectionTask(entry));
            }

            if (view.PossibleOrphans.Count > 0)
            {
                var where = view.Kind switch
                {
                    ConnectionKind.Tba => "Setup > Users/Roles > Access Tokens",
                    ConnectionKind.OAuth2ClientCredentials => "Setup > Integration > OAuth 2.0 Client Credentials (M2M) Setup",
                    _ => "Setup > Users/Roles > OAuth 2.0 Authorized Applications",
                };
                tasks.Add(new PersonTask(PersonTaskKind.PossibleOrphan, view.Name, view.Account,
                    $"NetSuite may hold {Plural(view.PossibleOrphans.Count, "credential")} that the service never saw: {string.Join("; ", view.PossibleOrphans)}.",
                    $"In NetSuite account {view.Account}, under {where}, revoke {(view.PossibleOrphans.Count == 1 ? "it" : "them")} (the name above is the token or certificate name), " +
                    $"then acknowledge each: `nstoken orphans ack {view.Name} ID` (`nstoken orphans list {view.Name}` shows the ids)."));
            }
        }

        foreach (var item in poisoned)
        {
            var connections = item.Connections.Count == 0 ? "(unreadable message)" : string.Join(", ", item.Connections);
            tasks.Add(new PersonTask(PersonTaskKind.PoisonedWork, item.Connections.Count == 1 ? item.Connections[0] : null, item.Account,
                $"Work for {Plural(item.Connections.Count, "connection")} ({connections}) failed on every retry (last reason: {item.Reason}).",
                item.Connections.Count == 1
                    ? $"Fix the cause, then run it again: `nstoken rotate {item.Connections[0]}`, or wait for the next sweep."
                    : "Fix the cause, then run the connections again (`nstoken rotate NAME` for each), or wait for the next sweep."));
        }

        return tasks;
    }

    private static PersonTask ConnectionTask(ConnectionStatusEntry entry)
    {
        var view = entry.Connection;
        var reason = view.NeedsPersonReason ?? view.LastErrorMessage ?? "Only a person can move this connection on.";
        if (string.Equals(view.LastErrorCode, "INVALID_LOGIN_CREDENTIALS", StringComparison.OrdinalIgnoreCase))
        {
            return new PersonTask(PersonTaskKind.CredentialsRefused, view.Name, view.Account,
                "NetSuite refused the rotation user's password (NLAuth). The current token still works; rotation waits, and the password is not sent again.",
                $"Check the user's password, role and 2FA in NetSuite, then give the connection the new password: `nstoken update {view.Name} --change password`, and prove it with `nstoken rotate {view.Name}`.");
        }

        if (view.LastErrorCode is { } code && BlockedCodes.Contains(code))
        {
            var retry = view.Kind == ConnectionKind.Tba ? "rotate" : "refresh";
            return new PersonTask(PersonTaskKind.IntegrationBlocked, view.Name, view.Account,
                $"The integration record is blocked or waiting for approval in NetSuite ({code}).",
                $"A NetSuite administrator enables the integration record (Setup > Integration > Manage Integrations), then run `nstoken {retry} {view.Name}`.");
        }

        if (view.Kind == ConnectionKind.OAuth2AuthorizationCode)
        {
            return new PersonTask(PersonTaskKind.Consent, view.Name, view.Account, reason,
                entry.ConsentLink is null
                    ? $"Make a consent link with `nstoken consent-link {view.Name}` and send it to the NetSuite user who consents."
                    : "Open the consent link (or send it to the NetSuite user who consents with the integration's role) and choose Allow.",
                entry.ConsentLink);
        }

        return new PersonTask(PersonTaskKind.Other, view.Name, view.Account, reason, $"`nstoken doctor {view.Name}` says what NetSuite answers and what to do.");
    }

    internal static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
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
