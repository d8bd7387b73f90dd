using Polly;

namespace TokenRotation.Stores;

/// <summary>The write path of one vault: wait for the budget, then make the single SDK call, and count it.</summary>
internal sealed class VaultWriter(ResiliencePipeline pipeline, KeyVaultMetrics metrics, string vault, TimeProvider time)
{
    public string Vault => vault;

    public KeyVaultMetrics Metrics => metrics;

    public async Task<T> WriteAsync<T>(Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        var queuedAt = time.GetTimestamp();
        T result = default!;

        // The callback returns nothing: Polly's telemetry logs a pipeline's result, and a secret's response must
        // never reach a log line.
        await pipeline.ExecuteAsync(
            async token =>
            {
                metrics.LimiterWait(vault, time.GetElapsedTime(queuedAt));
                result = await write(token).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return result;
    }
}
