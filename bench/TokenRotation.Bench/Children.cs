using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Security;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TokenRotation.Bench;

/// <summary>A child process started with <c>dotnet DLL ...</c>; stopped by its own id at dispose.</summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = new();

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static ChildProcess Start(string dll, params string[] args)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built. Build the bench first: dotnet build -c Release bench/TokenRotation.Bench (it builds the simulator and the Key Vault test server host too).", dll);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start dotnet {dll}.");
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child._lines.Write(e.Data);
        process.ErrorDataReceived += (_, e) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for a stdout line matching <paramref name="pattern"/>; returns its first group.</summary>
    public async Task<string> WaitForAsync(Regex pattern, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            var line = await _lines.ReadAsync(cancel.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Process {_process.Id} ended before printing {pattern}.");
            if (pattern.Match(line) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }
    }

    public async Task<string> CommandAsync(string command, TimeSpan timeout)
    {
        await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        return await WaitForAsync(AnswerPattern(), timeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    [GeneratedRegex("^((?:ok|error).*)$")]
    private static partial Regex AnswerPattern();

    /// <summary>A tiny unbounded queue of lines (null = end of output).</summary>
    private sealed class Channel<T>
        where T : class
    {
        private readonly System.Threading.Channels.Channel<T?> _inner = System.Threading.Channels.Channel.CreateUnbounded<T?>();
        private bool _ended;

        public void Write(T? item)
        {
            if (!_ended)
            {
                _ended = item is null;
                _inner.Writer.TryWrite(item);
            }
        }

        public ValueTask<T?> ReadAsync(CancellationToken cancellationToken) => _inner.Reader.ReadAsync(cancellationToken);
    }
}

/// <summary>Where the built child programs are.</summary>
public static class ChildPrograms
{
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Functions.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Configuration =>
        typeof(ChildPrograms).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string Simulator => Path.Combine(RepositoryRoot(), "src", "NetSuite.Simulator", "bin", Configuration, "net10.0", "NetSuite.Simulator.dll");

    public static string KeyVaultHost => Path.Combine(RepositoryRoot(), "tests", "KeyVault.TestServer.Host", "bin", Configuration, "net10.0", "kv-test-server.dll");
}

/// <summary>The NetSuite simulator in its own process, driven through its admin API.</summary>
public sealed partial class SimulatorProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;

    private SimulatorProcess(ChildProcess child, string baseUrl)
    {
        _child = child;
        BaseUrl = baseUrl;
        Admin = new HttpClient { BaseAddress = new Uri(baseUrl + "/_admin/"), Timeout = TimeSpan.FromMinutes(10) };
    }

    public string BaseUrl { get; }

    public HttpClient Admin { get; }

    public int ProcessId => _child.Id;

    public string SuiteTalkTemplate => BaseUrl + "/{account}/suitetalk";

    public string RestletsTemplate => BaseUrl + "/{account}/restlets";

    public string AppTemplate => BaseUrl + "/{account}/app";

    public static async Task<SimulatorProcess> StartAsync()
    {
        var child = ChildProcess.Start(ChildPrograms.Simulator, "--port", "0");
        try
        {
            var url = await child.WaitForAsync(ListeningPattern(), TimeSpan.FromMinutes(2)).ConfigureAwait(false);
            return new SimulatorProcess(child, url);
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<IReadOnlyList<SeededConnection>> SeedAsync(object spec)
    {
        using var response = await Admin.PostAsJsonAsync("seed/bulk", spec).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<SeedResult>(Json).ConfigureAwait(false)
            ?? throw new InvalidDataException("The simulator's seed answer was empty.");
        return result.Seeded;
    }

    public async Task SetLatencyAsync(int milliseconds)
    {
        (await Admin.DeleteAsync("faults").ConfigureAwait(false)).EnsureSuccessStatusCode();
        if (milliseconds > 0)
        {
            (await Admin.PostAsJsonAsync("faults", new { endpoint = "Any", latencyMs = milliseconds }).ConfigureAwait(false)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>Maps a certificate (PEM) to a client's user and role, as an administrator does in NetSuite; returns its certificate id.</summary>
    public async Task<string> MapCertificateAsync(string account, string clientId, string email, int roleId, string certificatePem)
    {
        using var response = await Admin.PostAsJsonAsync($"accounts/{Uri.EscapeDataString(account)}/certificates", new { clientId, email, roleId, certificatePem }).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var view = await response.Content.ReadFromJsonAsync<JsonElement>(Json).ConfigureAwait(false);
        return view.GetProperty("certificateId").GetString() ?? throw new InvalidDataException("The simulator mapped a certificate without an id.");
    }

    public async Task ResetConcurrencyAsync() => (await Admin.PostAsync("concurrency/reset", null).ConfigureAwait(false)).EnsureSuccessStatusCode();

    public async Task<IReadOnlyList<AccountConcurrency>> ConcurrencyAsync() =>
        await Admin.GetFromJsonAsync<List<AccountConcurrency>>("concurrency", Json).ConfigureAwait(false) ?? [];

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _child.DisposeAsync().ConfigureAwait(false);
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [GeneratedRegex("listening on (http://[^ ]+)")]
    private static partial Regex ListeningPattern();

    private sealed record SeedResult(int Accounts, int Connections, List<SeededConnection> Seeded);
}

/// <summary>One connection the simulator seeded (its JSON), with the credentials the engine needs.</summary>
public sealed record SeededConnection(
    string Kind, string Account, string ClientId, string? ClientSecret, string Email, string Password, string TotpSecret,
    int EntityId, int RoleId, string? TokenId, string? TokenSecret, string? RefreshToken, string? CertificateId, string? PrivateKeyPem)
{
    public override string ToString() => $"{Kind} {Account} {Email}";
}

/// <summary>The simulator's per-account concurrency figures.</summary>
public sealed record AccountConcurrency(string Account, int Limit, int InFlight, int MaxSeen, int MaxAdmitted, long Admitted, long Rejected);

/// <summary>A Key Vault test server (one vault) in its own process.</summary>
public sealed partial class VaultProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;
    private readonly HttpClient _http;

    private VaultProcess(ChildProcess child, Uri vaultUri, byte[] certificate)
    {
        _child = child;
        VaultUri = vaultUri;
        Certificate = certificate;
        _http = new HttpClient(CreateHandler(), disposeHandler: true) { BaseAddress = vaultUri };
    }

    public Uri VaultUri { get; }

    public byte[] Certificate { get; }

    public int ProcessId => _child.Id;

    public static async Task<VaultProcess> StartAsync(string certificateFile)
    {
        // Start with the budgets off for seeding; "budgets" turns them on before measuring.
        var child = ChildProcess.Start(ChildPrograms.KeyVaultHost, "--port", "0", "--read-budget", "1000000", "--write-budget", "1000000",
            "--retry-after-ms", "window", "--no-request-log", "--cert-out", certificateFile);
        try
        {
            var uri = await child.WaitForAsync(VaultUriPattern(), TimeSpan.FromMinutes(2)).ConfigureAwait(false);
            var pem = await File.ReadAllTextAsync(certificateFile).ConfigureAwait(false);
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return new VaultProcess(child, new Uri(uri), certificate.RawData);
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A handler that trusts only this vault's certificate.</summary>
    public HttpMessageHandler CreateHandler()
    {
        var expected = Certificate;
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected),
            },
            PooledConnectionLifetime = TimeSpan.FromMinutes(30),
        };
    }

    public Task<string> SetBudgetsAsync(int reads, int writes) => _child.CommandAsync($"budgets {reads} {writes}", TimeSpan.FromSeconds(30));

    public Task<string> SetLatencyAsync(int milliseconds) => _child.CommandAsync($"latency {milliseconds}", TimeSpan.FromSeconds(30));

    public async Task<VaultCounters> CountersAsync() =>
        await _http.GetFromJsonAsync<VaultCounters>("_testserver/counters", SimulatorProcess.Json).ConfigureAwait(false)
        ?? throw new InvalidDataException("No counters.");

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _child.DisposeAsync().ConfigureAwait(false);
    }

    [GeneratedRegex("^VaultUri=(.+)$")]
    private static partial Regex VaultUriPattern();
}

/// <summary>The Key Vault test server's totals (processed 2xx requests, and 429s).</summary>
public sealed record VaultCounters(
    long TotalRequests, long Challenges, long Reads, long ListPages, long Writes, long PropertyUpdates, long Deletes, long Recovers,
    long Purges, long CertificateCreates, long Signs, long ThrottledReads, long ThrottledWrites, long InjectedFaults)
{
    /// <summary>Everything the write budget counts.</summary>
    public long AllWrites => Writes + PropertyUpdates + Deletes + Recovers + Purges + CertificateCreates;

    public static VaultCounters operator -(VaultCounters a, VaultCounters b) => new(
        a.TotalRequests - b.TotalRequests, a.Challenges - b.Challenges, a.Reads - b.Reads, a.ListPages - b.ListPages, a.Writes - b.Writes,
        a.PropertyUpdates - b.PropertyUpdates, a.Deletes - b.Deletes, a.Recovers - b.Recovers, a.Purges - b.Purges,
        a.CertificateCreates - b.CertificateCreates, a.Signs - b.Signs, a.ThrottledReads - b.ThrottledReads, a.ThrottledWrites - b.ThrottledWrites,
        a.InjectedFaults - b.InjectedFaults);
}

/// <summary>
/// Azurite (tools/azurite, the version the tests pin) in its own process on free loopback ports, in memory: the
/// connection index table, and the blob leases of the <c>--azurite</c> rows. Stopped by its own process id at dispose.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's documented development account; not a secret.
    private const string AccountName = "devstoreaccount1";
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? _process;

    private AzuriteProcess(Process? process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={DevelopmentKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";
    }

    public string ConnectionString { get; }

    /// <summary>
    /// Attaches to the Azurite of a test run (scripts/test.sh passes its ports in NSTOKEN_TEST_AZURITE_*_PORT), or starts
    /// one of its own.
    /// </summary>
    public static async Task<AzuriteProcess> StartAsync()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("NSTOKEN_TEST_AZURITE_BLOB_PORT"), out var blob)
            && int.TryParse(Environment.GetEnvironmentVariable("NSTOKEN_TEST_AZURITE_QUEUE_PORT"), out var queue)
            && int.TryParse(Environment.GetEnvironmentVariable("NSTOKEN_TEST_AZURITE_TABLE_PORT"), out var table))
        {
            return new AzuriteProcess(null, blob, queue, table);
        }

        var executable = Path.Combine(ChildPrograms.RepositoryRoot(), "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException($"Azurite is not installed at {executable}: run `npm ci --prefix tools/azurite` once.", executable);
        }

        int[] ports = [FreePort(), FreePort(), FreePort()];
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "--blobHost", "127.0.0.1", "--blobPort", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--silent",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, ports[0], ports[1], ports[2]);
        try
        {
            foreach (var port in ports)
            {
                await WaitForPortAsync(port, process).ConfigureAwait(false);
            }

            return azurite;
        }
        catch
        {
            await azurite.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return; // the test run's Azurite: its owner stops it
        }

        try
        {
            if (!_process.HasExited)
            {
                // The npm shim starts node as a child: stop that tree, which is this process and what it started.
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening on {port}.");
            }

            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port).ConfigureAwait(false);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"Azurite did not listen on port {port} within three minutes.");
    }
}
