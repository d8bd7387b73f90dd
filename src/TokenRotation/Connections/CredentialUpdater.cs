using System.Text.RegularExpressions;
using NetSuite.Auth.Tba;
using TokenRotation.Engine;

namespace TokenRotation.Connections;

/// <summary>
/// New rotation credentials for a connection, given by a person: only the fields set change. Secrets are held only
/// until they are written to the state vault; <see cref="ToString"/> names the fields, never a value.
/// </summary>
public sealed record CredentialChanges
{
    /// <summary>TBA: the NLAuth user's e-mail.</summary>
    public string? Email { get; init; }

    /// <summary>TBA: the NLAuth user's password (NetSuite expires passwords; the lockout guard re-arms on a new one).</summary>
    public string? Password { get; init; }

    /// <summary>TBA: the user's base32 TOTP secret; an empty string removes it (the role no longer requires 2FA).</summary>
    public string? TotpSecret { get; init; }

    /// <summary>TBA: the integration record's consumer key after a reset (existing tokens keep working).</summary>
    public string? ConsumerKey { get; init; }

    /// <summary>TBA: the integration record's consumer secret after a reset.</summary>
    public string? ConsumerSecret { get; init; }

    /// <summary>OAuth 2.0 (confidential client): the client secret after a reset.</summary>
    public string? ClientSecret { get; init; }

    public bool IsEmpty => Fields().Count == 0;

    public IReadOnlyList<string> Fields()
    {
        var fields = new List<string>();
        Add(Email, "e-mail");
        Add(Password, "password");
        Add(TotpSecret, "TOTP secret");
        Add(ConsumerKey, "consumer key");
        Add(ConsumerSecret, "consumer secret");
        Add(ClientSecret, "client secret");
        return fields;

        void Add(string? value, string name)
        {
            if (value is not null)
            {
                fields.Add(name);
            }
        }
    }

    public override string ToString() => $"credential changes ({string.Join(", ", Fields())})";
}

/// <summary>
/// Updates a connection's rotation credentials in place, under its lease, revoking nothing: the current token or
/// refresh token keeps working, and the next rotation or refresh uses the new values. The CLI (<c>nstoken update</c>)
/// and the operator API both call this. A new password or TOTP secret re-arms the NLAuth login that
/// <see cref="NLAuthLoginGuard"/> held back, because the guard's fingerprint is of the refused password and secret.
/// </summary>
public sealed partial class CredentialUpdater(ConnectionProcessor processor, RunEffects effects)
{
    /// <summary>Updates, or with <paramref name="dryRun"/> says what would change. Refused, naming the field, on a bad value.</summary>
    public Task<ConnectionOutcome> UpdateAsync(ConnectionName name, CredentialChanges changes, bool dryRun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.IsEmpty)
        {
            return Task.FromResult(Refused(name, "nothing to update: name at least one credential (e-mail, password, TOTP secret, consumer key and secret, client secret)"));
        }

        if (ShapeProblem(changes) is { } shape)
        {
            return Task.FromResult(Refused(name, shape));
        }

        return processor.WithSessionAsync(name, new RunRequest { DryRun = dryRun, Trigger = "update-credentials", Now = true }, async (ctx, ct) =>
        {
            var doc = ctx.Doc;
            if (KindProblem(doc, changes) is { } problem)
            {
                ctx.Did(problem);
                return OutcomeKind.Refused;
            }

            var changed = Apply(doc, changes, dryRun: true);
            if (changed.Count == 0)
            {
                ctx.Did($"the connection already holds these values ({string.Join(", ", changes.Fields())}); nothing changed");
                return OutcomeKind.NothingToDo;
            }

            if (ctx.Request.DryRun)
            {
                ctx.Did($"would update {string.Join(", ", changed)}; nothing is revoked and the current credential keeps working");
                return OutcomeKind.DryRun;
            }

            Apply(doc, changes, dryRun: false);
            await effects.SaveAsync(ctx, ct).ConfigureAwait(false);
            ctx.Did($"updated {string.Join(", ", changed)}; nothing was revoked and the current credential keeps working");
            ctx.Did(doc.Kind == ConnectionKind.Tba
                ? $"the next rotation logs in with them; prove them now with `nstoken rotate {ctx.Name}`"
                : $"the next refresh uses it; prove it now with `nstoken refresh {ctx.Name}`");
            return OutcomeKind.Succeeded;
        }, cancellationToken);
    }

    private static string? ShapeProblem(CredentialChanges changes)
    {
        if (changes.Email is { } email && (email.Length > 254 || !EmailPattern().IsMatch(email)))
        {
            return "email: not an e-mail address";
        }

        if (changes.Password is { } password && (password.Length == 0 || password.Length > 256 || password.Any(char.IsControl)))
        {
            return "password: 1 to 256 characters without control characters (a pasted newline?)";
        }

        if (changes.TotpSecret is { Length: > 0 } totp)
        {
            try
            {
                _ = Totp.DecodeBase32(totp);
            }
            catch (FormatException)
            {
                return "totp-secret: not valid base32 (use the text shown beside the QR code)";
            }
        }

        if (changes.ConsumerKey is { } key && !TokenPattern().IsMatch(key))
        {
            return "consumer-key: has spaces or control characters; copy the value again";
        }

        if (changes.ConsumerSecret is { } secret && !TokenPattern().IsMatch(secret))
        {
            return "consumer-secret: has spaces or control characters; copy the value again";
        }

        if (changes.ClientSecret is { } clientSecret && !TokenPattern().IsMatch(clientSecret))
        {
            return "client-secret: has spaces or control characters; copy the value again";
        }

        if ((changes.ConsumerKey is null) != (changes.ConsumerSecret is null))
        {
            return "consumer-key: a reset in NetSuite gives a new consumer key and secret together; give both";
        }

        return null;
    }

    private static string? KindProblem(ConnectionDocument doc, CredentialChanges changes)
    {
        var tbaFields = changes.Email is not null || changes.Password is not null || changes.TotpSecret is not null || changes.ConsumerKey is not null || changes.ConsumerSecret is not null;
        switch (doc.Kind)
        {
            case ConnectionKind.Tba when changes.ClientSecret is not null:
                return $"client-secret: {doc.Name} is a TBA connection, which has a consumer key and secret, not a client secret";
            case ConnectionKind.Tba when doc.Tba is null:
                return $"{doc.Name} has no TBA definition to update";
            case ConnectionKind.OAuth2AuthorizationCode when tbaFields:
                return $"{string.Join(", ", changes.Fields().Where(f => f != "client secret"))}: {doc.Name} is an OAuth 2.0 connection; only its client secret can be updated (its user consents in the browser)";
            case ConnectionKind.OAuth2AuthorizationCode when doc.OAuth2 is not { IsPublicClient: false }:
                return $"client-secret: {doc.Name} is a public client, which has no client secret";
            case ConnectionKind.OAuth2ClientCredentials:
                return $"{doc.Name} is a client-credentials connection: it has no secret or password to update; its certificate is replaced with `nstoken rotate {doc.Name}`";
            default:
                return null;
        }
    }

    /// <summary>The fields whose value differs; with <paramref name="dryRun"/> false, also sets them.</summary>
    private static List<string> Apply(ConnectionDocument doc, CredentialChanges changes, bool dryRun)
    {
        var changed = new List<string>();
        if (doc.Kind == ConnectionKind.Tba && doc.Tba is { } tba)
        {
            Set(changes.Email, tba.User.Email, v => tba.User.Email = v, "e-mail");
            Set(changes.Password, tba.User.Password, v => tba.User.Password = v, "password");
            Set(changes.TotpSecret, tba.User.TotpSecret ?? "", v => tba.User.TotpSecret = v.Length == 0 ? null : v, changes.TotpSecret == "" ? "TOTP secret (removed)" : "TOTP secret");
            Set(changes.ConsumerKey, tba.ConsumerKey, v => tba.ConsumerKey = v, "consumer key");
            Set(changes.ConsumerSecret, tba.ConsumerSecret, v => tba.ConsumerSecret = v, "consumer secret");
        }
        else if (doc.OAuth2 is { } oauth)
        {
            Set(changes.ClientSecret, oauth.ClientSecret ?? "", v => oauth.ClientSecret = v, "client secret");
        }

        return changed;

        void Set(string? value, string current, Action<string> set, string field)
        {
            if (value is null || string.Equals(value, current, StringComparison.Ordinal))
            {
                return;
            }

            changed.Add(field);
            if (!dryRun)
            {
                set(value);
            }
        }
    }

    private static ConnectionOutcome Refused(ConnectionName name, string message) =>
        new(name.Value, OutcomeKind.Refused, message, ConnectionStatus.Healthy, null, [message]);

    [GeneratedRegex(@"\A[^\s@\p{C}]+@[^\s@\p{C}]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\A[^\s\p{C}]{1,512}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
