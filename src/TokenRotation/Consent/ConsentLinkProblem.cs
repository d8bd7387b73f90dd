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

public enum ConsentLinkProblem
{
    None,

    /// <summary>Not a consent link token at all (cut off, edited, or not ours).</summary>
    Malformed,

    /// <summary>Shaped like one, but not signed by a current or previous key version.</summary>
    BadSignature,

    /// <summary>Genuine but past its expiry.</summary>
    Expired,
}
