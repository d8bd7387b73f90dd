namespace NetSuite.Simulator.Protocol;

/// <summary>The parsed <c>Authorization: NLAuth ...</c> header (NetSuite topic 3.2).</summary>
public sealed record NlAuthCredentials(string Account, string Email, string Password, int? Role, string? Otp, string? ApplicationId)
{
    /// <summary>
    /// Parses <c>NLAuth nlauth_account=123456, nlauth_email=a%40b.c, nlauth_signature=..., nlauth_role=3, nlauth_otp=123456</c>.
    /// Values are RFC 3986 escaped; surrounding quotes are tolerated. False when the prefix or a required field is missing.
    /// </summary>
    public static bool TryParse(string? header, out NlAuthCredentials credentials)
    {
        credentials = null!;
        if (header is null || !header.StartsWith("NLAuth ", StringComparison.Ordinal))
        {
            return false;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = header.AsSpan(7);
        foreach (var range in rest.Split(','))
        {
            var part = rest[range].Trim();
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                return false;
            }

            var value = part[(eq + 1)..];
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }

            if (!fields.TryAdd(part[..eq].ToString(), PercentEncoding.Decode(value.ToString(), plusIsSpace: false)))
            {
                return false;
            }
        }

        if (!fields.TryGetValue("nlauth_account", out var account) || account.Length == 0
            || !fields.TryGetValue("nlauth_email", out var email) || email.Length == 0
            || !fields.TryGetValue("nlauth_signature", out var password))
        {
            return false;
        }

        int? role = null;
        if (fields.TryGetValue("nlauth_role", out var roleText))
        {
            if (!int.TryParse(roleText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var r))
            {
                return false;
            }

            role = r;
        }

        credentials = new NlAuthCredentials(
            account, email, password, role,
            fields.GetValueOrDefault("nlauth_otp"),
            fields.GetValueOrDefault("nlauth_application_id"));
        return true;
    }

    /// <summary>Never print the password.</summary>
    public override string ToString() => $"NLAuth {Email} @ {Account} role {Role}";
}
