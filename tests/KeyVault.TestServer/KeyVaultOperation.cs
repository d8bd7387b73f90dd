namespace KeyVault.TestServer;

/// <summary>The Key Vault operations the test server serves.</summary>
public enum KeyVaultOperation
{
    /// <summary>Anything the server does not serve.</summary>
    Unknown = 0,
    GetSecret,
    ListSecrets,
    ListSecretVersions,
    SetSecret,
    UpdateSecretProperties,
    DeleteSecret,
    GetDeletedSecret,
    ListDeletedSecrets,
    RecoverDeletedSecret,
    PurgeDeletedSecret,
    CreateCertificate,
    GetCertificateOperation,
    GetCertificate,
    ListCertificates,
    ListCertificateVersions,
    GetCertificatePolicy,
    GetKey,
    Sign,
}

/// <summary>Which throttle budget an operation spends.</summary>
public enum KeyVaultBudget
{
    Read,
    Write,
}

internal static class KeyVaultOperationInfo
{
    public static KeyVaultBudget BudgetOf(KeyVaultOperation operation) => operation switch
    {
        KeyVaultOperation.SetSecret or KeyVaultOperation.UpdateSecretProperties or KeyVaultOperation.DeleteSecret
            or KeyVaultOperation.RecoverDeletedSecret or KeyVaultOperation.PurgeDeletedSecret
            or KeyVaultOperation.CreateCertificate => KeyVaultBudget.Write,
        _ => KeyVaultBudget.Read,
    };
}
