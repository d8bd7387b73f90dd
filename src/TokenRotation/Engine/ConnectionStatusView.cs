using TokenRotation.Connections;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Stores;

namespace TokenRotation.Engine;

/// <summary>A connection as the status shows it. Holds no secret.</summary>
public sealed record ConnectionStatusView(
    string Name,
    ConnectionKind Kind,
    string Account,
    ConnectionStatus State,
    DateTimeOffset? CredentialExpiresAt,
    DateTimeOffset? RefreshExpiresAt,
    DateTimeOffset? LastRotationAt,
    DateTimeOffset? LastSuccessAt,
    string? LastErrorClass,
    string? LastErrorMessage,
    string? NeedsPersonReason,
    DateTimeOffset? NextActionAt,
    string? RotationStep,
    IReadOnlyList<string> PossibleOrphans)
{
    /// <summary>The code of the last error (<c>INVALID_LOGIN_CREDENTIALS</c>, <c>WAITING_FOR_APPROVAL</c>...), which says what a person must fix.</summary>
    public string? LastErrorCode { get; init; }

    /// <summary>The connection's dated events (refresh token or chain end, certificate expiry, rotation, grace end).</summary>
    public IReadOnlyList<ConnectionEvent> Events { get; init; } = [];

    /// <summary>TBA before its first completed rotation: the password and TOTP secret have not been shown to work.</summary>
    public bool RotationCredentialsUnproven { get; init; }

    public static ConnectionStatusView From(ConnectionDocument doc, ConnectionIndex index)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(index);
        return new ConnectionStatusView(
            doc.Name, doc.Kind, doc.Account, index.State,
            doc.StoredIndex?.CredentialExpiresAt ?? index.CredentialExpiresAt ?? doc.Credentials.Current?.ExpiresAt,
            index.RefreshExpiresAt,
            doc.LastRotationAt, doc.LastSuccessAt,
            doc.LastError?.Class, doc.LastError?.Message,
            doc.NeedsPersonReason ?? (index.State == ConnectionStatus.NeedsPerson && doc.OAuth2 is { } oauth ? AuthorizationCodeKind.ConsentWarning(oauth) : null),
            index.NextActionAt ?? index.RotateAt,
            doc.Rotation?.Step.ToString(),
            doc.PossibleOrphans.Select(o => $"{o.TokenName} ({o.Reason})").ToArray())
        {
            LastErrorCode = doc.LastError?.Code,
            RotationCredentialsUnproven = RotationProof.IsUnproven(doc),
        };
    }
}
