namespace TokenRotation.Consent;

public enum ConsentStartStatus
{
    /// <summary>Send the browser to <see cref="ConsentStart.AuthorizeUrl"/> with the binding cookie.</summary>
    Redirect,
    InvalidLink,
    ExpiredLink,
    UnknownConnection,
    NotConsentable,
}
