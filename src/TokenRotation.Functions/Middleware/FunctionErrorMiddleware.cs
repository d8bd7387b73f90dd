using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using TokenRotation.Functions.Http;
using TokenRotation.Functions.Queues;

namespace TokenRotation.Functions.Middleware;

/// <summary>
/// The one place for unexpected failures. In an HTTP function it logs the exception and answers a problem+json 500
/// that says nothing about internals. In a timer or queue function it logs and rethrows, so the host sees the
/// failure (it retries a queue message and finally moves it to the poison queue); for a queue message it first keeps
/// the reason, which the poison handler reports.
/// </summary>
public sealed partial class FunctionErrorMiddleware(PoisonedWorkRecorder poisoned, ILogger<FunctionErrorMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public const string HttpTrigger = "httpTrigger";
    public const string QueueTrigger = "queueTrigger";

    /// <summary>Binding data of a queue trigger that holds the message text.</summary>
    public const string QueueMessageBindingData = "QueueTrigger";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var trigger = TriggerType(context);
            if (string.Equals(trigger, HttpTrigger, StringComparison.OrdinalIgnoreCase) && context.GetHttpContext() is { } http)
            {
                if (http.RequestAborted.IsCancellationRequested)
                {
                    LogHttpAborted(context.FunctionDefinition.Name, context.InvocationId);
                    return;
                }

                LogHttpFailed(ex, context.FunctionDefinition.Name, context.InvocationId);
                if (!http.Response.HasStarted)
                {
                    http.Response.Clear();
                    await HttpResults.Problem(500, "Unexpected error",
                            $"The request could not be completed. The error was logged with invocation id {context.InvocationId}.")
                        .ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext { HttpContext = http }).ConfigureAwait(false);
                }

                return;
            }

            LogTriggerFailed(ex, context.FunctionDefinition.Name, trigger ?? "(unknown)", context.InvocationId);
            if (string.Equals(trigger, QueueTrigger, StringComparison.OrdinalIgnoreCase)
                && context.BindingContext.BindingData.TryGetValue(QueueMessageBindingData, out var text) && text is string message)
            {
                try
                {
                    await poisoned.RecordFailureAsync(message, ex, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception recordFailure) when (recordFailure is not OperationCanceledException)
                {
                    LogRecordFailed(recordFailure, context.FunctionDefinition.Name, context.InvocationId);
                }
            }

            throw;
        }
    }

    private static string? TriggerType(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values
            .FirstOrDefault(b => b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))?.Type;

    [LoggerMessage(EventId = 1500, Level = LogLevel.Error, Message = "{Function} failed unexpectedly (invocation {InvocationId}); answered 500")]
    private partial void LogHttpFailed(Exception exception, string function, string invocationId);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "{Function}: the client went away (invocation {InvocationId})")]
    private partial void LogHttpAborted(string function, string invocationId);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Error, Message = "{Function} ({Trigger}) failed (invocation {InvocationId}); the host will retry or give up")]
    private partial void LogTriggerFailed(Exception exception, string function, string trigger, string invocationId);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "{Function}: the failure reason could not be recorded (invocation {InvocationId})")]
    private partial void LogRecordFailed(Exception exception, string function, string invocationId);
}
