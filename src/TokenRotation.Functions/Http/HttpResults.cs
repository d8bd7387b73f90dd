using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace TokenRotation.Functions.Http;

/// <summary>
/// The app's HTTP answers. They write the response themselves, so they need no MVC services from the container and
/// behave the same in the worker, in the tests' ASP.NET Core host and in direct calls.
/// </summary>
internal static class HttpResults
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    /// <summary>Pages show no secret and load nothing: no script, no frames, no referrer (the callback URL carries a code).</summary>
    public const string PageSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IActionResult Html(int statusCode, string html) => new BodyResult(statusCode, "text/html; charset=utf-8", html);

    public static IActionResult JsonBody(int statusCode, object value) =>
        new BodyResult(statusCode, "application/json; charset=utf-8", JsonSerializer.Serialize(value, value.GetType(), Json));

    /// <summary>An RFC 9457 problem: a title and a detail safe to show, never internals.</summary>
    public static IActionResult Problem(int statusCode, string title, string detail) =>
        new BodyResult(statusCode, "application/problem+json; charset=utf-8", ProblemJson(statusCode, title, detail));

    public static string ProblemJson(int statusCode, string title, string detail) =>
        JsonSerializer.Serialize(new ProblemBody("about:blank", title, statusCode, detail), Json);

    public static IActionResult Redirect(Uri location) => new RedirectBodyResult(location);

    /// <summary>Headers every answer of ours carries: nothing is cached, sniffed, framed or sent on as a referrer.</summary>
    public static void ApplySecurityHeaders(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = PageSecurityPolicy;
    }

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail);

    private sealed class BodyResult(int statusCode, string contentType, string body) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var response = context.HttpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = contentType;
            ApplySecurityHeaders(response);
            var bytes = Encoding.UTF8.GetBytes(body);
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    private sealed class RedirectBodyResult(Uri location) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status302Found;
            ApplySecurityHeaders(response);
            response.Headers.Location = location.AbsoluteUri;
            return Task.CompletedTask;
        }
    }
}
