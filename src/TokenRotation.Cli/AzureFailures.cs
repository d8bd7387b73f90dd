using System.Net.Sockets;
using System.Text.RegularExpressions;
using Azure;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace TokenRotation.Cli;

/// <summary>
/// Turns a failure of Azure (Key Vault, Storage, sign-in, the network on the way) into one line for stderr that names
/// the vault or endpoint, the setting it came from, and what to check. Anything else is left to the caller.
/// </summary>
public static partial class AzureFailures
{
    private const int MaxDetail = 200;

    // The settings nstoken reads endpoints from, as environment variables spell them (they are also keys of
    // appsettings.json with ':' for '__').
    private static readonly (string Setting, string What)[] Endpoints =
    [
        ("KeyVault__StateVaultUri", "state vault"),
        ("KeyVault__ConsumerVaultUri", "consumer vault"),
        ("Storage__BlobServiceUri", "blob endpoint"),
        ("Storage__TableServiceUri", "table endpoint"),
        ("Storage__QueueServiceUri", "queue endpoint"),
    ];

    /// <summary>One line for an Azure failure anywhere in <paramref name="exception"/>, or null when it is not one.</summary>
    public static string? Describe(Exception exception, IConfiguration? settings)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var all = Flatten(exception).ToList();

        if (all.OfType<AuthenticationFailedException>().FirstOrDefault() is { } signIn)
        {
            var what = signIn is CredentialUnavailableException ? "No Azure sign-in was found" : "Azure sign-in failed";
            return $"{what} ({Detail(signIn.Message)}). Sign in with `az login` (add --tenant for another tenant), or set AZURE_TENANT_ID, AZURE_CLIENT_ID and a certificate or federated token for a service principal; then run the command again.";
        }

        var transport = all.FirstOrDefault(e => e is HttpRequestException or SocketException);
        if (transport is not null)
        {
            var endpoint = FindEndpoint(all.Select(e => e.Message), settings);
            var where = endpoint is { } known ? $"the {known.What} {known.Uri} ({known.Setting})" : $"{HostIn(all) ?? "an Azure endpoint"} (check KeyVault__StateVaultUri, KeyVault__ConsumerVaultUri and the Storage__ settings)";
            if (IsNameResolution(all))
            {
                return $"Cannot reach {where}: DNS does not know the host name. Check the name in that setting (`azd env get-values` shows the deployed ones) and your DNS.";
            }

            return $"Cannot reach {where}: {Detail(transport.Message)}. Check the URI in that setting, your network, and the firewall or network rules of the vault or storage account.";
        }

        if (all.OfType<RequestFailedException>().FirstOrDefault(e => e.Status > 0) is { } failed)
        {
            return failed.Status switch
            {
                401 or 403 => Refused(failed, settings),
                404 => $"Azure answered 404 ({failed.ErrorCode ?? "not found"}): {Detail(failed.Message)}. Check that the settings point at this deployment (`azd env get-values`): {Configured(settings)}.",
                _ => $"Azure answered {failed.Status} ({failed.ErrorCode ?? "no code"}): {Detail(failed.Message)}.",
            };
        }

        return null;
    }

    private static string Refused(RequestFailedException failed, IConfiguration? settings)
    {
        var code = failed.ErrorCode ?? "Forbidden";
        if (code.StartsWith("Authorization", StringComparison.Ordinal))
        {
            // Storage's codes (AuthorizationPermissionMismatch, AuthorizationFailure).
            var blob = Setting(settings, "Storage__BlobServiceUri") is { } uri ? $" {uri} (Storage__BlobServiceUri)" : "";
            return $"The storage account{blob} refused the request ({failed.Status} {code}): check that you have Storage Blob Data Contributor on the lease container and Storage Table Data Contributor on the account (the operators' group gets both from infra/main.bicep), and that its firewall lets you in.";
        }

        var vault = VaultNamed(failed.Message, settings) ?? (Setting(settings, "KeyVault__StateVaultUri") is { } state ? ("state vault", state, "KeyVault__StateVaultUri") : null);
        var who = vault is { } v ? $"The {v.What} {v.Uri} ({v.Setting})" : "Key Vault";
        var role = vault?.What == "consumer vault"
            ? "Key Vault Secrets Officer on it"
            : "Key Vault Secrets Officer on it (and Key Vault Certificates Officer and Key Vault Crypto User for client-credentials connections)";
        return $"{who} refused the request ({failed.Status} {code}): check that your account has {role}, through the operators' group of the deployment; a role granted minutes ago may need a new `az login`.";
    }

    private static (string What, string Uri, string Setting)? VaultNamed(string message, IConfiguration? settings)
    {
        // Key Vault's 403 names the vault: "... Vault: kvst-abc;location=westeurope".
        var match = VaultInMessage().Match(message);
        if (!match.Success)
        {
            return null;
        }

        foreach (var (setting, what) in Endpoints.Take(2))
        {
            if (Setting(settings, setting) is { } uri && Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                && parsed.Host.StartsWith(match.Groups[1].Value + ".", StringComparison.OrdinalIgnoreCase))
            {
                return (what, uri, setting);
            }
        }

        return null;
    }

    private static (string What, string Uri, string Setting)? FindEndpoint(IEnumerable<string> messages, IConfiguration? settings)
    {
        // .NET names the endpoint it could not reach at the end of the message: "Connection refused (127.0.0.1:8443)".
        var authorities = messages.Select(m => AuthorityInMessage().Match(m)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        foreach (var (setting, what) in Endpoints)
        {
            if (Setting(settings, setting) is { } uri && Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                && authorities.Any(a => string.Equals(a, $"{parsed.Host}:{parsed.Port}", StringComparison.OrdinalIgnoreCase)))
            {
                return (what, uri, setting);
            }
        }

        return null;
    }

    private static string? HostIn(IEnumerable<Exception> all) =>
        all.Select(e => AuthorityInMessage().Match(e.Message)).FirstOrDefault(m => m.Success)?.Groups[1].Value;

    private static bool IsNameResolution(IEnumerable<Exception> all) => all.Any(e =>
        e is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
        || e is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain });

    private static string Configured(IConfiguration? settings)
    {
        var named = Endpoints.Take(2).Select(e => Setting(settings, e.Setting) is { } uri ? $"{e.What} {uri} ({e.Setting})" : null).OfType<string>().ToList();
        return named.Count == 0 ? "no vault is configured" : string.Join(", ", named);
    }

    private static string? Setting(IConfiguration? settings, string name) =>
        settings?[name.Replace("__", ":", StringComparison.Ordinal)] is { Length: > 0 } value ? value : null;

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        var seen = 0;
        while (pending.Count > 0 && seen++ < 64)
        {
            var current = pending.Pop();
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Reverse())
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }

    /// <summary>The first line of a message, shortened: Azure's messages carry headers and stacks after it.</summary>
    private static string Detail(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        var line = (end < 0 ? message : message[..end]).Trim().TrimEnd('.');
        return line.Length <= MaxDetail ? line : line[..MaxDetail] + "...";
    }

    [GeneratedRegex(@"\(([^()\s]+:\d+)\)\s*$", RegexOptions.Multiline)]
    private static partial Regex AuthorityInMessage();

    [GeneratedRegex(@"Vault:\s*([A-Za-z0-9-]+);")]
    private static partial Regex VaultInMessage();
}
