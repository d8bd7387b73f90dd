using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>The resources and outputs `bicep snapshot` predicts for one set of parameters.</summary>
public sealed class Snapshot(JsonObject root)
{
    public const string RoleAssignmentsSegment = "/providers/Microsoft.Authorization/roleAssignments/";

    public IReadOnlyList<JsonObject> Resources { get; } =
        (root["predictedResources"]?.AsArray() ?? throw new InvalidOperationException("The snapshot has no predictedResources."))
        .Select(r => r!.AsObject())
        .ToList();

    public JsonObject Outputs { get; } = root["outputs"]?.AsObject() ?? new JsonObject();

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals(r.Str("type"), type, StringComparison.OrdinalIgnoreCase));

    public JsonObject SingleOfType(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    public JsonObject ByName(string type, Func<string, bool> namePredicate)
    {
        var matches = OfType(type).Where(r => namePredicate(r.Str("name"))).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type} with a matching name, found {matches.Count}.");
        return matches[0];
    }

    public JsonObject StateVault => ByName("Microsoft.KeyVault/vaults", n => n.StartsWith("kvst-", StringComparison.Ordinal));

    public JsonObject ConsumerVault => ByName("Microsoft.KeyVault/vaults", n => n.StartsWith("kvcn-", StringComparison.Ordinal));

    public JsonObject Site => SingleOfType("Microsoft.Web/sites");

    public JsonObject Identity => SingleOfType("Microsoft.ManagedIdentity/userAssignedIdentities");

    /// <summary>The app settings, from the one sites/config resource named appsettings.</summary>
    public IReadOnlyDictionary<string, string> AppSettings
    {
        get
        {
            var config = ByName("Microsoft.Web/sites/config", n => n.EndsWith("/appsettings", StringComparison.Ordinal));
            var properties = config["properties"]?.AsObject() ?? throw new InvalidOperationException("appsettings has no properties.");
            return properties.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The resource a role assignment (or another extension resource) is scoped to: the id before
    /// /providers/Microsoft.Authorization/roleAssignments/, or the first argument of extensionResourceId(...)
    /// when the name is only known at deployment.
    /// </summary>
    public static string ScopeOf(JsonObject extensionResource)
    {
        var id = extensionResource.Str("id");
        const string prefix = "[extensionResourceId('";
        if (id.StartsWith(prefix, StringComparison.Ordinal))
        {
            return id[prefix.Length..id.IndexOf('\'', prefix.Length)];
        }

        var at = id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            at = id.IndexOf("/providers/Microsoft.Insights/diagnosticSettings/", StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(at >= 0, $"Cannot find the scope of {id}.");
        return id[..at];
    }

    /// <summary>True when an ARM expression is `reference('resourceId', ...).property`.</summary>
    public static bool IsReferenceTo(string value, string resourceId, string property) =>
        value.StartsWith($"[reference('{resourceId}'", StringComparison.Ordinal) &&
        value.EndsWith($").{property}]", StringComparison.Ordinal);
}

public static class JsonExtensions
{
    public static string Str(this JsonNode? node, string property) =>
        node?[property]?.GetValue<string>() ?? throw new InvalidOperationException($"No string '{property}' in {node?.ToJsonString()}.");

    public static JsonNode? At(this JsonNode? node, params string[] path)
    {
        foreach (var segment in path)
        {
            node = node?[segment];
        }

        return node;
    }
}
