using TokenRotation.Stores;

namespace TokenRotation.Connections;

/// <summary>
/// One credential belongs to one connection: the same TBA token, or the same client-credentials certificate, in two
/// connections would let one connection's rotation revoke what the other still publishes. Checked by every import
/// (<see cref="Engine.ConnectionImport"/>), under a lease named by the credential's keyed fingerprint, so that two imports
/// of the same credential under two names take turns and at most one wins.
/// </summary>
public static class CredentialConflicts
{
    private const string Held = " is already connection ";

    /// <summary>True when <paramref name="message"/> is this check's refusal.</summary>
    public static bool IsConflict(string? message) => message is not null && message.Contains(Held, StringComparison.Ordinal);

    /// <summary>
    /// Null when <paramref name="candidate"/>'s credential is in no other connection; otherwise a message that names
    /// the connection holding it and the field.
    /// </summary>
    public static async Task<string?> FindAsync(IConnectionStore store, ConnectionDocument candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(candidate);
        if (Identity(candidate, candidate.Credentials.Current) is not { } wanted)
        {
            return null;
        }

        await foreach (var index in store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            // Only a connection of the same kind in the same account can hold it: the index says which, without a read.
            if (index.Name.Value == candidate.Name || index.Kind != candidate.Kind
                || !string.Equals(index.Account, candidate.Account, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (await store.GetAsync(index.Name, cancellationToken).ConfigureAwait(false) is not { } other)
            {
                continue;
            }

            foreach (var slot in new[] { other.Credentials.Current, other.Credentials.Pending, other.Credentials.Previous })
            {
                if (Identity(other, slot) == wanted)
                {
                    return candidate.Kind == ConnectionKind.Tba
                        ? $"--token-id: TBA token {candidate.Credentials.Current!.Id}{Held}{other.Name}'s; one token belongs to one connection, because retiring it in one would revoke it for the other. Make a new token in NetSuite for this connection, or use {other.Name}."
                        : $"--certificate-id: certificate {candidate.Credentials.Current!.Id} of client {candidate.ClientCredentials?.ClientId}{Held}{other.Name}'s; one certificate belongs to one connection, because rotating it in one would revoke it for the other. Map a new certificate for this connection (`--new-key`), or use {other.Name}.";
                }
            }
        }

        return null;
    }

    /// <summary>What identifies the credential in NetSuite: kind, account (lower-case realm) and the token or certificate id.</summary>
    internal static string? Identity(ConnectionDocument doc, RotatedCredential? credential)
    {
        if (credential is not { Id.Length: > 0 } || doc.Account.Length == 0)
        {
            return null;
        }

        return doc.Kind switch
        {
            ConnectionKind.Tba => $"tba|{doc.Account.ToUpperInvariant()}|{credential.Id}",
            ConnectionKind.OAuth2ClientCredentials => $"m2m|{doc.Account.ToUpperInvariant()}|{doc.ClientCredentials?.ClientId}|{credential.Id}",
            _ => null,
        };
    }
}
