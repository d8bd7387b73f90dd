using KeyVault.TestServer;
using NetSuite.Simulator;
using TokenRotation.Connections;
using TokenRotation.Engine;

namespace TokenRotation.Bench.Soak;

/// <summary>Faults, crashes and people's actions, drawn from the seed.</summary>
public sealed partial class SoakRunner
{
    private static readonly SimEndpoint[] EngineEndpoints =
        [SimEndpoint.Token, SimEndpoint.IssueToken, SimEndpoint.RevokeToken, SimEndpoint.CertificatesCreate, SimEndpoint.CertificatesRevoke, SimEndpoint.Any];

    private static readonly SimEndpoint[] SingleUseEndpoints =
        [SimEndpoint.Token, SimEndpoint.IssueToken, SimEndpoint.RevokeToken, SimEndpoint.CertificatesCreate];

    private static readonly (string Kind, int Weight)[] FaultKinds =
    [
        ("netsuite 5xx", 4),
        ("netsuite 429", 3),
        ("netsuite timeout", 2),
        ("netsuite answer lost", 4),
        ("keyvault 503", 3),
        ("keyvault 429 storm", 2),
        ("lease lost", 2),
        ("oauth2 grant revoked in NetSuite", 1),
        ("integration blocked", 1),
        ("integration waiting for approval", 1),
        ("tba token revoked in NetSuite", 1),
        ("password changed", 1),
        ("authenticator re-enrolled", 1),
        ("keyvault slow answers", 2),
        ("sandbox refresh", 1),
    ];

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private void Count(string kind) => _faultsByKind[kind] = _faultsByKind.GetValueOrDefault(kind) + 1;

    /// <summary>Transient NetSuite fault rules and when they lapse unconsumed (the end of the window that explains them).</summary>
    private readonly List<(DateTimeOffset Until, int Rule)> _lapsing = [];

    private void InjectFaults(int stepsPerDay)
    {
        // A transient fault on an endpoint the engine rarely calls (a revoke) would otherwise wait for days and strike
        // long after the window that explains it: unconsumed, it lapses with its window.
        foreach (var lapsed in _lapsing.Where(l => l.Until <= Now).ToList())
        {
            _world.Simulator.Faults.Remove(lapsed.Rule);
            _lapsing.Remove(lapsed);
        }

        if (!_world.Crash.Armed && _random.NextDouble() < _settings.CrashesPerDay / stepsPerDay)
        {
            var effects = _random.Next(1, 30);
            _world.Crash.Arm(_world.Engines, effects);
            Note($"fault: engine {_world.Engines} will die after {effects} more side effects");
        }

        if (_random.NextDouble() >= _settings.FaultsPerDay / stepsPerDay)
        {
            return;
        }

        var total = FaultKinds.Sum(f => f.Weight);
        var roll = _random.Next(total);
        var kind = FaultKinds.First(f => (roll -= f.Weight) < 0).Kind;
        var connection = Pick(_connections);
        var account = connection.Account;
        var faults = _world.Simulator.Faults;
        var now = Now;
        string detail;
        switch (kind)
        {
            case "netsuite 5xx":
            {
                var endpoint = Pick(EngineEndpoints);
                var status = Pick(new[] { 500, 502, 503 });
                var times = _random.Next(1, 4);
                _lapsing.Add((now + TransientWindow, faults.AddStatus(endpoint, status, times, account).Id));
                detail = $"{times} x {status} on {endpoint} of {account}";
                if (endpoint is SimEndpoint.Token or SimEndpoint.Any)
                {
                    // The engine cannot tell a 5xx before processing from one after: a public client's refresh token
                    // may be spent, so it is not sent again and a person consents (by design, the safe side).
                    SingleUseAnswerLost("a public client's refresh answered 5xx", account);
                }
                break;
            }

            case "netsuite 429":
            {
                var endpoint = Pick(EngineEndpoints);
                var times = _random.Next(1, 6);
                _lapsing.Add((now + TransientWindow, faults.AddTooManyRequests(endpoint, TimeSpan.FromSeconds(1), times, account).Id));
                detail = $"{times} x 429 on {endpoint} of {account}";
                if (endpoint is SimEndpoint.Token or SimEndpoint.Any)
                {
                    // Only NetSuite's concurrency rejection proves a single-use call unprocessed (architecture
                    // section 6); a bare 429 does not, so a public client's refresh token is treated as spent.
                    SingleUseAnswerLost("a public client's refresh answered a bare 429", account);
                }
                break;
            }

            case "netsuite timeout":
            {
                var endpoint = Pick(EngineEndpoints);
                _lapsing.Add((now + TransientWindow, faults.Add(new FaultRule { Endpoint = endpoint, Action = FaultAction.DropConnection, Remaining = 1, Account = account }).Id));
                detail = $"no answer from {endpoint} of {account}";
                if (endpoint is SimEndpoint.Token or SimEndpoint.Any)
                {
                    SingleUseAnswerLost("a public client's refresh got no answer", account);
                }
                break;
            }

            case "netsuite answer lost":
            {
                var endpoint = Pick(SingleUseEndpoints);
                faults.DropResponseAfterProcessing(endpoint, 1, account);
                detail = $"the next {endpoint} of {account} is processed, its answer lost";
                if (endpoint == SimEndpoint.Token)
                {
                    SingleUseAnswerLost("a public client's refresh answer lost", account);
                }

                break;
            }

            case "keyvault 503":
            {
                var (name, vault) = PickVault();
                var times = _random.Next(1, 5);
                vault.Faults.Add(new KeyVaultFault { Times = times, StatusCode = 503 });
                detail = $"{times} x 503 from the {name} vault";
                _causes.Add(new Cause($"{kind} ({name})", null, null, now, person: false) { Until = now + TransientWindow });
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "keyvault 429 storm":
            {
                var (name, vault) = PickVault();
                var times = _random.Next(5, 40);
                vault.Faults.Add(new KeyVaultFault { Times = times, StatusCode = 429, RetryAfterMilliseconds = 20 });
                detail = $"{times} x 429 from the {name} vault";
                _causes.Add(new Cause($"{kind} ({name})", null, null, now, person: false) { Until = now + TransientWindow });
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "lease lost":
            {
                var checks = _random.Next(1, 4);
                _world.Leases.LoseNext(checks);
                detail = $"the next lease taken is lost after {checks} checks";
                _causes.Add(new Cause(kind, null, null, now, person: false) { Until = now + TransientWindow });
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "oauth2 grant revoked in NetSuite":
            {
                var target = _connections.Where(c => c.Kind == ConnectionKind.OAuth2AuthorizationCode).ToList();
                connection = Pick(target);
                var doc = _world.Peek(connection.Name);
                var jti = Jti(doc?.OAuth2?.RefreshToken);
                var revoked = jti is null ? 0 : _world.Simulator.State.RevokeOAuth2ChainOf(connection.Account, jti);
                detail = $"{connection.Name}'s grant revoked in NetSuite ({revoked} tokens); a person consents again in 1 to 6 hours";
                var cause = new Cause(kind, connection.Name, connection.Account, now, person: true);
                _causes.Add(cause);
                var target2 = connection;
                Schedule(now + TimeSpan.FromMinutes(_random.Next(60, 361)), $"a person consents again for {connection.Name}", () =>
                {
                    cause.FixedAt = Now;
                    return Task.CompletedTask;
                });
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "integration blocked" or "integration waiting for approval":
            {
                var integration = connection.Integration;
                var state = kind == "integration blocked" ? IntegrationState.Blocked : IntegrationState.WaitingForApproval;
                _world.Simulator.State.SetIntegrationState(account, integration.ClientId, state);
                detail = $"{connection.Name}'s integration record set to {state}; a person enables it in 1 to 6 hours";
                var cause = new Cause(kind, connection.Name, connection.Account, now, person: true);
                _causes.Add(cause);
                var target = connection;
                Schedule(now + TimeSpan.FromMinutes(_random.Next(60, 361)), $"a person enables {connection.Name}'s integration record", async () =>
                {
                    _world.Simulator.State.SetIntegrationState(target.Account, target.Integration.ClientId, IntegrationState.Enabled);
                    cause.FixedAt = Now;
                    var doc = _world.Peek(target.Name);
                    if (doc?.Status == ConnectionStatus.NeedsPerson && target.Kind != ConnectionKind.OAuth2AuthorizationCode)
                    {
                        // The runbook: once the record is enabled, rotate-now tells the service to try again.
                        var outcome = await _world.Processor.RunAsync(ConnectionName.Parse(target.Name), RotateNowRequest).ConfigureAwait(false);
                        Note($"{target.Name}: rotate-now after the record was enabled: {outcome.Kind} {Shorten(outcome.Message)}");
                    }
                });
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "tba token revoked in NetSuite":
            {
                connection = Pick(_connections.Where(c => c.Kind == ConnectionKind.Tba).ToList());
                var current = _world.Peek(connection.Name)?.Credentials.Current?.Id;
                var revoked = current is not null && _world.Simulator.State.RevokeTbaToken(connection.Account, current);
                detail = $"{connection.Name}'s current TBA token revoked in NetSuite ({revoked}); a person asks for rotate-now in 1 to 6 hours";
                var cause = new Cause(kind, connection.Name, connection.Account, now, person: true);
                _causes.Add(cause);
                if (current is not null)
                {
                    _revokedBySoak.Add(current);
                }

                ScheduleRotateNow(connection, cause, now + TimeSpan.FromMinutes(_random.Next(60, 361)), 48);
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "password changed" or "authenticator re-enrolled":
            {
                // The rotation user's credentials change in NetSuite. The service is told nothing until a person gives
                // its connections the new value with `nstoken update` (1 to 6 hours later) and proves it with
                // `nstoken rotate` where a connection waits for a person. Meanwhile it must never lock the user.
                connection = Pick(_connections.Where(c => c.Kind == ConnectionKind.Tba).ToList());
                var user = _world.Simulator.State.GetUser(connection.Account, connection.User!.Email);
                if (kind == "password changed")
                {
                    user.Password = Canary();
                }
                else
                {
                    user.TotpSecret = Remember(NetSuite.Simulator.Protocol.Totp.NewSecret());
                }

                var at = now + TimeSpan.FromMinutes(_random.Next(60, 361));
                foreach (var hit in _connections.Where(c => c.Kind == ConnectionKind.Tba && c.User?.Email == connection.User.Email && c.Account == connection.Account))
                {
                    var cause = new Cause(kind, hit.Name, hit.Account, now, person: true);
                    _causes.Add(cause);
                    ScheduleCredentialUpdate(hit, cause, kind == "password changed", at, 36);
                }

                detail = $"{connection.User.Email} in {connection.Account}: a person gives its TBA connections the new {(kind == "password changed" ? "password" : "TOTP secret")} at {at:MM-dd HH:mm}";
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "keyvault slow answers":
            {
                // Real latency: the fake clock moves on while the engine waits (the pump), so leases, retries and the
                // consumer's reads all see a slow vault.
                var (name, vault) = PickVault();
                var count = _random.Next(2, 11);
                var latency = TimeSpan.FromMilliseconds(_random.Next(200, 1001));
                vault.Faults.AddLatency(latency, count);
                detail = $"the next {count} answers of the {name} vault take {latency.TotalMilliseconds:0} ms each";
                _causes.Add(new Cause($"{kind} ({name})", null, null, now, person: false) { Until = now + TransientWindow });
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            case "sandbox refresh":
            {
                if (!_sandboxRefreshed.Add(account))
                {
                    // Once per account and run: the fault draws nothing this step.
                    return;
                }

                // Every TBA token, OAuth 2.0 token and certificate mapping of the account is wiped. A person acts 1 to 6
                // hours later: rotate-now --force for TBA (issuetoken still works: users and roles stay), consent again
                // for authorization code. A client-credentials connection has no service path to a re-mapped
                // certificate's new id (only delete and import), so its cause stays open for the rest of the run.
                _world.Simulator.State.RefreshSandbox(account);
                var at = now + TimeSpan.FromMinutes(_random.Next(60, 361));
                foreach (var hit in _connections.Where(c => c.Account == account))
                {
                    var cause = new Cause(kind, hit.Name, account, now, person: true);
                    _causes.Add(cause);
                    if (hit.Kind == ConnectionKind.Tba)
                    {
                        ScheduleRotateNow(hit, cause, at, 48);
                    }
                    else if (hit.Kind == ConnectionKind.OAuth2AuthorizationCode)
                    {
                        Schedule(at, $"a person consents again for {hit.Name} after the sandbox refresh", () =>
                        {
                            cause.FixedAt = Now;
                            return Task.CompletedTask;
                        });
                    }
                }

                detail = $"{account} refreshed from production: its tokens and certificate mappings are gone; people act at {at:MM-dd HH:mm}";
                Count(kind);
                Note($"fault: {kind}: {detail}");
                return;
            }

            default:
                throw new InvalidOperationException(kind);
        }

        // NetSuite faults hit the account's connections for a while (retries, backoff).
        _causes.Add(new Cause(kind, null, account, now, person: false) { Until = now + TransientWindow });
        Count(kind);
        Note($"fault: {kind}: {detail}");
    }

    /// <summary>
    /// A public client's refresh answer that never reached the state: the connection rightly asks for a new consent,
    /// and a person gives it when asked.
    /// </summary>
    private void SingleUseAnswerLost(string kind, string account)
    {
        foreach (var connection in _connections.Where(c => c.PublicClient && c.Account == account))
        {
            _causes.Add(new Cause(kind, connection.Name, account, Now, person: true) { FixedAt = Now, Lazy = true });
        }
    }

    private readonly HashSet<string> _revokedBySoak = new(StringComparer.Ordinal);

    /// <summary>A person asks for rotate-now --force, and again an hour later while it does not succeed (a paused connection refuses it).</summary>
    private void ScheduleRotateNow(SoakConnection target, Cause cause, DateTimeOffset at, int triesLeft) =>
        Schedule(at, $"a person asks for rotate-now --force of {target.Name}", async () =>
        {
            cause.FixedAt ??= Now;
            if (_world.Peek(target.Name)?.Credentials.Previous?.Id is { } previous)
            {
                // --force revokes the previous token first: the person chose to end its grace.
                _revokedBySoak.Add(previous);
            }

            var outcome = await _world.Processor.RunAsync(ConnectionName.Parse(target.Name), RotateNowRequest with { Force = true }).ConfigureAwait(false);
            Note($"{target.Name}: rotate-now --force after its token was revoked: {outcome.Kind} {Shorten(outcome.Message)}");
            if (outcome.Kind != OutcomeKind.Succeeded && triesLeft > 1)
            {
                ScheduleRotateNow(target, cause, Now + TimeSpan.FromHours(1), triesLeft - 1);
            }
        });

    private readonly HashSet<string> _sandboxRefreshed = new(StringComparer.Ordinal);

    /// <summary>
    /// A person gives a TBA connection its user's new password or TOTP secret (<c>nstoken update</c>), then, where the
    /// connection waits for a person, proves it with rotate-now (<c>nstoken rotate</c>), as the runbook says. Busy or
    /// refused attempts are tried again later.
    /// </summary>
    private void ScheduleCredentialUpdate(SoakConnection target, Cause cause, bool password, DateTimeOffset at, int triesLeft) =>
        Schedule(at, $"a person gives {target.Name} the new {(password ? "password" : "TOTP secret")} (nstoken update)", async () =>
        {
            var user = _world.Simulator.State.GetUser(target.Account, target.User!.Email);
            var changes = password ? new CredentialChanges { Password = user.Password } : new CredentialChanges { TotpSecret = user.TotpSecret };
            var outcome = await _world.Updater.UpdateAsync(ConnectionName.Parse(target.Name), changes, dryRun: false).ConfigureAwait(false);
            Note($"update {target.Name}: {outcome.Kind} {Shorten(outcome.Message)}");
            if (outcome.Kind is not (OutcomeKind.Succeeded or OutcomeKind.NothingToDo))
            {
                if (triesLeft > 1)
                {
                    ScheduleCredentialUpdate(target, cause, password, Now + TimeSpan.FromMinutes(30), triesLeft - 1);
                }

                return;
            }

            lock (_trail)
            {
                Count("person: credential update");
            }

            cause.FixedAt ??= Now;
            if (_world.Peek(target.Name)?.Status == ConnectionStatus.NeedsPerson)
            {
                ScheduleProof(target, Now, triesLeft);
            }
        });

    /// <summary>rotate-now after a credential update, again an hour later while it does not succeed.</summary>
    private void ScheduleProof(SoakConnection target, DateTimeOffset at, int triesLeft) =>
        Schedule(at, $"a person proves {target.Name}'s new credentials (rotate-now)", async () =>
        {
            var outcome = await _world.Processor.RunAsync(ConnectionName.Parse(target.Name), RotateNowRequest).ConfigureAwait(false);
            Note($"{target.Name}: rotate-now after the update: {outcome.Kind} {Shorten(outcome.Message)}");
            if (outcome.Kind != OutcomeKind.Succeeded && triesLeft > 1 && _world.Peek(target.Name)?.Status == ConnectionStatus.NeedsPerson)
            {
                ScheduleProof(target, Now + TimeSpan.FromHours(1), triesLeft - 1);
            }
        });

    private readonly HashSet<string> _orphansSeen = new(StringComparer.Ordinal);

    /// <summary>
    /// A person deals with every possible orphan a connection records, 1 to 24 hours after it appears: revokes it in
    /// NetSuite where NetSuite holds it (never a credential the connection holds), then acknowledges it
    /// (<c>nstoken orphans ack</c>).
    /// </summary>
    private void NoticeOrphans(Dictionary<string, ConnectionDocument> docs)
    {
        foreach (var connection in _connections)
        {
            if (!docs.TryGetValue(connection.Name, out var doc))
            {
                continue;
            }

            foreach (var orphan in doc.PossibleOrphans)
            {
                var id = PossibleOrphan.IdOf(orphan);
                if (_orphansSeen.Add(connection.Name + "/" + id))
                {
                    ScheduleOrphanAck(connection, orphan.TokenName, id, Now + TimeSpan.FromMinutes(_random.Next(60, 1441)), 24);
                }
            }
        }
    }

    private void ScheduleOrphanAck(SoakConnection target, string tokenName, string id, DateTimeOffset at, int triesLeft) =>
        Schedule(at, $"a person revokes possible orphan {id} of {target.Name} in NetSuite and acknowledges it", async () =>
        {
            var revoked = RevokeOrphanInNetSuite(target, tokenName);
            var outcome = await _world.Orphans.AcknowledgeAsync(ConnectionName.Parse(target.Name), id, "soak-person", $"revoked {revoked} in NetSuite", dryRun: false).ConfigureAwait(false);
            Note($"orphans ack {target.Name} {id}: {outcome.Kind} {Shorten(outcome.Message)}");
            if (outcome.Kind == OutcomeKind.Succeeded)
            {
                lock (_trail)
                {
                    Count("person: orphan revoked and acknowledged");
                }
            }
            else if (outcome.Kind != OutcomeKind.Refused && triesLeft > 1)
            {
                ScheduleOrphanAck(target, tokenName, id, Now + TimeSpan.FromMinutes(30), triesLeft - 1);
            }
        });

    /// <summary>What the person revokes in NetSuite for a possible orphan's name; how many credentials.</summary>
    private int RevokeOrphanInNetSuite(SoakConnection target, string tokenName)
    {
        var simulator = _world.Simulator.State;
        var doc = _world.Peek(target.Name);
        var held = new[] { doc?.Credentials.Current, doc?.Credentials.Pending, doc?.Credentials.Previous }
            .Where(c => c is not null).Select(c => c!.Id).ToHashSet(StringComparer.Ordinal);
        var revoked = 0;
        switch (target.Kind)
        {
            case ConnectionKind.Tba:
                foreach (var token in simulator.ActiveTbaTokens(target.Account).Where(t => t.Name == tokenName && t.ConsumerKey == target.Integration.ConsumerKey))
                {
                    if (held.Contains(token.TokenId))
                    {
                        Note($"possible orphan '{tokenName}' of {target.Name} is a token the connection holds: not revoked");
                        continue;
                    }

                    _revokedBySoak.Add(token.TokenId);
                    revoked += simulator.RevokeTbaToken(target.Account, token.TokenId) ? 1 : 0;
                }

                break;
            case ConnectionKind.OAuth2ClientCredentials:
                foreach (var certificate in simulator.Certificates(target.Account, target.Integration.ClientId).Where(c => !c.Revoked && !held.Contains(c.CertificateId)))
                {
                    using var x509 = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(certificate.CertificatePem);
                    if (x509.Subject.Contains(tokenName, StringComparison.Ordinal))
                    {
                        revoked += simulator.RevokeCertificate(target.Account, certificate.CertificateId) ? 1 : 0;
                    }
                }

                break;
            default:
                // A refresh token's jti, or "OAuth 2.0 refresh token <jti> of account ..." for a replaced grant.
                const string Replaced = "OAuth 2.0 refresh token ";
                var jti = tokenName.StartsWith(Replaced, StringComparison.Ordinal) ? tokenName[Replaced.Length..].Split(' ')[0] : tokenName;
                if (Jti(doc?.OAuth2?.RefreshToken) != jti)
                {
                    revoked += simulator.RevokeOAuth2ChainOf(target.Account, jti);
                }

                break;
        }

        return revoked;
    }

    private static readonly RunRequest RotateNowRequest = new() { Now = true, Rotate = true, StartRotations = true, Trigger = "rotate-now" };

    private (string Name, KeyVaultTestServer Vault) PickVault() =>
        _random.Next(2) == 0 ? ("state", _world.StateVault) : ("consumer", _world.ConsumerVault);

    private void Schedule(DateTimeOffset at, string what, Func<Task> action) => _scheduled.Add(new ScheduledAction(at, what, action));

    private async Task RunScheduledAsync(List<Func<Task>> people)
    {
        var due = _scheduled.Where(s => s.At <= Now).ToList();
        foreach (var action in due)
        {
            _scheduled.Remove(action);
            Note($"person: {action.What}");
            people.Add(() => GuardAsync(action.What, action.Action));
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>rotate-now, pause (resumed 1 to 8 hours later), rollback during grace.</summary>
    private void DrawPeopleActions(int stepsPerDay, List<Func<Task>> people)
    {
        if (_random.NextDouble() >= _settings.PeoplePerDay / stepsPerDay)
        {
            return;
        }

        var now = Now;
        switch (_random.Next(3))
        {
            case 0:
            {
                var connection = Pick(_connections.Where(c => c.Kind != ConnectionKind.OAuth2AuthorizationCode).ToList());
                Count("person: rotate-now");
                Note($"person: rotate-now {connection.Name}");
                people.Add(() => GuardAsync("rotate-now", async () =>
                {
                    var outcome = await _world.Processor.RunAsync(ConnectionName.Parse(connection.Name), RotateNowRequest).ConfigureAwait(false);
                    Note($"rotate-now {connection.Name}: {outcome.Kind} {Shorten(outcome.Message)}");
                    Observe(outcome);
                }));
                break;
            }

            case 1:
            {
                var connection = Pick(_connections);
                if (_causes.Any(c => !c.Closed && c.Kind == "paused" && c.Connection == connection.Name))
                {
                    return;
                }

                Count("person: pause and resume");
                var cause = new Cause("paused", connection.Name, connection.Account, now, person: true);
                _causes.Add(cause);
                var resumeAt = now + TimeSpan.FromMinutes(_random.Next(60, 481));
                Note($"person: pause {connection.Name} until {resumeAt:MM-dd HH:mm}");
                people.Add(() => GuardAsync("pause", async () =>
                {
                    var outcome = await _world.Lifecycle.PauseAsync(ConnectionName.Parse(connection.Name), dryRun: false).ConfigureAwait(false);
                    Note($"pause {connection.Name}: {outcome.Kind} {Shorten(outcome.Message)}");
                }));
                Schedule(resumeAt, $"resume {connection.Name}", async () =>
                {
                    var outcome = await _world.Lifecycle.ResumeAsync(ConnectionName.Parse(connection.Name), dryRun: false).ConfigureAwait(false);
                    Note($"resume {connection.Name}: {outcome.Kind} {Shorten(outcome.Message)}");
                    if (outcome.Kind is OutcomeKind.Succeeded or OutcomeKind.NothingToDo)
                    {
                        cause.FixedAt = Now;
                    }
                    else
                    {
                        // Try again at the next tick, as a person would.
                        Schedule(Now, $"resume {connection.Name} again", () => Task.CompletedTask);
                        cause.FixedAt = Now;
                    }
                });
                break;
            }

            default:
            {
                var connection = Pick(_connections.Where(c => c.Kind == ConnectionKind.Tba).ToList());
                people.Add(() => GuardAsync("rollback", async () =>
                {
                    var doc = _world.Peek(connection.Name);
                    if (doc?.Credentials.Previous is null || doc.Paused)
                    {
                        return;
                    }

                    lock (_trail)
                    {
                        Count("person: rollback in grace");
                    }

                    var outcome = await _world.Lifecycle.RollbackAsync(ConnectionName.Parse(connection.Name), dryRun: false).ConfigureAwait(false);
                    Note($"person: rollback {connection.Name}: {outcome.Kind} {Shorten(outcome.Message)}");
                }));
                break;
            }
        }
    }

    /// <summary>A person consents again when a connection asks and the soak caused it (or the chain's end, which is by design).</summary>
    private async Task ConsentWhereAskedAsync()
    {
        foreach (var connection in _connections.Where(c => c.Kind == ConnectionKind.OAuth2AuthorizationCode))
        {
            var doc = _world.Peek(connection.Name);
            if (doc?.Status != ConnectionStatus.NeedsPerson)
            {
                continue;
            }

            var cause = OpenCause(connection.Name, person: true);
            var chainEnd = ChainEndCause(doc);
            if (chainEnd is null && (cause is null || cause.FixedAt is null || cause.Kind == "paused"))
            {
                continue;
            }

            await GuardAsync($"consent again for {connection.Name}", async () =>
            {
                // A vault refusing the callback's reads (an injected 429 or 503) fails this consent; the person tries
                // again at the next step, while the connection still asks.
                var outcome = await ConsentAsync(connection).ConfigureAwait(false);
                Note($"person: consent again for {connection.Name} ({chainEnd ?? cause!.Kind}): {outcome.Kind} {Shorten(outcome.Message)}");
            }).ConfigureAwait(false);

            await RestartIfCrashedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An end the design asks a person about ahead of time: a confidential client's refresh token (the integration's
    /// seven days) or a public client's chain (its Maximum Time For Token Rotation). The person consents when warned.
    /// </summary>
    private string? ChainEndCause(ConnectionDocument doc)
    {
        if (doc.OAuth2 is { } oauth && TokenRotation.Kinds.AuthorizationCode.AuthorizationCodeKind.WarnedEnd(oauth) is { } end && end - Now <= TimeSpan.FromDays(3))
        {
            return oauth.IsPublicClient ? "the public client's chain ends (by design)" : "the confidential client's refresh token ends (by design)";
        }

        return null;
    }
}
