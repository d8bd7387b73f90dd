using System.Text.Json;

namespace TokenRotation.Coordination;

/// <summary>Reading work messages as the queue trigger receives them.</summary>
public static class WorkMessages
{
    /// <summary>The key of a work message: lowercase hex SHA-256 of its text (as the trigger received it).</summary>
    public static string Key(string messageText)
    {
        ArgumentNullException.ThrowIfNull(messageText);
        return CoordinationKeys.Sha256Hex(messageText);
    }

    /// <summary>
    /// Reads a work item from a message text: the JSON that the trigger hands over after decoding base64 (host.json
    /// <c>messageEncoding: base64</c>), or the raw base64 text <see cref="StorageWorkQueue.Encode"/> wrote (encoding <c>none</c>).
    /// </summary>
    public static bool TryParse(string? messageText, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountWorkItem? item)
    {
        item = null;
        if (string.IsNullOrWhiteSpace(messageText))
        {
            return false;
        }

        try
        {
            var trimmed = messageText.Trim();
            item = trimmed.StartsWith('{')
                ? JsonSerializer.Deserialize<AccountWorkItem>(trimmed, StorageWorkQueue.Json)
                : StorageWorkQueue.Decode(trimmed);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidDataException or NotSupportedException)
        {
            return false;
        }

        return item is { Account.Length: > 0, Connections: not null };
    }
}
