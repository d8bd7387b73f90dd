using System.Globalization;
using System.Text.Json;

namespace TokenRotation.Cli.Demo;

/// <summary>
/// The demo's simulated clock, kept beside its folder: the story runs days ahead of the real clock, so a later
/// <c>nstoken status --local FOLDER</c> reads the same offset and shows "in 3 h" and "2 d ago" as the demo did,
/// instead of mixing the demo's times with the real clock.
/// </summary>
public static class DemoClock
{
    public const string FileName = "demo-clock.json";

    public static async Task WriteAsync(string folder, NetSuite.Simulator.AdjustableTimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["note"] = "Written by nstoken demo: its times are simulated, this far ahead of the real clock. nstoken status --local reads it.",
            ["offsetSeconds"] = clock.Offset.TotalSeconds.ToString("0", CultureInfo.InvariantCulture),
            ["simulatedAtEnd"] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        });
        await File.WriteAllTextAsync(Path.Combine(folder, FileName), json, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The demo's clock for a --local folder the demo wrote, or null for any other folder.</summary>
    public static TimeSpan? ReadOffset(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.TryGetProperty("offsetSeconds", out var seconds) && double.TryParse(seconds.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? TimeSpan.FromSeconds(value)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The real clock moved on by the demo's offset.</summary>
    public sealed class Shifted(TimeSpan offset) : TimeProvider
    {
        public TimeSpan Offset { get; } = offset;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }
}
