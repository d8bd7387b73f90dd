using System.Globalization;
using NetSuite.Simulator;

namespace Testing.Shared;

/// <summary>
/// The NetSuite side a test world seeds: one account with an integration role (and optionally an administrator role)
/// and one integration user. <see cref="Standard"/> is the account of the engine, Functions and soak worlds; a world
/// with other values (the CLI tests' operator account) is a <c>with</c> copy of it, so the seeding is written once.
/// </summary>
public sealed record WorldAccount
{
    /// <summary>The standard sandbox account and its integration user.</summary>
    public static WorldAccount Standard { get; } = new();

    /// <summary>The account id, realm form.</summary>
    public string Id { get; init; } = "1234567_SB1";

    public string UserEmail { get; init; } = "integration@example.com";

    public string UserPassword { get; init; } = "correct horse battery staple";

    /// <summary>The user's TOTP secret; null for a user without two-factor authentication.</summary>
    public string? TotpSecret { get; init; } = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    public int IntegrationRole { get; init; } = 1000;

    public int AdministratorRole { get; init; } = 3;

    public int ConcurrencyLimit { get; init; } = 5;

    /// <summary>The integration role as the connection documents carry it.</summary>
    public string IntegrationRoleId => IntegrationRole.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds the account, its integration role (unless <paramref name="roleRecord"/> is false), the administrator role
    /// (when asked; the user then holds both) and the user, once: a second call on the same simulator does nothing.
    /// With <paramref name="consentUser"/> the user is the one who approves OAuth 2.0 consents.
    /// </summary>
    /// <returns>Whether the account was added now.</returns>
    public bool SeedInto(SimulatorState state, bool twoFactor = true, bool administratorRole = false, bool consentUser = false, bool roleRecord = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.TryGetAccount(Id, out _))
        {
            return false;
        }

        state.AddAccount(Id, concurrencyLimit: ConcurrencyLimit);
        if (roleRecord)
        {
            state.AddRole(Id, IntegrationRole, "Integration Role", twoFactorRequired: twoFactor);
        }

        if (administratorRole)
        {
            state.AddRole(Id, AdministratorRole, "Administrator", twoFactorRequired: true);
            state.AddUser(Id, UserEmail, UserPassword, TotpSecret, IntegrationRole, AdministratorRole);
        }
        else
        {
            state.AddUser(Id, UserEmail, UserPassword, TotpSecret, IntegrationRole);
        }

        if (consentUser)
        {
            state.SetConsentUser(Id, UserEmail, IntegrationRole);
        }

        return true;
    }

    /// <summary>Secrets stay out of test output.</summary>
    public override string ToString() => $"{Id} {UserEmail}";
}
