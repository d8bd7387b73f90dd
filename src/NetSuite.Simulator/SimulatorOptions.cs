using System.Security.Cryptography;

namespace NetSuite.Simulator;

/// <summary>Options for <see cref="NetSuiteSimulator.StartAsync"/>.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The clock for every expiry, timestamp and lock (FakeTimeProvider in tests). Injected latencies use wall time.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Loopback port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Initial modes (copied).</summary>
    public SimulatorModes Modes { get; set; } = new();

    /// <summary>Serve the JSON admin API under <c>/_admin/</c>.</summary>
    public bool EnableAdminApi { get; set; } = true;

    /// <summary>Kestrel and ASP.NET Core logging to the console (off by default: it costs throughput).</summary>
    public bool EnableLogging { get; set; }

    /// <summary>Seed the sample account <c>1234567_SB1</c> (what <c>dotnet run</c> does).</summary>
    public bool SeedSampleAccount { get; set; }

    /// <summary>Login Audit Trail entries kept (oldest dropped first).</summary>
    public int AuditTrailCapacity { get; set; } = 100_000;

    /// <summary>RSA key that signs access and refresh tokens; null uses a process-wide 2048-bit key (made once, to keep test start-up fast).</summary>
    public RSA? SigningKey { get; set; }

    /// <summary><c>kid</c> of issued tokens; Oracle's samples carry <c>s.SYSTEM.2020_1</c>.</summary>
    public string SigningKeyId { get; set; } = "s.SYSTEM.2020_1";

    /// <summary>Run Kestrel with the console host lifetime (Ctrl+C). Only the program sets this.</summary>
    internal bool UseConsoleLifetime { get; set; }
}
