using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using TokenRotation.Configuration;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Consent;

/// <summary>The result of checking a consent link token; <see cref="Connection"/> is set only for genuine links.</summary>
public sealed record ConsentLinkCheck(ConsentLinkProblem Problem, ConnectionName? Connection, DateTimeOffset? ExpiresAt)
{
    public bool IsValid => Problem == ConsentLinkProblem.None;

    internal static ConsentLinkCheck Fail(ConsentLinkProblem problem) => new(problem, null, null);
}
