namespace TokenRotation.Connections;

/// <summary>The connection's health, as the status page and the Key Vault <c>state</c> tag show it.</summary>
public enum ConnectionStatus
{
    /// <summary>Working; nothing needs attention.</summary>
    Healthy,

    /// <summary>A rotation is in progress (pending credential issued or previous one in grace).</summary>
    Rotating,

    /// <summary>Only a person can help (consent, approval, permissions); the message says what to do.</summary>
    NeedsPerson,

    /// <summary>Transient failures are being retried.</summary>
    Failing,

    /// <summary>An operator paused it; timers leave it alone.</summary>
    Paused,
}
