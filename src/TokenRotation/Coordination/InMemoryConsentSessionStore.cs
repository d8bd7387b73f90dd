namespace TokenRotation.Coordination;

/// <summary>Consent sessions in this process (CLI demo, tests); same single-use rule as the table store.</summary>
public sealed class InMemoryConsentSessionStore : IConsentSessionStore
{
    private readonly Dictionary<string, (ConsentSession Session, bool Used)> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

    public Task CreateAsync(ConsentSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(session.State);
        lock (_sessions)
        {
            var key = CoordinationKeys.Sha256Hex(session.State);
            if (!_sessions.TryAdd(key, (session, false)))
            {
                throw new InvalidOperationException($"A consent session with the same state already exists (for {session.Connection}); states must be unique.");
            }

            if (session.Link is { } link)
            {
                if (_links.TryGetValue(link, out var replaced))
                {
                    _sessions.Remove(replaced);
                }

                _links[link] = key;
            }
        }

        return Task.CompletedTask;
    }

    public Task<ConsentSession?> GetAsync(string state, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(state))
        {
            return Task.FromResult<ConsentSession?>(null);
        }

        lock (_sessions)
        {
            return Task.FromResult(_sessions.TryGetValue(CoordinationKeys.Sha256Hex(state), out var entry) && !entry.Used ? entry.Session : null);
        }
    }

    public Task<ConsentSession?> TryConsumeAsync(string state, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(state))
        {
            return Task.FromResult<ConsentSession?>(null);
        }

        var key = CoordinationKeys.Sha256Hex(state);
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(key, out var entry) || entry.Used)
            {
                return Task.FromResult<ConsentSession?>(null);
            }

            _sessions[key] = (entry.Session, true);
            return Task.FromResult<ConsentSession?>(entry.Session);
        }
    }

    public Task<int> PurgeExpiredAsync(DateTimeOffset expiredBefore, CancellationToken cancellationToken = default)
    {
        lock (_sessions)
        {
            var expired = _sessions.Where(e => e.Value.Session.ExpiresAt < expiredBefore).Select(e => e.Key).ToList();
            expired.ForEach(k => _sessions.Remove(k));
            foreach (var link in _links.Where(l => !_sessions.ContainsKey(l.Value)).Select(l => l.Key).ToList())
            {
                _links.Remove(link);
            }

            return Task.FromResult(expired.Count);
        }
    }
}
