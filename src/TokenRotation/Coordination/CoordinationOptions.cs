using System.ComponentModel.DataAnnotations;

namespace TokenRotation.Coordination;

/// <summary>
/// Leases, the per-account gate and the coordination tables, bound from the <c>Coordination</c> section.
/// Every setting has a working default; the section may be absent.
/// </summary>
public sealed class CoordinationOptions : IValidatableObject
{
    public const string SectionName = "Coordination";

    /// <summary>
    /// Length of one lease. Azure blob leases accept 15 to 60 seconds; a holder that dies blocks its key for at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:15", "00:01:00", ErrorMessage = "Coordination:LeaseDuration must be between 00:00:15 and 00:01:00 (the range Azure blob leases accept).")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The holder stops trusting its lease this long before the lease could have expired on the server, so the work
    /// aborts before its next write rather than after another instance took over.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:10", ErrorMessage = "Coordination:LeaseSafetyMargin must be between 00:00:01 and 00:00:10.")]
    public TimeSpan LeaseSafetyMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest time <see cref="IAccountGate.EnterAsync"/> waits for a free slot before it gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00", ErrorMessage = "Coordination:GateMaxWait must be between 00:00:01 and 00:30:00.")]
    public TimeSpan GateMaxWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>First delay between two rounds of tries of the gate's slots; doubles each round, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30", ErrorMessage = "Coordination:GateRetryDelay must be between 00:00:00.010 and 00:00:30.")]
    public TimeSpan GateRetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Largest delay between two rounds of tries of the gate's slots.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Coordination:GateRetryMaxDelay must be between 00:00:00.010 and 00:01:00.")]
    public TimeSpan GateRetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Table that holds the last used TOTP step per (account, user).</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Coordination:TotpTable must be a valid table name (3-63 letters or digits, starting with a letter).")]
    public string TotpTable { get; set; } = "nstokentotp";

    /// <summary>Table that holds the consent sessions.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Coordination:ConsentTable must be a valid table name (3-63 letters or digits, starting with a letter).")]
    public string ConsentTable { get; set; } = "nstokenconsent";

    /// <summary>Table that holds sealed single-use tokens the state vault refused, until the next run replays them.</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Coordination:JournalTable must be a valid table name (3-63 letters or digits, starting with a letter).")]
    public string JournalTable { get; set; } = "nstokenjournal";

    /// <summary>
    /// Table that holds the connection index (schedule, state) and the intent markers, which hold no secret and are
    /// rebuilt from the state vault's tags when the table is empty (architecture section 13).
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Coordination:IndexTable must be a valid table name (3-63 letters or digits, starting with a letter).")]
    public string IndexTable { get; set; } = "nstokenindex";

    /// <summary>How often a lease is renewed: a third of its duration.</summary>
    public TimeSpan LeaseRenewalInterval => LeaseDuration / 3;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The holder must be able to miss one renewal and still trust its lease until the next one.
        if (LeaseSafetyMargin >= LeaseDuration - (2 * LeaseRenewalInterval))
        {
            yield return new ValidationResult(
                "Coordination:LeaseSafetyMargin must be shorter than a third of Coordination:LeaseDuration.",
                [nameof(LeaseSafetyMargin)]);
        }

        if (GateRetryMaxDelay < GateRetryDelay)
        {
            yield return new ValidationResult(
                "Coordination:GateRetryMaxDelay must not be shorter than Coordination:GateRetryDelay.",
                [nameof(GateRetryMaxDelay)]);
        }
    }
}
