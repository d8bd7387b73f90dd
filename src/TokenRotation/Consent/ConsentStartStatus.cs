using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using NetSuite.Auth;
using NetSuite.Auth.OAuth2;
using TokenRotation.Connections;
using TokenRotation.Coordination;
using TokenRotation.Engine;
using TokenRotation.Kinds.AuthorizationCode;
using TokenRotation.Stores;

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
