namespace NetSuite.Auth.KeyVault;

/// <summary>The consumer-vault secret could not be read or understood. The message names the secret, never its value.</summary>
public sealed class NetSuiteCredentialException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NetSuiteCredentialException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, without any secret.</param>
    public NetSuiteCredentialException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, without any secret.</param>
    /// <param name="innerException">The cause (a Key Vault error, which holds no secret value).</param>
    public NetSuiteCredentialException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
