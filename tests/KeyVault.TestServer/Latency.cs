namespace KeyVault.TestServer;

/// <summary>Latency added before matching requests, for <see cref="Remaining"/> more of them (<see cref="int.MaxValue"/>: always).</summary>
internal sealed class Latency(TimeSpan delay, KeyVaultOperation? operation)
{
    public TimeSpan Delay { get; } = delay;

    public KeyVaultOperation? Operation { get; } = operation;

    public int Remaining { get; set; }
}
