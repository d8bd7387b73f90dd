using System.Text;
using System.Text.Json;

namespace NetSuite.Simulator.Http;

/// <summary>
/// A buffered answer. Handlers return one instead of writing to the response, so an injected fault can
/// replace or drop it after the request has changed state.
/// </summary>
internal sealed class SimResult
{
    public int Status { get; init; }

    public string? ContentType { get; init; }

    public byte[] Body { get; init; } = [];

    public List<KeyValuePair<string, string>>? Headers { get; set; }

    public SimResult WithHeader(string name, string value)
    {
        (Headers ??= []).Add(new(name, value));
        return this;
    }

    public static SimResult Json(int status, object value, string contentType = "application/json; charset=utf-8") =>
        new() { Status = status, ContentType = contentType, Body = JsonSerializer.SerializeToUtf8Bytes(value, JsonDefaults.Options) };

    public static SimResult JsonBytes(int status, byte[] body, string contentType = "application/json; charset=utf-8") =>
        new() { Status = status, ContentType = contentType, Body = body };

    public static SimResult Text(int status, string text) =>
        new() { Status = status, ContentType = "text/plain; charset=utf-8", Body = Encoding.UTF8.GetBytes(text) };

    public static SimResult Html(int status, string html) =>
        new() { Status = status, ContentType = "text/html; charset=utf-8", Body = Encoding.UTF8.GetBytes(html) };

    public static SimResult Empty(int status) => new() { Status = status };

    public static SimResult Redirect(string location) => new SimResult { Status = 302 }.WithHeader("Location", location);
}

internal static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Keeps nulls (a mode such as RetryAfter may be null and must still be listed).</summary>
    public static readonly JsonSerializerOptions Modes = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
