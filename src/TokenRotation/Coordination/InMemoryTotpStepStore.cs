namespace TokenRotation.Coordination;

/// <summary>The last used TOTP step per (account, user), in this process (CLI demo, tests).</summary>
public sealed class InMemoryTotpStepStore : ITotpStepStore, ILoginRefusalStore
{
    private readonly Dictionary<(string Account, string User), long> _lastSteps = [];
    private readonly Dictionary<(string Account, string User), LoginRefusal> _refusals = [];

    public Task<LoginRefusal?> GetRefusalAsync(string account, string email, CancellationToken cancellationToken = default)
    {
        lock (_refusals)
        {
            return Task.FromResult(_refusals.GetValueOrDefault(Key(account, email)));
        }
    }

    public Task RecordRefusalAsync(string account, string email, LoginRefusal refusal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        lock (_refusals)
        {
            _refusals[Key(account, email)] = refusal;
        }

        return Task.CompletedTask;
    }

    public Task ClearRefusalAsync(string account, string email, CancellationToken cancellationToken = default)
    {
        lock (_refusals)
        {
            _refusals.Remove(Key(account, email));
        }

        return Task.CompletedTask;
    }

    private static (string, string) Key(string account, string email) => (CoordinationKeys.AccountRealm(account), CoordinationKeys.UserRow(email));

    public Task<bool> TryReserveAsync(string account, string email, long totpStep, CancellationToken cancellationToken = default)
    {
        var key = (CoordinationKeys.AccountRealm(account), CoordinationKeys.UserRow(email));
        lock (_lastSteps)
        {
            if (_lastSteps.TryGetValue(key, out var last) && totpStep <= last)
            {
                return Task.FromResult(false);
            }

            _lastSteps[key] = totpStep;
            return Task.FromResult(true);
        }
    }
}
