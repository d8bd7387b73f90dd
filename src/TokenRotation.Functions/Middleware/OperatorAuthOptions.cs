namespace TokenRotation.Functions.Middleware;

/// <summary>
/// Entra ID sign-in for the status page and the operator API (section <c>OperatorAuth</c>): callers send an access
/// token for the app registration <see cref="ClientId"/> in <see cref="TenantId"/>, carrying an app role.
/// </summary>
public sealed class OperatorAuthOptions
{
    public const string SectionName = "OperatorAuth";

    /// <summary>App role that may read the status page and the connections JSON.</summary>
    public const string ReadRole = "Status.Read";

    /// <summary>App role that may also rotate, refresh, pause, resume and roll back (and read).</summary>
    public const string OperateRole = "Connections.Operate";

    /// <summary>Directory (tenant) id of the app registration.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>Application (client) id of the app registration; tokens must be issued for it (or <c>api://{id}</c>).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Entra ID's sign-in host; another one only for national clouds.</summary>
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(TenantId) && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>The v2.0 issuer of the tenant's access tokens.</summary>
    public string Issuer => $"{Instance.TrimEnd('/')}/{TenantId}/v2.0";

    public string MetadataAddress => $"{Issuer}/.well-known/openid-configuration";
}
