namespace TokenRotation.Stores;

/// <summary>What a consumer reads for a TBA connection.</summary>
public sealed record TbaProjection(string Account, string ConsumerKey, string ConsumerSecret, string TokenId, string TokenSecret)
{
    public override string ToString() => $"TBA set for {Account} (token {TokenId})";
}
