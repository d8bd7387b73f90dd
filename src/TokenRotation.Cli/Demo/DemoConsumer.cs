using NetSuite.Auth.KeyVault;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Demo;

/// <summary>
/// A system that calls NetSuite's REST record endpoint through NetSuite.Auth.KeyVault, one client per connection, as a
/// consumer would in Azure; only the reader differs (the demo's consumer-vault folder instead of Key Vault).
/// </summary>
internal sealed class DemoConsumer : IDisposable
{
    private readonly List<Lane> _lanes;
    private readonly string _recordUrl;
    private readonly List<string> _failures = [];

    public DemoConsumer(FileSecretFolder consumerVault, TimeProvider clock, string recordUrl, IEnumerable<string> connections)
    {
        _recordUrl = recordUrl;
        var reader = new FolderCredentialReader(consumerVault);
        _lanes = connections.Select(connection =>
        {
            var source = new NetSuiteCredentialSource(reader, new NetSuiteCredentialOptions { ConnectionName = connection, TimeProvider = clock });
            var client = new HttpClient(new NetSuiteCredentialHandler(source, clock) { InnerHandler = new SocketsHttpHandler() });
            return new Lane(connection, source, client);
        }).ToList();
    }

    public int Calls { get; private set; }

    public int Failed { get; private set; }

    public long Reads => _lanes.Sum(l => l.Source.Reads);

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>One call per connection; returns what the consumer read that it had not read before (never a secret).</summary>
    public async Task<IReadOnlyList<ConsumerRead>> CallAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var reads = new List<ConsumerRead>();
        foreach (var lane in _lanes)
        {
            Calls++;
            try
            {
                using var response = await lane.Client.GetAsync(_recordUrl, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    Fail($"{lane.Connection} at {now:u}: NetSuite answered {(int)response.StatusCode}");
                    continue;
                }
            }
            catch (Exception ex) when (ex is NetSuiteCredentialException or HttpRequestException)
            {
                Fail($"{lane.Connection} at {now:u}: {ex.Message}");
                continue;
            }

            // The credential the call used is cached and fresh: this does not read again.
            var used = await lane.Source.GetAsync(cancellationToken).ConfigureAwait(false);
            if (used.Version != lane.LastVersion)
            {
                lane.LastVersion = used.Version;
                reads.Add(new ConsumerRead(lane.Connection, used, now));
            }
        }

        return reads;
    }

    public void Dispose()
    {
        foreach (var lane in _lanes)
        {
            lane.Client.Dispose();
        }
    }

    private void Fail(string what)
    {
        Failed++;
        _failures.Add(what);
    }

    /// <summary>What a read gave, as the demo may print it: kind, version and token id prefix or expiry, never a secret.</summary>
    public sealed record ConsumerRead(string Connection, ConsumerCredential Credential, DateTimeOffset At)
    {
        public string Describe() => Credential.Kind == ConsumerCredentialKind.Tba
            ? $"{Connection}: TBA set version {Credential.Version[..8]}…, token {Credential.Tba!.TokenId[..8]}…"
            : $"{Connection}: access token version {Credential.Version[..8]}…, expires {Credential.ExpiresOn:u}";
    }

    private sealed class Lane(string connection, NetSuiteCredentialSource source, HttpClient client)
    {
        public string Connection { get; } = connection;

        public NetSuiteCredentialSource Source { get; } = source;

        public HttpClient Client { get; } = client;

        public string? LastVersion { get; set; }
    }
}
