using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace TokenRotation.Configuration;

/// <summary>
/// Storage for leases (blobs), work items (queues) and consent sessions and TOTP steps (tables),
/// bound from the <c>Storage</c> section. Either a connection string (Azurite locally) or the three
/// service URIs with the managed identity (Azure).
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary>
    /// The flat app setting that names the work queue. The queue trigger reads it as <c>%WorkQueueName%</c>; a binding
    /// expression with <c>:</c> (<c>__</c> in Azure) is not resolved by the scale controller, so the queue never scaled.
    /// </summary>
    public const string WorkQueueSetting = "WorkQueueName";

    private string? _workQueueConflict;

    /// <summary>Connection string, for Azurite (<c>UseDevelopmentStorage=true</c>) or tests. Empty in Azure.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Blob endpoint, e.g. https://stabc.blob.core.windows.net (identity-based access).</summary>
    public string? BlobServiceUri { get; set; }

    /// <summary>Queue endpoint, e.g. https://stabc.queue.core.windows.net (identity-based access).</summary>
    public string? QueueServiceUri { get; set; }

    /// <summary>Table endpoint, e.g. https://stabc.table.core.windows.net (identity-based access).</summary>
    public string? TableServiceUri { get; set; }

    /// <summary>Blob container that holds the lease blobs.</summary>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage:LeaseContainer must be a valid blob container name.")]
    public string LeaseContainer { get; set; } = "nstoken-leases";

    /// <summary>
    /// Queue that carries one message per account with due connections: <see cref="WorkQueueSetting"/> when set
    /// (see <see cref="UseWorkQueueSetting"/>), otherwise <c>Storage:WorkQueue</c>.
    /// </summary>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage:WorkQueue must be a valid queue name.")]
    public string WorkQueue { get; set; } = "nstoken-work";

    /// <summary>
    /// Takes the work queue from the flat <see cref="WorkQueueSetting"/>, the one the queue trigger listens on, and
    /// remembers a <c>Storage:WorkQueue</c> that names another queue, so validation refuses it rather than letting the
    /// sweeps fill a queue nobody serves.
    /// </summary>
    public void UseWorkQueueSetting(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var flat = configuration[WorkQueueSetting];
        if (string.IsNullOrWhiteSpace(flat))
        {
            return;
        }

        var nested = configuration[$"{SectionName}:{nameof(WorkQueue)}"];
        _workQueueConflict = string.IsNullOrWhiteSpace(nested) || string.Equals(nested, flat, StringComparison.Ordinal)
            ? null
            : $"{WorkQueueSetting} ('{flat}') and Storage:WorkQueue ('{nested}') name different queues; the queue trigger listens on {WorkQueueSetting}. Remove Storage:WorkQueue or make it the same.";
        WorkQueue = flat;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (_workQueueConflict is not null)
        {
            yield return new ValidationResult(_workQueueConflict, [nameof(WorkQueue)]);
        }

        var hasUris = !string.IsNullOrWhiteSpace(BlobServiceUri) && !string.IsNullOrWhiteSpace(QueueServiceUri) && !string.IsNullOrWhiteSpace(TableServiceUri);
        if (string.IsNullOrWhiteSpace(ConnectionString) && !hasUris)
        {
            yield return new ValidationResult(
                "Storage:ConnectionString, or all of Storage:BlobServiceUri, Storage:QueueServiceUri and Storage:TableServiceUri, must be set.",
                [nameof(ConnectionString)]);
        }
    }
}
