namespace TokenRotation.Consent;

public enum ConsentOutcomeKind
{
    Connected,
    Denied,
    NetSuiteError,
    InvalidRequest,
    UnknownOrUsed,
    WrongBrowser,
    Expired,
    Refused,
    Failed,
    Busy,
    UnknownConnection,
}
