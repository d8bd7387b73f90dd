using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Testing.Shared;

/// <summary>
/// The Azurite instance of this test run. scripts/test.sh starts one instance for the whole run and
/// passes its ports in NSTOKEN_TEST_AZURITE_*_PORT; when they are absent (a single project run from an
/// IDE) the first caller starts Azurite from tools/azurite on free ports and the process stops exactly
/// that instance on exit.
/// </summary>
public sealed class Azurite
{
    // Azurite's documented, public development account; not a secret.
    private const string AccountName = "devstoreaccount1";
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> Shared = new(StartOrAttachAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private Azurite(int blobPort, int queuePort, int tablePort)
    {
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={DevelopmentKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/{AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/{AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/{AccountName};";
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    /// <summary>Connection string for the Azure SDK clients.</summary>
    public string ConnectionString { get; }

    /// <summary>The shared instance, started on first use.</summary>
    public static Task<Azurite> GetAsync() => Shared.Value;

    public BlobServiceClient CreateBlobServiceClient() => new(ConnectionString);
    public QueueServiceClient CreateQueueServiceClient() => new(ConnectionString);
    public TableServiceClient CreateTableServiceClient() => new(ConnectionString);

    /// <summary>A name unique to the calling test, valid for containers, queues and (without dashes) tables.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();

    private static async Task<Azurite> StartOrAttachAsync()
    {
        var blob = Environment.GetEnvironmentVariable("NSTOKEN_TEST_AZURITE_BLOB_PORT");
        var queue = Environment.GetEnvironmentVariable("NSTOKEN_TEST_AZURITE_QUEUE_PORT");
        var table = Environment.GetEnvironmentVariable("NSTOKEN_TEST_AZURITE_TABLE_PORT");
        if (int.TryParse(blob, out var b) && int.TryParse(queue, out var q) && int.TryParse(table, out var t))
        {
            return new Azurite(b, q, t);
        }

        return await StartOwnAsync().ConfigureAwait(false);
    }

    private static async Task<Azurite> StartOwnAsync()
    {
        var root = RepositoryRoot.Find();
        var executable = Path.Combine(root, "tools", "azurite", "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {executable}. Run `npm ci --prefix tools/azurite` once, or run the tests with `bash scripts/test.sh`.");
        }

        var ports = new[] { FreePort(), FreePort(), FreePort() };
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
            }
        };

        foreach (var port in ports)
        {
            await WaitForPortAsync(port, process).ConfigureAwait(false);
        }

        return new Azurite(ports[0], ports[1], ports[2]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} during start-up.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"Azurite did not listen on port {port} within 30 seconds.");
    }
}
