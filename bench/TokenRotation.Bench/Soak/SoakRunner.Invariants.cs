using System.Text;
using System.Text.Json;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Stores;

namespace TokenRotation.Bench.Soak;

/// <summary>The invariants of the issue, checked after every tick.</summary>
public sealed partial class SoakRunner
{
    /// <summary>How late a previous credential may still be active after its grace ends: the sweep after it, and its retries.</summary>
    private static readonly TimeSpan RetireSlack = TimeSpan.FromHours(1);

    /// <summary>The most versions one consumer secret may gain per day (an access token about every 45 minutes is 32).</summary>
    private const int ConsumerVersionsPerDay = 48;

    private const int PublicStateVersionsPerDay = 100;

    /// <summary>
    /// Any other state secret. Client credentials once gained 20 to 28 versions a day here: intents written as documents
    /// (the soak's store hid the marker interface), a write per retry of a refused mint, and a refused mint retried at
    /// every sweep during a certificate rotation's grace (architecture section 13 explains each; all three are fixed).
    /// </summary>
    private const int StateVersionsPerDay = 40;

    private Cause? OpenCause(string connection, bool person) =>
        _connections.FirstOrDefault(c => c.Name == connection) is { } target ? OpenCause(target, person) : null;

    /// <summary>An injected cause that explains trouble for the connection now: person causes until closed, transient ones for their window.</summary>
    private Cause? OpenCause(SoakConnection connection, bool person)
    {
        lock (_trail)
        {
            var now = Now;
            return _causes.LastOrDefault(c => !c.Closed && c.Hits(connection) && (c.Person || (!person && (c.Until is null || c.Until > now))));
        }
    }

    private async Task CheckInvariantsAsync()
    {
        var now = Now;
        var simulator = _world.Simulator.State;
        var docs = new Dictionary<string, ConnectionDocument>(StringComparer.Ordinal);
        foreach (var connection in _connections)
        {
            var doc = _world.Peek(connection.Name, withIntent: true);
            if (doc is null)
            {
                Violation($"{connection.Name}: the state document is gone");
                continue;
            }

            docs[connection.Name] = doc;
        }

        // Person causes close once the person acted and the connection works again.
        foreach (var cause in _causes.Where(c => c.Person && !c.Closed && c.FixedAt is not null))
        {
            var hit = _connections.Where(cause.Hits).ToList();
            if ((!cause.Lazy || now - cause.From >= TransientWindow) && hit.All(c => c.LastWorked >= cause.FixedAt && docs.TryGetValue(c.Name, out var d) && d.Status is not ConnectionStatus.NeedsPerson and not ConnectionStatus.Paused))
            {
                cause.Closed = true;
                Note($"cause closed: {cause}");
            }
            else if (now - cause.FixedAt > TimeSpan.FromDays(2) && !_causes.Any(other => other != cause && other.Person && !other.Closed && other.FixedAt is null && hit.Any(other.Hits)))
            {
                cause.Closed = true;
                Violation($"{cause}: a person acted at {cause.FixedAt:MM-dd HH:mm} and the connection still does not work two days later");
            }
        }

        foreach (var connection in _connections)
        {
            if (!docs.TryGetValue(connection.Name, out var doc))
            {
                continue;
            }

            // Every NeedsPerson has an injected cause (or the public chain's end, by design).
            if (doc.Status == ConnectionStatus.NeedsPerson && !connection.InNeedsPerson)
            {
                connection.InNeedsPerson = true;
                _personNeededEvents++;
                var cause = ChainEndCause(doc) ?? OpenCause(connection, person: true)?.Kind;
                if (cause is null)
                {
                    Violation($"{connection.Name} needs a person with no injected cause: {doc.NeedsPersonReason} (last error {doc.LastError?.Code}: {doc.LastError?.Message})");
                }
                else
                {
                    _personNeededExplained++;
                    _personNeededByCause[cause] = _personNeededByCause.GetValueOrDefault(cause) + 1;
                }
            }
            else if (doc.Status != ConnectionStatus.NeedsPerson)
            {
                connection.InNeedsPerson = false;
            }

            CheckCredentials(connection, doc, now);
        }

        CheckOrphans(docs);
        CheckPublicClientTokens(docs);
        NoticeOrphans(docs);

        // No spent single-use token sent again, no TOTP code used twice, no lockout.
        if (simulator.AlarmCount > _alarmsSeen)
        {
            foreach (var alarm in simulator.Alarms.Skip(_alarmsSeen))
            {
                Violation($"NetSuite saw {alarm.Detail} on {alarm.Endpoint} ({alarm.Account}, {alarm.Email ?? alarm.ClientId}): {alarm.Note}");
            }

            _alarmsSeen = simulator.AlarmCount;
        }

        foreach (var account in simulator.ConcurrencyAll)
        {
            if (account.MaxSeen > _world.AccountConcurrency || account.Rejected > 0)
            {
                var recent = simulator.AuditTrailFor(account.Account).Where(e => e.Time >= now - _settings.Step)
                    .Select(e => $"{e.Time:HH:mm:ss.fff} {e.Endpoint} {e.Detail} {e.ClientId?[..Math.Min(8, e.ClientId.Length)]} {e.Note}");
                Violation($"account {account.Account} saw {account.MaxSeen} concurrent requests (cap {_world.AccountConcurrency}), {account.Rejected} rejected; its requests this step: {string.Join(" | ", recent)}");
            }
        }

        simulator.ResetConcurrencyStats();
    }

    /// <summary>The current credential is never revoked; the previous one is revoked after grace, within a sweep of its end.</summary>
    private void CheckCredentials(SoakConnection connection, ConnectionDocument doc, DateTimeOffset now)
    {
        var simulator = _world.Simulator.State;
        var tokens = simulator.TokensFor(connection.Account);
        if (doc.Kind == ConnectionKind.Tba)
        {
            if (doc.Credentials.Current is { } current)
            {
                var view = tokens.FirstOrDefault(t => t.Id == current.Id);
                if (view is null || view.Status != TokenStatus.Active)
                {
                    if (OpenCause(connection, person: true) is null && !connection.CurrentReported)
                    {
                        connection.CurrentReported = true;
                        Violation($"{connection.Name}: the current TBA token {Short(current.Id)} is {view?.Status.ToString() ?? "unknown to NetSuite"}");
                    }
                }
                else
                {
                    connection.CurrentReported = false;
                }
            }

            if (doc.Credentials.Previous is { RetireAfter: { } retireAfter } previous && !_previous.ContainsKey(previous.Id))
            {
                _previous[previous.Id] = (connection.Name, retireAfter);
            }
        }
        else if (doc.Kind == ConnectionKind.OAuth2AuthorizationCode && Jti(doc.OAuth2?.RefreshToken) is { } jti)
        {
            var view = tokens.FirstOrDefault(t => t.Id == jti);
            if (view?.Status == TokenStatus.Revoked && OpenCause(connection, person: true) is null && !connection.CurrentReported)
            {
                connection.CurrentReported = true;
                Violation($"{connection.Name}: the current refresh token is revoked in NetSuite");
            }
        }

        foreach (var (id, (name, retireAfter)) in _previous.Where(p => p.Value.Connection == connection.Name).ToList())
        {
            var view = tokens.FirstOrDefault(t => t.Id == id);
            if (view is null)
            {
                _previous.Remove(id);
                continue;
            }

            var stillHeld = doc.Credentials.Current?.Id == id;
            if (view.Status == TokenStatus.Revoked && view.EndedAt < retireAfter && !stillHeld && !_revokedBySoak.Contains(id))
            {
                // A rollback makes the previous token current again; anything else revoking it early breaks the grace.
                Violation($"{name}: previous TBA token {Short(id)} revoked at {view.EndedAt:MM-dd HH:mm}, before its grace ended at {retireAfter:MM-dd HH:mm}");
                _previous.Remove(id);
            }
            else if (view.Status != TokenStatus.Active || stillHeld)
            {
                _previous.Remove(id);
            }
            else if (now > retireAfter + RetireSlack && OpenCause(connection, person: false) is null)
            {
                Violation($"{name}: previous TBA token {Short(id)} still active {(now - retireAfter).TotalHours:0.0} h after its grace ended at {retireAfter:MM-dd HH:mm}");
                _previous.Remove(id);
            }
        }
    }

    /// <summary>Every active TBA token NetSuite holds for a connection is known to it or recorded as a possible orphan.</summary>
    private void CheckOrphans(Dictionary<string, ConnectionDocument> docs)
    {
        var simulator = _world.Simulator.State;
        foreach (var connection in _connections.Where(c => c.Kind == ConnectionKind.Tba))
        {
            if (!docs.TryGetValue(connection.Name, out var doc))
            {
                continue;
            }

            foreach (var token in simulator.ActiveTbaTokens(connection.Account).Where(t => t.ConsumerKey == connection.Integration.ConsumerKey))
            {
                var known = doc.Credentials.Current?.Id == token.TokenId || doc.Credentials.Pending?.Id == token.TokenId || doc.Credentials.Previous?.Id == token.TokenId
                    || doc.Rotation?.RotationId == token.Name || doc.PossibleOrphans.Any(o => o.TokenName == token.Name);
                if (!known && connection.ReportedOrphans.Add(token.TokenId))
                {
                    Violation($"{connection.Name}: NetSuite holds active TBA token {Short(token.TokenId)} ('{token.Name}'{(token.ResponseLost ? ", its answer was lost" : "")}) that the connection neither knows nor records as a possible orphan");
                }
            }
        }
    }

    /// <summary>Nothing lost across crashes: a public client's live refresh token is the one the state holds (or the journal's, until resumed).</summary>
    private void CheckPublicClientTokens(Dictionary<string, ConnectionDocument> docs)
    {
        var simulator = _world.Simulator.State;
        foreach (var connection in _connections.Where(c => c.PublicClient))
        {
            if (!docs.TryGetValue(connection.Name, out var doc))
            {
                continue;
            }

            var held = Jti(doc.OAuth2?.RefreshToken);
            var now = Now;
            foreach (var token in simulator.TokensFor(connection.Account).Where(t => t.Kind == TokenKind.OAuth2Refresh && t.ClientId == connection.Integration.ClientId && t.Status == TokenStatus.Active && t.ExpiresAt > now))
            {
                if (token.Id == held || token.ResponseLost || !connection.ReportedOrphans.Add(token.Id))
                {
                    continue;
                }

                if (OpenCause(connection, person: true) is { } cause && cause.Kind.StartsWith("crash", StringComparison.Ordinal))
                {
                    // NetSuite answered and the process died before the answer was durable: it existed only in memory.
                    Note($"{connection.Name}: refresh token {Short(token.Id)} died with the engine ({cause})");
                    continue;
                }

                if (_world.HasJournalEntry(connection.Name))
                {
                    // Sealed in the journal before the state write: the next run of the connection recovers it.
                    connection.ReportedOrphans.Remove(token.Id);
                    continue;
                }

                Violation($"{connection.Name}: NetSuite returned refresh token {Short(token.Id)} at {token.CreatedAt:MM-dd HH:mm} and the service no longer holds it (state holds {Short(held)})");
            }
        }
    }

    private static string Short(string? id) => id is null ? "(none)" : id.Length <= 12 ? id : id[..12] + "…";

    // ------------------------------------------------------------------ daily checks

    /// <summary>No secret (canaries, every value either vault ever held) in any log line: raw, URL-encoded or base64.</summary>
    private void CheckLogs()
    {
        var entries = _world.Logs.Entries.Skip(_logLinesScanned).Select(e => e.ToString()).ToList();
        _logLinesScanned += entries.Count;
        if (entries.Count == 0)
        {
            return;
        }

        var secrets = _canaries.Concat(StoredSecrets(_world.StateVault.State)).Concat(StoredSecrets(_world.ConsumerVault.State))
            .Where(s => s.Length >= 24).Distinct(StringComparer.Ordinal).ToList();
        foreach (var leak in Testing.Shared.LogLeaks.Find(entries, secrets).Take(5))
        {
            Violation($"secret in a log line: {leak}");
        }
    }

    /// <summary>Every secret value of every version of both vaults (state documents read field by field).</summary>
    private static IEnumerable<string> StoredSecrets(KeyVault.TestServer.KeyVaultState vault)
    {
        foreach (var name in vault.SecretNames.Where(n => !n.StartsWith(SecretNames.CertificatePrefix, StringComparison.Ordinal)))
        {
            foreach (var version in vault.GetVersions(name))
            {
                if (name.StartsWith(SecretNames.ConnectionPrefix, StringComparison.Ordinal))
                {
                    var doc = ConnectionDocument.FromJson(version.Value, name);
                    foreach (var value in new[] { doc.OAuth2?.RefreshToken, doc.OAuth2?.ClientSecret, doc.Tba?.ConsumerSecret, doc.Tba?.User.Password, doc.Tba?.User.TotpSecret }
                        .Concat(new[] { doc.Credentials.Current, doc.Credentials.Pending, doc.Credentials.Previous }.Select(c => c?.Secret)))
                    {
                        if (value is not null)
                        {
                            yield return value;
                        }
                    }
                }
                else if (version.Value.StartsWith('{'))
                {
                    using var json = JsonDocument.Parse(version.Value);
                    foreach (var property in json.RootElement.EnumerateObject())
                    {
                        if (property.Name.Contains("secret", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String && property.Value.GetString() is { } value)
                        {
                            yield return value;
                        }
                    }
                }
                else
                {
                    yield return version.Value;
                }
            }
        }
    }

    private readonly Dictionary<string, int> _consumerVersionsYesterday = new(StringComparer.Ordinal);

    /// <summary>
    /// Key Vault versions stay inside the design's budget (architecture section 3: state is written only for consents,
    /// a public client's new refresh token and rotation steps; access tokens go to the consumer vault only). Averaged
    /// over the run: a public client's state at most 100 versions a day (two writes per refresh, a refresh about every
    /// 45 minutes, plus retries), any other state secret at most 20, a consumer secret at most 48 (an access token
    /// about every 45 minutes is 32).
    /// </summary>
    private void CheckVersions(int day)
    {
        foreach (var (name, count) in _world.StateVault.State.VersionCounts().Where(v => v.Key.StartsWith(SecretNames.ConnectionPrefix, StringComparison.Ordinal)))
        {
            var budget = name.StartsWith(SecretNames.ConnectionPrefix + "pub-", StringComparison.Ordinal) ? PublicStateVersionsPerDay : StateVersionsPerDay;
            if (count > budget * day && _versionsReported.Add(name))
            {
                Violation($"state secret {name} has {count} versions after {day} days (budget {budget} a day)");
            }
        }

        foreach (var (name, count) in _world.ConsumerVault.State.VersionCounts())
        {
            if (count > ConsumerVersionsPerDay * day && _versionsReported.Add(name))
            {
                Violation($"consumer secret {name} has {count} versions after {day} days (budget {ConsumerVersionsPerDay} a day)");
            }
        }
    }

    private readonly HashSet<string> _versionsReported = new(StringComparer.Ordinal);

    private SoakVersionFigures VersionFigures() => new(
        _world.StateVault.State.VersionCounts().Where(v => v.Key.StartsWith(SecretNames.ConnectionPrefix, StringComparison.Ordinal)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal),
        _world.ConsumerVault.State.VersionCounts().ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal),
        _world.StateVault.Counters.Writes + _world.StateVault.Counters.PropertyUpdates,
        _world.ConsumerVault.Counters.Writes + _world.ConsumerVault.Counters.PropertyUpdates);
}
