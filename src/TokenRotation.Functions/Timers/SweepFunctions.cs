using Azure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using TokenRotation.Configuration;
using TokenRotation.Coordination;
using TokenRotation.Engine;

namespace TokenRotation.Functions.Timers;

/// <summary>
/// The two sweeps (architecture section 7). Each lists the state vault's tags and enqueues one message per account with
/// due connections; <see cref="Queues.WorkQueueFunctions.ProcessAccount"/> does the work. Schedules are NCRONTAB in
/// UTC from the app settings named in <see cref="Schedules"/>.
/// </summary>
public sealed partial class SweepFunctions(SweepService sweeps, IConsentSessionStore consentSessions, TimeProvider time, ILogger<SweepFunctions> logger)
{
    /// <summary>
    /// How long a consent session is kept after its link expired: a person opening the link within this time is told
    /// that it expired (and how to get a new one) instead of "unknown link". The daily timer deletes older ones.
    /// </summary>
    public static readonly TimeSpan ConsentSessionRetention = TimeSpan.FromDays(7);

    public const string RefreshSchedule = "%" + Schedules.RefreshOAuth2TokensSetting + "%";
    public const string RotateSchedule = "%" + Schedules.RotateTbaTokensSetting + "%";

    /// <summary>Every few minutes: OAuth 2.0 refreshes, client-credentials minting, and whatever rotation step is due.</summary>
    [Function(nameof(RefreshOAuth2Tokens))]
    public async Task RefreshOAuth2Tokens([TimerTrigger(RefreshSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var result = await sweeps.SweepAsync(startRotations: false, cancellationToken).ConfigureAwait(false);
        LogSwept(nameof(RefreshOAuth2Tokens), timer.IsPastDue, result.Due, result.Messages);
    }

    /// <summary>Daily: the same, and it may start new TBA and certificate rotations.</summary>
    [Function(nameof(RotateTbaTokens))]
    public async Task RotateTbaTokens([TimerTrigger(RotateSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var result = await sweeps.SweepAsync(startRotations: true, cancellationToken).ConfigureAwait(false);
        LogSwept(nameof(RotateTbaTokens), timer.IsPastDue, result.Due, result.Messages);

        // Housekeeping after the sweep: a storage hiccup here must not fail the rotation timer, tomorrow tries again.
        try
        {
            var purged = await consentSessions.PurgeExpiredAsync(time.GetUtcNow() - ConsentSessionRetention, cancellationToken).ConfigureAwait(false);
            LogPurged(purged, ConsentSessionRetention.TotalDays);
        }
        catch (RequestFailedException ex)
        {
            LogPurgeFailed(ex.Status, ex.ErrorCode);
        }
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "{Timer} ran (past due: {PastDue}): {Due} connections due, {Messages} work messages enqueued")]
    private partial void LogSwept(string timer, bool pastDue, int due, int messages);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Deleted {Count} consent sessions that expired more than {Days} days ago")]
    private partial void LogPurged(int count, double days);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Deleting expired consent sessions failed ({Status} {ErrorCode}); the next daily run tries again")]
    private partial void LogPurgeFailed(int status, string? errorCode);
}
