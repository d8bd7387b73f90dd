using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace NetSuite.Auth.KeyVault;

/// <summary>Adds NetSuite authentication from the consumer vault to an <see cref="HttpClient"/>.</summary>
public static class NetSuiteCredentialHttpClientBuilderExtensions
{
    /// <summary>
    /// Authenticates the client's requests with connection <paramref name="connectionName"/>'s credential, read from
    /// secret <c>netsuite-{connectionName}</c> in <paramref name="consumerVaultUri"/> with <c>DefaultAzureCredential</c>
    /// (a managed identity in Azure).
    /// <code>services.AddHttpClient&lt;MyNetSuiteClient&gt;().AddNetSuiteCredential(new Uri("https://kv-consumers.vault.azure.net/"), "erp");</code>
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="consumerVaultUri">The consumer vault.</param>
    /// <param name="connectionName">The connection's name in the service, e.g. <c>erp</c>.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddNetSuiteCredential(this IHttpClientBuilder builder, Uri consumerVaultUri, string connectionName) =>
        builder.AddNetSuiteCredential(consumerVaultUri, connectionName, credential: null, configure: null);

    /// <summary>As <see cref="AddNetSuiteCredential(IHttpClientBuilder, Uri, string)"/>, with the caller's identity and options.</summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="consumerVaultUri">The consumer vault.</param>
    /// <param name="connectionName">The connection's name in the service, e.g. <c>erp</c>.</param>
    /// <param name="credential">The identity that reads the vault; <c>DefaultAzureCredential</c> when null.</param>
    /// <param name="configure">Changes the remaining options (cache times, secret name, client options, clock).</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddNetSuiteCredential(
        this IHttpClientBuilder builder,
        Uri consumerVaultUri,
        string connectionName,
        TokenCredential? credential,
        Action<NetSuiteCredentialOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(consumerVaultUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        return builder.AddNetSuiteCredential(options =>
        {
            options.VaultUri = consumerVaultUri;
            options.ConnectionName = connectionName;
            options.Credential = credential;
            configure?.Invoke(options);
        });
    }

    /// <summary>As <see cref="AddNetSuiteCredential(IHttpClientBuilder, Uri, string)"/>, every value from <paramref name="configure"/>.</summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="configure">Sets the vault, the connection and anything else.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are incomplete or out of range (checked here, at registration).</exception>
    public static IHttpClientBuilder AddNetSuiteCredential(this IHttpClientBuilder builder, Action<NetSuiteCredentialOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new NetSuiteCredentialOptions();
        configure(options);
        options.Validate();
        return builder.AddNetSuiteCredential(options, (sp, logger) => new NetSuiteCredentialSource(options, sp.GetService<TimeProvider>(), logger));
    }

    /// <summary>
    /// As <see cref="AddNetSuiteCredential(IHttpClientBuilder, Uri, string)"/>, reading the credential through
    /// <paramref name="reader"/> instead of Key Vault, with the same caching, refusal and resend rules.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="connectionName">The connection's name in the service, e.g. <c>erp</c>.</param>
    /// <param name="reader">Makes the reader (once per client name for the life of the container).</param>
    /// <param name="configure">Changes the remaining options (cache times, secret name, clock); vault settings are not used.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are incomplete or out of range (checked here, at registration).</exception>
    public static IHttpClientBuilder AddNetSuiteCredential(
        this IHttpClientBuilder builder,
        string connectionName,
        Func<IServiceProvider, INetSuiteCredentialReader> reader,
        Action<NetSuiteCredentialOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        ArgumentNullException.ThrowIfNull(reader);
        var options = new NetSuiteCredentialOptions { ConnectionName = connectionName };
        configure?.Invoke(options);
        options.Validate(requireVault: false);
        return builder.AddNetSuiteCredential(options, (sp, logger) => new NetSuiteCredentialSource(reader(sp), options, sp.GetService<TimeProvider>(), logger));
    }

    private static IHttpClientBuilder AddNetSuiteCredential(
        this IHttpClientBuilder builder,
        NetSuiteCredentialOptions options,
        Func<IServiceProvider, ILogger<NetSuiteCredentialSource>?, NetSuiteCredentialSource> createSource)
    {
        // One source per client name for the life of the container: the factory recycles handlers every few
        // minutes, and the cache must outlive them or every recycle would cost a Key Vault read.
        var key = "NetSuite.Auth.KeyVault:" + builder.Name;
        builder.Services.TryAddKeyedSingleton(key, (sp, _) => createSource(sp, sp.GetService<ILogger<NetSuiteCredentialSource>>()));
        builder.AddHttpMessageHandler(sp => new NetSuiteCredentialHandler(
            sp.GetRequiredKeyedService<NetSuiteCredentialSource>(key),
            options.TimeProvider ?? sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<NetSuiteCredentialHandler>>()));
        return builder;
    }
}
