using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TokenRotation.Connections;
using TokenRotation.Functions.Status;

namespace TokenRotation.Functions.Http;

/// <summary>
/// Updating a connection's rotation credentials over the operator API (role Connections.Operate): the same
/// <see cref="CredentialUpdater"/> as <c>nstoken update</c>. The secrets come in the HTTPS body and are never echoed
/// or logged; the answer is the outcome, which names fields, never values.
/// </summary>
public sealed class CredentialFunctions(CredentialUpdater updater, TimeProvider timeProvider)
{
    private const int MaxBodyBytes = 16 * 1024;

    private static readonly string[] Fields = ["email", "password", "totpSecret", "consumerKey", "consumerSecret", "clientSecret"];

    [Function(nameof(UpdateCredentials))]
    public async Task<IActionResult> UpdateCredentials(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "connections/{name}/credentials")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!OperatorRequest.TryRead(request, name, allowForce: false, out var connection, out var flags, out var problem))
        {
            return problem;
        }

        var (changes, bodyProblem) = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (changes is null)
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, "Invalid body", bodyProblem!);
        }

        var outcome = await updater.UpdateAsync(connection, changes, flags.DryRun, cancellationToken).ConfigureAwait(false);
        if (outcome.Kind == Engine.OutcomeKind.Refused)
        {
            return HttpResults.Problem(StatusCodes.Status400BadRequest, "Not updated", outcome.Actions.Count > 0 ? outcome.Actions[0] : outcome.Message);
        }

        return OperatorRequest.Answer(DueTimes.Shown(outcome, timeProvider.GetUtcNow()));
    }

    private static async Task<(CredentialChanges? Changes, string? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return (null, $"The body is larger than {MaxBodyBytes} bytes.");
            }
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException)
        {
            // Never the parser's message: it can quote the body, which holds secrets.
            return (null, $"The body is a JSON object with some of: {string.Join(", ", Fields)}.");
        }

        using (json)
        {
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, $"The body is a JSON object with some of: {string.Join(", ", Fields)}.");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                {
                    return (null, $"{Printable(property.Name)}: unknown field; the fields are {string.Join(", ", Fields)}.");
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    return (null, $"{property.Name}: a string.");
                }

                if (!values.TryAdd(property.Name, property.Value.GetString()!))
                {
                    return (null, $"{property.Name}: given twice.");
                }
            }

            return (new CredentialChanges
            {
                Email = values.GetValueOrDefault("email"),
                Password = values.GetValueOrDefault("password"),
                TotpSecret = values.GetValueOrDefault("totpSecret"),
                ConsumerKey = values.GetValueOrDefault("consumerKey"),
                ConsumerSecret = values.GetValueOrDefault("consumerSecret"),
                ClientSecret = values.GetValueOrDefault("clientSecret"),
            }, null);
        }
    }

    private static string Printable(string name) => name.Length <= 40 && name.All(char.IsAsciiLetterOrDigit) ? name : "(a field)";
}
