using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Tests.Stores;

/// <summary>Connection documents and indexes that every store test owns (unique names, random canary secrets).</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static ConnectionName NewName(string prefix = "c") => ConnectionName.Parse($"{prefix}-{Guid.NewGuid():N}");

    public static string Canary(string what) => $"{what}-{Guid.NewGuid():N}";

    public static ConnectionDocument Document(ConnectionName name, long generation = 1, string account = "1234567_SB1") => new()
    {
        Name = name.Value,
        Kind = ConnectionKind.Tba,
        Account = account,
        Generation = generation,
        CreatedAt = Start,
        Tba = new TbaDefinition
        {
            ConsumerKey = Canary("ck"),
            ConsumerSecret = Canary("cs"),
            User = new RotationUser { Email = "rotator@example.com", Password = Canary("pw"), TotpSecret = "JBSWY3DPEHPK3PXP", RoleId = "3" },
        },
    };

    public static ConnectionIndex Index(ConnectionName name, long generation = 1, DateTimeOffset? nextActionAt = null, ConnectionStatus state = ConnectionStatus.Healthy, string account = "1234567_SB1") => new()
    {
        Name = name,
        Kind = ConnectionKind.Tba,
        Account = account,
        State = state,
        Generation = generation,
        NextActionAt = nextActionAt ?? Start.AddDays(90),
        CredentialExpiresAt = Start.AddDays(120),
    };

    public static Task SaveAsync(IConnectionStore store, ConnectionName name, long generation = 1) =>
        store.SaveAsync(Document(name, generation), Index(name, generation));
}
