using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TokenRotation.Coordination;

/// <summary>
/// Leases on Azure Storage blobs (architecture section 5): one empty blob per key in the lease container, created when
/// missing, and a finite blob lease on it. The holder renews every third of the duration and stops trusting the
/// lease when no renewal succeeded within the duration minus the safety margin (<see cref="TimedLease"/>).
/// </summary>
internal sealed class BlobLeaseProvider : ILeaseProvider
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(10);

    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _safetyMargin;
    private readonly ILogger _logger;
    private Task? _containerReady;

    public BlobLeaseProvider(BlobContainerClient container, CoordinationOptions options, TimeProvider timeProvider, ILogger<BlobLeaseProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (options.LeaseDuration < TimeSpan.FromSeconds(15) || options.LeaseDuration > TimeSpan.FromSeconds(60))
        {
            throw new ArgumentException("Blob leases last 15 to 60 seconds; Coordination:LeaseDuration is outside that range.", nameof(options));
        }

        if (options.LeaseSafetyMargin >= options.LeaseDuration)
        {
            throw new ArgumentException("The lease safety margin must be shorter than the lease duration.", nameof(options));
        }

        _container = container;
        _time = timeProvider;
        _duration = options.LeaseDuration;
        _safetyMargin = options.LeaseSafetyMargin;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public async Task<ILease?> TryAcquireAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var blob = _container.GetBlobClient(key);
        var leaseClient = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());

        for (var attempt = 0; ; attempt++)
        {
            var sentAt = _time.GetTimestamp();
            try
            {
                await leaseClient.AcquireAsync(_duration, cancellationToken: cancellationToken).ConfigureAwait(false);
                var lease = new BlobLease(this, key, leaseClient, sentAt);
                lease.Start();
                return lease;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // LeaseAlreadyPresent, or a lease being broken: someone else has it.
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && attempt == 0)
            {
                await CreateBlobAsync(blob, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        var ready = _containerReady;
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
        {
            ready = _containerReady = _container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        }

        await ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await blob.UploadAsync(
                BinaryData.Empty,
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another instance created it first (or holds a lease on it already).
        }
    }

    private sealed class BlobLease(BlobLeaseProvider owner, string key, BlobLeaseClient client, long sentAt)
        : TimedLease(key, owner._time, owner._duration, owner._safetyMargin, renewOnTimer: true, sentAt, owner._logger)
    {
        protected override async Task<RenewalOutcome> RenewCoreAsync(CancellationToken cancellationToken)
        {
            try
            {
                await client.RenewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                return RenewalOutcome.Renewed;
            }
            catch (RequestFailedException ex) when (ex.Status is 400 or 404 or 409 or 412)
            {
                // Lease id mismatch, lease lost or broken, blob deleted: the lease is no longer ours.
                return RenewalOutcome.Lost;
            }
        }

        protected override async Task ReleaseCoreAsync()
        {
            using var timeout = new CancellationTokenSource(ReleaseTimeout);
            await client.ReleaseAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
        }
    }
}
