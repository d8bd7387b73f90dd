using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetSuite.Auth.KeyVault;
using NetSuiteConsumer;

// Calls one NetSuite URL every few seconds with the credential the token-rotation service publishes; see README.md.
const string usage = """
    usage: NetSuiteConsumer --vault URI --connection NAME --url NETSUITE_URL [--calls N] [--every SECONDS] [--test-server-cert PEM]
      --vault              the consumer vault (https://<name>.vault.azure.net/)
      --connection         the connection's name in the service; the secret read is netsuite-<name>
      --url                what to GET, e.g. https://<account>.suitetalk.api.netsuite.com/services/rest/record/v1/employee/-5
      --calls, --every     how many calls (default 10) and the pause between them (default 5 s)
      --test-server-cert   only for the repository's Key Vault test server: its TLS certificate (PEM)
    """;

var values = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"'{args[i]}' is not an option with a value.\n{usage}");
        return 2;
    }

    values[args[i][2..]] = args[++i];
}

if (!values.TryGetValue("vault", out var vault) || !Uri.TryCreate(vault, UriKind.Absolute, out var vaultUri)
    || !values.TryGetValue("connection", out var connection)
    || !values.TryGetValue("url", out var urlText) || !Uri.TryCreate(urlText, UriKind.Absolute, out var url))
{
    Console.Error.WriteLine($"--vault and --url must be absolute URIs, and --connection is required.\n{usage}");
    return 2;
}

var calls = int.Parse(values.GetValueOrDefault("calls", "10"), CultureInfo.InvariantCulture);
var every = TimeSpan.FromSeconds(double.Parse(values.GetValueOrDefault("every", "5"), CultureInfo.InvariantCulture));

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
var http = builder.Services.AddHttpClient<NetSuiteRecordClient>();
if (values.TryGetValue("test-server-cert", out var pem))
{
    http.AddNetSuiteCredential(vaultUri, connection, new LocalTestVault.PlaceholderCredential(), o => o.SecretClientOptions = LocalTestVault.ClientOptions(pem));
}
else
{
    // DefaultAzureCredential: a managed identity in Azure, the developer's `az login` on a workstation.
    http.AddNetSuiteCredential(vaultUri, connection);
}

using var host = builder.Build();
var client = host.Services.GetRequiredService<NetSuiteRecordClient>();
var failed = 0;
for (var n = 1; n <= calls; n++)
{
    try
    {
        var (status, body) = await client.GetAsync(url, CancellationToken.None);
        failed += status is >= 200 and < 300 ? 0 : 1;
        Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} call {n}: {status} {body}");
    }
    catch (NetSuiteCredentialException ex)
    {
        failed++;
        Console.Error.WriteLine($"call {n}: no credential: {ex.Message}");
    }

    if (n < calls)
    {
        await Task.Delay(every);
    }
}

Console.WriteLine($"{calls - failed} of {calls} calls succeeded.");
return failed == 0 ? 0 : 1;
