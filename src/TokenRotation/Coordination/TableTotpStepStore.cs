using Azure;
using Azure.Data.Tables;

namespace TokenRotation.Coordination;

/// <summary>
/// The last used TOTP step per (account, user) in Azure Table storage (architecture section 5). Partition: the account in
/// realm form; row: SHA-256 of the lowercase e-mail, so no e-mail appears in a key. A step is reserved by reading
/// the row and writing it back conditioned on its ETag (or adding it when missing); a concurrent writer makes the
/// write fail with 412/409, and the reservation is decided again on a fresh read.
/// </summary>
internal sealed class TableTotpStepStore : ITotpStepStore, ILoginRefusalStore
{
    public const string LastStepProperty = "LastStep";
    public const string RefusedPasswordProperty = "RefusedPassword";
    public const string RefusedAtProperty = "RefusedAt";
    public const string RefusedConnectionProperty = "RefusedConnection";
    private const int MaxAttempts = 8;

    private readonly TableClient _table;
    private Task? _tableReady;

    public TableTotpStepStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    public async Task<bool> TryReserveAsync(string account, string email, long totpStep, CancellationToken cancellationToken = default)
    {
        var partition = CoordinationKeys.AccountRealm(account);
        var row = CoordinationKeys.UserRow(email);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(partition, row, [LastStepProperty], cancellationToken).ConfigureAwait(false);
            try
            {
                if (!existing.HasValue || existing.Value is null)
                {
                    await _table.AddEntityAsync(new TableEntity(partition, row) { [LastStepProperty] = totpStep }, cancellationToken).ConfigureAwait(false);
                    return true;
                }

                var entity = existing.Value;
                if (entity.GetInt64(LastStepProperty) is { } last && totpStep <= last)
                {
                    return false;
                }

                var reserved = new TableEntity(partition, row) { [LastStepProperty] = totpStep };
                // Merge: the row also holds the user's login refusal, which a step reservation must keep.
                await _table.UpdateEntityAsync(reserved, entity.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another login reserved a step between our read and write: decide again on a fresh read.
            }
        }

        throw new InvalidOperationException(
            $"Could not reserve a TOTP step for a user of account {partition}: {MaxAttempts} conditional writes in a row lost to concurrent logins.");
    }

    public async Task<LoginRefusal?> GetRefusalAsync(string account, string email, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(
            CoordinationKeys.AccountRealm(account), CoordinationKeys.UserRow(email), [RefusedPasswordProperty, RefusedAtProperty, RefusedConnectionProperty], cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } entity && entity.GetString(RefusedPasswordProperty) is { Length: > 0 } fingerprint
            ? new LoginRefusal(fingerprint, entity.GetDateTimeOffset(RefusedAtProperty) ?? DateTimeOffset.MinValue, entity.GetString(RefusedConnectionProperty) ?? "")
            : null;
    }

    public async Task RecordRefusalAsync(string account, string email, LoginRefusal refusal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(CoordinationKeys.AccountRealm(account), CoordinationKeys.UserRow(email))
        {
            [RefusedPasswordProperty] = refusal.PasswordFingerprint,
            [RefusedAtProperty] = refusal.At,
            [RefusedConnectionProperty] = refusal.Connection,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    public async Task ClearRefusalAsync(string account, string email, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(CoordinationKeys.AccountRealm(account), CoordinationKeys.UserRow(email))
        {
            [RefusedPasswordProperty] = "",
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
    }

    private Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        var ready = _tableReady;
        if (ready is null || ready.IsFaulted || ready.IsCanceled)
        {
            ready = _tableReady = _table.CreateIfNotExistsAsync(CancellationToken.None);
        }

        return ready.WaitAsync(cancellationToken);
    }
}
