using System.Text.Json.Nodes;

namespace TokenRotation.Bench.Soak;

/// <summary>
/// Why each state-secret version was written, read from the versions themselves: the document fields that differ from
/// the version before (nested one level, e.g. <c>lastError</c> or <c>credentials.current</c>), without the fields
/// every write changes (generation, writer id). Grouped by connection kind prefix (tba, conf, pub, m2m).
/// </summary>
public static class StateWriteReasons
{
    private static readonly HashSet<string> EveryWrite = new(StringComparer.OrdinalIgnoreCase) { "generation", "writerId", "intentMarker" };

    /// <summary>Per kind prefix: the reason (changed fields joined by "+") and how many versions it made.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Of(KeyVault.TestServer.KeyVaultState vault)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var result = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var name in vault.SecretNames.Where(n => n.StartsWith(Stores.SecretNames.ConnectionPrefix, StringComparison.Ordinal)))
        {
            var kind = name[Stores.SecretNames.ConnectionPrefix.Length..].Split('-')[0];
            var reasons = result.TryGetValue(kind, out var r) ? r : result[kind] = new Dictionary<string, int>(StringComparer.Ordinal);
            JsonObject? before = null;
            foreach (var version in vault.GetVersions(name))
            {
                var after = JsonNode.Parse(version.Value) as JsonObject;
                var reason = before is null ? "created (import)" : Reason(before, after);
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                before = after;
            }
        }

        return result.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal);
    }

    private static string Reason(JsonObject before, JsonObject? after)
    {
        if (after is null)
        {
            return "not a document";
        }

        var changed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Where(k => !EveryWrite.Contains(k)))
        {
            var a = before[key];
            var b = after[key];
            if (JsonNode.DeepEquals(a, b))
            {
                continue;
            }

            if (a is JsonObject ao && b is JsonObject bo && key is "credentials" or "oAuth2" or "tba" or "lastError")
            {
                foreach (var inner in ao.Select(p => p.Key).Union(bo.Select(p => p.Key)).Where(k => !JsonNode.DeepEquals(ao[k], bo[k])))
                {
                    changed.Add(key == "lastError" ? "lastError" : $"{key}.{inner}");
                }
            }
            else
            {
                changed.Add(key);
            }
        }

        return changed.Count == 0 ? "nothing (same document)" : string.Join("+", changed);
    }
}
