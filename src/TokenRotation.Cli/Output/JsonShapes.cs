using System.Text.Json;
using System.Text.Json.Serialization;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Cli.Output;

// What `--output json` prints, one record per command. Property names are explicit so that renaming a C# property
// cannot change what scripts read; docs/cli.md shows one example of each. Times are ISO 8601 UTC; enums are strings.

/// <summary><c>status</c>: one per connection (the document is an array of these).</summary>
public sealed record StatusConnectionJson(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("kindName")] string KindName,
    [property: JsonPropertyName("account")] string Account,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("credentialExpiresAt")] DateTimeOffset? CredentialExpiresAt,
    [property: JsonPropertyName("refreshExpiresAt")] DateTimeOffset? RefreshExpiresAt,
    [property: JsonPropertyName("lastRotationAt")] DateTimeOffset? LastRotationAt,
    [property: JsonPropertyName("lastSuccessAt")] DateTimeOffset? LastSuccessAt,
    [property: JsonPropertyName("lastErrorClass")] string? LastErrorClass,
    [property: JsonPropertyName("lastErrorMessage")] string? LastErrorMessage,
    [property: JsonPropertyName("needsPersonReason")] string? NeedsPersonReason,
    [property: JsonPropertyName("nextActionAt")] DateTimeOffset? NextActionAt,
    [property: JsonPropertyName("rotationStep")] string? RotationStep,
    [property: JsonPropertyName("possibleOrphans")] IReadOnlyList<string> PossibleOrphans,
    [property: JsonPropertyName("rotationCredentialsUnproven")] bool RotationCredentialsUnproven)
{
    /// <summary>"Due now" is the engine's <see cref="DateTimeOffset.MinValue"/>; scripts get the time of the answer instead.</summary>
    public static StatusConnectionJson From(ConnectionStatusView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new(view.Name, view.Kind.ToString(), ConnectionKindNames.Display(view.Kind), view.Account, view.State.ToString(),
            view.CredentialExpiresAt, view.RefreshExpiresAt, view.LastRotationAt, view.LastSuccessAt, view.LastErrorClass, view.LastErrorMessage,
            view.NeedsPersonReason, view.NextActionAt == DateTimeOffset.MinValue ? now : view.NextActionAt, view.RotationStep, view.PossibleOrphans,
            view.RotationCredentialsUnproven);
    }
}

/// <summary>refresh, rotate, pause, resume, rollback, delete, recover, import, migrate (steps 2 and 3): what happened.</summary>
public sealed record OutcomeJson(
    [property: JsonPropertyName("connection")] string Connection,
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("state")] string? State,
    [property: JsonPropertyName("nextActionAt")] DateTimeOffset? NextActionAt,
    [property: JsonPropertyName("actions")] IReadOnlyList<string> Actions,
    [property: JsonPropertyName("next")] IReadOnlyList<string> Next,
    [property: JsonPropertyName("exitCode")] int ExitCode)
{
    public static OutcomeJson From(ConnectionOutcome outcome, int exitCode, DateTimeOffset now, IReadOnlyList<string>? next = null)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new(outcome.Connection, outcome.Kind.ToString(), Commands.CommandSupport.Describe(outcome.Kind),
            outcome.Kind == OutcomeKind.NotFound ? null : outcome.Status.ToString(),
            outcome.NextActionAt == DateTimeOffset.MinValue ? now : outcome.NextActionAt,
            outcome.Actions.Count > 0 ? outcome.Actions : [outcome.Message], next ?? [], exitCode);
    }
}

/// <summary><c>consent-link</c>.</summary>
public sealed record ConsentLinkJson(
    [property: JsonPropertyName("connection")] string Connection,
    [property: JsonPropertyName("link")] string Link,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("account")] string? Account);

/// <summary><c>import client-credentials --new-key</c> and <c>migrate</c> step 1: the certificate a person uploads in NetSuite.</summary>
public sealed record CertificateJson(
    [property: JsonPropertyName("connection")] string Connection,
    [property: JsonPropertyName("certificateName")] string CertificateName,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("keyVersion")] string KeyVersion,
    [property: JsonPropertyName("notAfter")] DateTimeOffset NotAfter,
    [property: JsonPropertyName("certificateFile")] string CertificateFile,
    [property: JsonPropertyName("next")] IReadOnlyList<string> Next,
    [property: JsonPropertyName("exitCode")] int ExitCode);

/// <summary><c>doctor</c>: the same sections and lines as the text.</summary>
public sealed record DoctorJson(
    [property: JsonPropertyName("connection")] string Connection,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("sections")] IReadOnlyList<DoctorSectionJson> Sections,
    [property: JsonPropertyName("verdict")] string? Verdict,
    [property: JsonPropertyName("exitCode")] int ExitCode)
{
    /// <summary>When the credential last worked and what proved it, from the connection's index row.</summary>
    [JsonPropertyName("credential")]
    public DoctorCredentialJson? Credential { get; init; }
}

public sealed record DoctorSectionJson(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("lines")] IReadOnlyList<string> Lines);

/// <summary><c>sign</c>: the header and what went into it (never a secret).</summary>
public sealed record SignJson(
    [property: JsonPropertyName("authorization")] string Authorization,
    [property: JsonPropertyName("realm")] string Realm,
    [property: JsonPropertyName("nonce")] string Nonce,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("baseString")] string BaseString);

/// <summary><c>demo</c>: the story goes to stderr; this summary to stdout.</summary>
public sealed record DemoJson(
    [property: JsonPropertyName("exitCode")] int ExitCode,
    [property: JsonPropertyName("folder")] string? Folder,
    [property: JsonPropertyName("statusPage")] string? StatusPage,
    [property: JsonPropertyName("simulatedNow")] DateTimeOffset SimulatedNow,
    [property: JsonPropertyName("consumerCalls")] int ConsumerCalls,
    [property: JsonPropertyName("consumerFailedCalls")] int ConsumerFailedCalls,
    [property: JsonPropertyName("connections")] IReadOnlyList<StatusConnectionJson> Connections);

/// <summary>The serializer settings of every JSON document the CLI prints.</summary>
public static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
