using System.Net.Http.Headers;
using System.Text;

namespace NetSuite.Auth.Tba;

/// <summary>
/// Builds the <c>NLAuth</c> Authorization header: <c>NLAuth nlauth_account=.., nlauth_email=.., nlauth_signature=..,
/// nlauth_role=.., nlauth_otp=..</c>. Every value is RFC 3986 percent-encoded; NetSuite answers
/// <c>INVALID_LOGIN_ATTEMPT</c> to unescaped values (e.g. a password with <c>,</c> or <c>=</c>).
/// </summary>
public static class NLAuthHeader
{
    /// <summary>The authentication scheme.</summary>
    public const string Scheme = "NLAuth";

    /// <summary>Builds the header parameters (everything after <c>NLAuth </c>).</summary>
    /// <param name="credentials">The user.</param>
    /// <param name="oneTimePassword">The current TOTP code for <c>nlauth_otp</c> (issuetoken with a 2FA role), or null.</param>
    /// <returns>The parameters; they contain the password, so never log them.</returns>
    public static string BuildParameters(NLAuthCredentials credentials, string? oneTimePassword = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var builder = new StringBuilder();
        Append(builder, "nlauth_account", credentials.Account.Realm);
        Append(builder, "nlauth_email", credentials.Email);
        Append(builder, "nlauth_signature", credentials.Password);
        if (credentials.RoleId is { } role)
        {
            Append(builder, "nlauth_role", role);
        }

        if (credentials.ApplicationId is { } application)
        {
            Append(builder, "nlauth_application_id", application);
        }

        if (!string.IsNullOrWhiteSpace(oneTimePassword))
        {
            Append(builder, "nlauth_otp", oneTimePassword);
        }

        return builder.ToString();
    }

    /// <summary>Builds the header value for <see cref="HttpRequestHeaders.Authorization"/>.</summary>
    /// <param name="credentials">The user.</param>
    /// <param name="oneTimePassword">The current TOTP code, or null.</param>
    /// <returns>The header value; it contains the password, so never log it.</returns>
    public static AuthenticationHeaderValue Create(NLAuthCredentials credentials, string? oneTimePassword = null) =>
        new(Scheme, BuildParameters(credentials, oneTimePassword));

    private static void Append(StringBuilder builder, string name, string value)
    {
        if (builder.Length > 0)
        {
            builder.Append(", ");
        }

        builder.Append(name).Append('=').Append(TbaSigner.PercentEncode(value));
    }
}
