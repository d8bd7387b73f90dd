using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace TokenRotation.Functions.Middleware;

/// <summary>The keys that sign Entra ID access tokens. The tests give their own; the app reads the tenant's metadata.</summary>
public interface IOperatorSigningKeys
{
    Task<IReadOnlyCollection<SecurityKey>> GetAsync(CancellationToken cancellationToken);
}

/// <summary>The tenant's signing keys from its OpenID Connect metadata, cached and refreshed by the configuration manager.</summary>
public sealed class EntraSigningKeys : IOperatorSigningKeys
{
    private readonly Lazy<ConfigurationManager<OpenIdConnectConfiguration>> _metadata;

    public EntraSigningKeys(IOptions<OperatorAuthOptions> options, IHttpClientFactory httpClients)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClients);
        _metadata = new(() => new ConfigurationManager<OpenIdConnectConfiguration>(
            options.Value.MetadataAddress,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(httpClients.CreateClient(nameof(EntraSigningKeys))) { RequireHttps = true }));
    }

    public async Task<IReadOnlyCollection<SecurityKey>> GetAsync(CancellationToken cancellationToken)
    {
        var configuration = await _metadata.Value.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        return configuration.SigningKeys.ToList();
    }
}
