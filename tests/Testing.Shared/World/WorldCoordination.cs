namespace Testing.Shared;

/// <summary>Where a world's leases, work queue, TOTP steps, consent sessions and token journal live.</summary>
public enum WorldCoordination
{
    /// <summary>
    /// In memory, on the world's fake clock (leases without a renewal timer), with a file token journal: the engine
    /// tests, whose leases and queue must follow fake time. The connection index still lives on Azurite.
    /// </summary>
    InMemory,

    /// <summary>As the Functions app runs: blob leases, the storage queue and tables on Azurite, under names unique to the world.</summary>
    Azurite,
}
