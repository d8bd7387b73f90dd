using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;

namespace KeyVault.TestServer.Tests;

public sealed class HostProcessTests
{
    [Fact]
    public async Task The_host_process_serves_a_vault_that_a_client_trusting_its_written_certificate_can_use()
    {
        var certFile = Path.Combine(Path.GetTempPath(), $"kv-test-{Guid.NewGuid():N}.pem");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "kv-test-server.dll"), "--cert-out", certFile, "--write-budget", "5" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The host did not start.");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.NotNull(line);
            Assert.StartsWith("VaultUri=", line, StringComparison.Ordinal);
            var vaultUri = new Uri(line["VaultUri=".Length..]);
            using var trusted = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certFile, timeout.Token));
            var expected = trusted.RawData;
            using var handler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetRawCertData().AsSpan().SequenceEqual(expected),
                },
            };
            using var http = new HttpClient(handler, disposeHandler: false);
            var client = new SecretClient(vaultUri, new KeyVaultTestCredential(), new SecretClientOptions
            {
                DisableChallengeResourceVerification = true,
                Transport = new HttpClientTransport(http),
            });

            await client.SetSecretAsync("bench", "v", timeout.Token);
            var got = await client.GetSecretAsync("bench", cancellationToken: timeout.Token);
            var counters = await http.GetFromJsonAsync<KeyVaultCounterSnapshot>(new Uri(vaultUri, "_testserver/counters"), timeout.Token);

            Assert.Equal("v", got.Value.Value);
            Assert.NotNull(counters);
            Assert.Equal((1L, 1L), (counters.Writes, counters.Reads));

            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            File.Delete(certFile);
        }
    }
}
