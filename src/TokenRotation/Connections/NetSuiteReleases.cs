namespace TokenRotation.Connections;

/// <summary>A NetSuite release that changes what a connection can do, with the day we assume it reaches accounts.</summary>
public sealed record NetSuiteMilestone(string Release, DateTimeOffset At, string Change);

/// <summary>
/// The NetSuite releases that end or restrict a credential kind (docs/netsuite-setup.md, "The 2027.1 changes"). Oracle
/// names releases, not days: the dates are the first of February of the release's year, when the .1 releases have
/// started to reach accounts; an account may be upgraded some weeks later.
/// </summary>
public static class NetSuiteReleases
{
    /// <summary>NetSuite 2027.1 (announced in the 2026.2 release notes): no new TBA integrations, PKCE required for new code-grant integrations.</summary>
    public static readonly NetSuiteMilestone NoNewTba = new("2027.1", new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero),
        "no new TBA integrations, PKCE required");

    /// <summary>NetSuite 2028.1 (tentative, per Oracle; one secondary source says 2028.2): TBA support ends.</summary>
    public static readonly NetSuiteMilestone TbaEnds = new("2028.1", new DateTimeOffset(2028, 2, 1, 0, 0, 0, TimeSpan.Zero),
        "TBA support ends (tentative)");

    public static IReadOnlyList<NetSuiteMilestone> All { get; } = [NoNewTba, TbaEnds];
}
