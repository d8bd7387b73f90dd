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

/// <summary>The callback's answer for the person: what happened and what to do next. Never holds a token.</summary>
public sealed record ConsentResult(ConsentOutcomeKind Kind, string? Connection, int StatusCode, string Title, string Message, string NextStep)
{
    internal static ConsentResult InvalidRequest(string? connection, string message) =>
        new(ConsentOutcomeKind.InvalidRequest, connection, 400, "This consent answer is not valid", message + " Nothing was changed.",
            "Open the consent link again. If this keeps happening, the link or NetSuite's answer is being changed on the way.");
}
