using System.Text.Json;

namespace TokenRotation.Functions.Tests;

/// <summary>
/// Reads the functions.metadata that the Functions SDK generates at build time: it is what the real host
/// indexes, so triggers, routes, methods and authorization levels are checked here.
/// </summary>
public sealed class FunctionMetadataTests
{
    internal static JsonElement Function(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata was not generated at {path}.");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var function in json.RootElement.EnumerateArray())
        {
            if (function.GetProperty("name").GetString() == name)
            {
                return function.Clone();
            }
        }

        throw new Xunit.Sdk.XunitException($"functions.metadata has no function named {name}.");
    }

    internal static JsonElement TriggerOf(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    [Fact]
    public void Health_is_an_anonymous_GET_on_api_health()
    {
        var trigger = TriggerOf(Function("Health"));

        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString(), ignoreCase: true);
        Assert.Equal("health", trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()));
    }
}
