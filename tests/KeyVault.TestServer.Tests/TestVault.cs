using Microsoft.Extensions.Time.Testing;

namespace KeyVault.TestServer.Tests;

internal static class TestVault
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static async Task<(KeyVaultTestServer Server, FakeTimeProvider Time)> StartAsync(Action<KeyVaultTestServerOptions>? configure = null)
    {
        var time = new FakeTimeProvider(Start);
        var options = new KeyVaultTestServerOptions { TimeProvider = time };
        configure?.Invoke(options);
        return (await KeyVaultTestServer.StartAsync(options), time);
    }

    public static string Name(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 127)];
}
