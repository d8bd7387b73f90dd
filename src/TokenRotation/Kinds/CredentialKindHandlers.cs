using TokenRotation.Connections;

namespace TokenRotation.Kinds;

/// <summary>The registered <see cref="ICredentialKindHandler"/>s, by kind.</summary>
public sealed class CredentialKindHandlers(IEnumerable<ICredentialKindHandler> handlers)
{
    private readonly Dictionary<ConnectionKind, ICredentialKindHandler> _byKind = handlers.ToDictionary(h => h.Kind);

    /// <summary>The connection's handler; a kind without one (a document from a newer version) is refused.</summary>
    public ICredentialKindHandler For(ConnectionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return _byKind.TryGetValue(document.Kind, out var handler)
            ? handler
            : throw new InvalidDataException($"Connection {document.Name} has an unknown kind {document.Kind}.");
    }
}
