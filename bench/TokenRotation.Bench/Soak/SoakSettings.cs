namespace TokenRotation.Bench.Soak;

/// <summary>What one soak run does; everything random is drawn from <see cref="Seed"/>.</summary>
public sealed record SoakSettings
{
    public int Days { get; init; } = 30;

    public int Seed { get; init; } = 1;

    /// <summary>NetSuite accounts; each has a TBA, a confidential and a public authorization-code and a client-credentials connection (the first account a second TBA connection on the same user).</summary>
    public int Accounts { get; init; } = 3;

    /// <summary>Simulated time between two ticks: the frequent sweep, the queue drained, the consumer's calls, every invariant.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Faults injected per simulated day on average (process crashes counted apart).</summary>
    public double FaultsPerDay { get; init; } = 12;

    public double CrashesPerDay { get; init; } = 4;

    /// <summary>People actions per simulated day on average (rotate-now, pause and resume, rollback).</summary>
    public double PeoplePerDay { get; init; } = 2;

    /// <summary>Accounts the queue worker drains at once (<c>Engine:WorkerParallelism</c>).</summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>Stop at the first step with a violation (the default), or keep going to count them all.</summary>
    public bool KeepGoing { get; init; }

    /// <summary>The CI run: three days over two accounts.</summary>
    public static SoakSettings Short => new() { Days = 3, Accounts = 2 };

    public int Connections => (Accounts * 4) + 1;
}
