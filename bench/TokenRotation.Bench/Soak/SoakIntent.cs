using System.Text.Json;
using Azure.Data.Tables;
using TokenRotation.Connections;

namespace TokenRotation.Bench.Soak;

/// <summary>
/// An intent marker as the soak reads it from a connection's index row (architecture section 13: a public client's
/// refresh start, a rotation's intent), to see the state the engine's store would see. Read beside the engine: the
/// soak's own observation, not a request the engine makes.
/// </summary>
internal sealed record SoakIntent(string Id, long Generation, ConnectionStatus Status, DateTimeOffset? RefreshStartedAt, RotationProgress? Rotation)
{
    private const string Partition = "index";
    private const string MarkerProperty = "marker";

    public static SoakIntent? Read(TableClient table, string connection)
    {
        var row = table.GetEntityIfExists<TableEntity>(Partition, connection);
        return row.HasValue && row.Value?.GetString(MarkerProperty) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<SoakIntent>(json, ConnectionDocument.JsonOptions)
            : null;
    }

    /// <summary>The intent, when no document written since accounts for it (the engine's rule).</summary>
    public void ApplyTo(ConnectionDocument document)
    {
        if (string.Equals(Id, document.IntentMarker, StringComparison.Ordinal))
        {
            return;
        }

        if (document.OAuth2 is { RefreshStartedAt: null } oauth && RefreshStartedAt is not null)
        {
            oauth.RefreshStartedAt = RefreshStartedAt;
        }

        if (document.Rotation is null && Rotation is not null)
        {
            document.Rotation = Rotation;
            document.Status = Status;
        }
    }
}
