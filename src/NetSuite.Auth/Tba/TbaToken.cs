namespace NetSuite.Auth.Tba;

/// <summary>A TBA token as <c>issuetoken</c> returns it.</summary>
/// <remarks><see cref="ToString"/> never shows the secret.</remarks>
public sealed class TbaToken
{
    /// <summary>Creates a token.</summary>
    /// <param name="tokenId">The token id.</param>
    /// <param name="tokenSecret">The token secret.</param>
    public TbaToken(string tokenId, string tokenSecret)
    {
        TbaCredentials.Require(tokenId, nameof(tokenId));
        TbaCredentials.Require(tokenSecret, nameof(tokenSecret));
        TokenId = tokenId;
        TokenSecret = tokenSecret;
    }

    /// <summary>The token id.</summary>
    public string TokenId { get; }

    /// <summary>The token secret (a secret).</summary>
    public string TokenSecret { get; }

    /// <summary>Describes the token without the secret.</summary>
    /// <returns>The token id; the secret redacted.</returns>
    public override string ToString() => $"TbaToken {{ TokenId = {TokenId}, TokenSecret = *** }}";
}
