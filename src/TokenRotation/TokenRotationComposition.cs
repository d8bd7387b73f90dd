namespace TokenRotation;

/// <summary>The choices of <see cref="ServiceCollectionExtensions.AddTokenRotation"/>; by default everything runs on Azure.</summary>
public sealed class TokenRotationComposition
{
    internal string? LocalFolder { get; private set; }

    internal string? LocalKeysFolder { get; private set; }

    /// <summary>
    /// Runs without Azure (the CLI's <c>--local</c>, the demo): the vaults are files in <c>{folder}/state-vault</c> and
    /// <c>{folder}/consumer-vault</c>, the service keys in <c>{folder}/service-keys</c>, the client-credentials keys PEM
    /// files in <c>{folder}/keys</c>, and leases, the gate, TOTP steps, consent sessions and the work queue in memory.
    /// </summary>
    public TokenRotationComposition UseLocalStores(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        LocalFolder = folder;
        LocalKeysFolder = folder;
        return this;
    }

    /// <summary>Keeps only the client-credentials keys as PEM files in <c>{folder}/keys</c> instead of Key Vault certificates (the benchmark).</summary>
    public TokenRotationComposition UseLocalKeys(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        LocalKeysFolder = folder;
        return this;
    }
}
