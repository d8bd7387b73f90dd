namespace NetSuite.Auth.Tba;

/// <summary>What OAuth 1.0a (TBA) signing needs: the account, the integration's consumer key/secret and the token id/secret.</summary>
/// <remarks><see cref="ToString"/> never shows the secrets.</remarks>
public sealed class TbaCredentials
{
    /// <summary>Creates TBA credentials.</summary>
    /// <param name="account">The account (its realm goes into the header).</param>
    /// <param name="consumerKey">The integration record's consumer key.</param>
    /// <param name="consumerSecret">The integration record's consumer secret.</param>
    /// <param name="tokenId">The token id.</param>
    /// <param name="tokenSecret">The token secret.</param>
    /// <exception cref="ArgumentException">A value is empty (the message names the parameter, never its value).</exception>
    public TbaCredentials(NetSuiteAccountId account, string consumerKey, string consumerSecret, string tokenId, string tokenSecret)
    {
        ArgumentNullException.ThrowIfNull(account);
        Require(consumerKey, nameof(consumerKey));
        Require(consumerSecret, nameof(consumerSecret));
        Require(tokenId, nameof(tokenId));
        Require(tokenSecret, nameof(tokenSecret));
        Account = account;
        ConsumerKey = consumerKey;
        ConsumerSecret = consumerSecret;
        TokenId = tokenId;
        TokenSecret = tokenSecret;
    }

    /// <summary>The account.</summary>
    public NetSuiteAccountId Account { get; }

    /// <summary>The integration record's consumer key.</summary>
    public string ConsumerKey { get; }

    /// <summary>The integration record's consumer secret (a secret).</summary>
    public string ConsumerSecret { get; }

    /// <summary>The token id.</summary>
    public string TokenId { get; }

    /// <summary>The token secret (a secret).</summary>
    public string TokenSecret { get; }

    /// <summary>Describes the credentials without the secrets.</summary>
    /// <returns>Account, consumer key and token id; secrets redacted.</returns>
    public override string ToString() =>
        $"TbaCredentials {{ Account = {Account}, ConsumerKey = {ConsumerKey}, ConsumerSecret = ***, TokenId = {TokenId}, TokenSecret = *** }}";

    internal static void Require(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{name} must not be empty.", name);
        }
    }
}
