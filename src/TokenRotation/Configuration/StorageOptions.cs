using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TokenRotation.Configuration;

/// <summary>
/// Storage for leases (blobs), work items (queues) and consent sessions and TOTP steps (tables),
/// bound from the <c>Storage</c> section. Either a connection string (Azurite locally) or the three
/// service URIs with the managed identity (Azure).
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

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

    /// <summary>Queue that carries one message per account with due connections.</summary>
    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "Storage:WorkQueue must be a valid queue name.")]
    public string WorkQueue { get; set; } = "nstoken-work";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasUris = !string.IsNullOrWhiteSpace(BlobServiceUri) && !string.IsNullOrWhiteSpace(QueueServiceUri) && !string.IsNullOrWhiteSpace(TableServiceUri);
        if (string.IsNullOrWhiteSpace(ConnectionString) && !hasUris)
        {
            yield return new ValidationResult(
                "Storage:ConnectionString, or all of Storage:BlobServiceUri, Storage:QueueServiceUri and Storage:TableServiceUri, must be set.",
                [nameof(ConnectionString)]);
        }
    }
}

[OptionsValidator]
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;
