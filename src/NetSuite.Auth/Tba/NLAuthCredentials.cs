namespace NetSuite.Auth.Tba;

/// <summary>User credentials for the <c>NLAuth</c> header of <c>issuetoken</c> and <c>revoketoken</c>.</summary>
/// <remarks><see cref="ToString"/> never shows the password.</remarks>
public sealed class NLAuthCredentials
{
    /// <summary>Creates NLAuth credentials.</summary>
    /// <param name="account">The account.</param>
    /// <param name="email">The user's e-mail.</param>
    /// <param name="password">The user's password (sent as <c>nlauth_signature</c>).</param>
    /// <param name="roleId">The role's internal id; the token is issued for this role.</param>
    /// <param name="applicationId">Optional application id (<c>nlauth_application_id</c>).</param>
    /// <exception cref="ArgumentException">The e-mail or password is empty (the message names the parameter, never its value).</exception>
    public NLAuthCredentials(NetSuiteAccountId account, string email, string password, string? roleId = null, string? applicationId = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        TbaCredentials.Require(email, nameof(email));
        TbaCredentials.Require(password, nameof(password));
        Account = account;
        Email = email;
        Password = password;
        RoleId = string.IsNullOrWhiteSpace(roleId) ? null : roleId;
        ApplicationId = string.IsNullOrWhiteSpace(applicationId) ? null : applicationId;
    }

    /// <summary>The account.</summary>
    public NetSuiteAccountId Account { get; }

    /// <summary>The user's e-mail.</summary>
    public string Email { get; }

    /// <summary>The user's password (a secret).</summary>
    public string Password { get; }

    /// <summary>The role's internal id, if given.</summary>
    public string? RoleId { get; }

    /// <summary>The application id, if given.</summary>
    public string? ApplicationId { get; }

    /// <summary>Describes the credentials without the password.</summary>
    /// <returns>Account, e-mail and role; the password redacted.</returns>
    public override string ToString() =>
        $"NLAuthCredentials {{ Account = {Account}, Email = {Email}, Password = ***, RoleId = {RoleId}, ApplicationId = {ApplicationId} }}";
}
