using NetSuite.Simulator;
using TokenRotation.Connections;

namespace TokenRotation.Cli.Tests;

/// <summary>
/// <c>nstoken orphans list|ack</c> on a real possible orphan: the simulator issues a TBA token and drops the answer,
/// the rotation records the orphan, a person revokes it in NetSuite and acknowledges it here.
/// </summary>
public sealed class OrphanCommandTests : IAsyncLifetime
{
    private const string Account = LocalCli.Account;
    private const string Email = LocalCli.Email;
    private const string Password = LocalCli.Password;
    private const string TotpSecret = LocalCli.TotpSecret;

    private LocalCli _cli = null!;
    private SimIntegration _integration = null!;

    private NetSuiteSimulator Simulator => _cli.Simulator;

    public async Task InitializeAsync()
    {
        _cli = await LocalCli.StartAsync("nstoken-orphans-test-");
        _cli.SeedAccount();
        _integration = Simulator.State.AddIntegration(Account, new IntegrationSpec());
    }

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    private Task<(int ExitCode, string Stdout, string Stderr)> Run(params string[] args) => _cli.RunAsync("", args);

    private async Task<PossibleOrphan> ImportAndLoseAnIssueAnswerAsync(string name)
    {
        var token = Simulator.State.IssueTbaToken(Account, _integration.ConsumerKey, Email, 1000, name: "made in the UI");
        var import = await _cli.RunAsync(
            $"{_integration.ConsumerSecret}\n{token.TokenSecret}\n{Password}\n{TotpSecret}\n",
            "import", "tba", name, "--account", Account, "--consumer-key", _integration.ConsumerKey, "--token-id", token.TokenId,
            "--email", Email, "--role", "1000", "--secrets-from-stdin");
        Assert.Equal(0, import.ExitCode);
        Simulator.Faults.DropResponseAfterProcessing(SimEndpoint.IssueToken, times: 1);
        var rotate = await Run("rotate", name);
        Assert.Equal(1, rotate.ExitCode);
        return Assert.Single((await _cli.GetAsync(name))!.PossibleOrphans);
    }

    [Fact]
    public async Task Ack_records_who_when_and_the_note_and_removes_the_orphan_from_the_open_list()
    {
        var orphan = await ImportAndLoseAnIssueAnswerAsync("erp-orphan");
        var id = PossibleOrphan.IdOf(orphan);
        var stray = Assert.Single(Simulator.State.OrphanedTokens(Account));
        Assert.Equal(orphan.TokenName, stray.Name);

        var list = await Run("orphans", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains($"erp-orphan {id} open: {orphan.TokenName}", list.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 open possible orphan(s)", list.Stderr, StringComparison.Ordinal);

        var dry = await Run("orphans", "ack", "erp-orphan", id, "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would acknowledge", dry.Stdout, StringComparison.Ordinal);
        Assert.Single((await _cli.GetAsync("erp-orphan"))!.PossibleOrphans);

        var before = DateTimeOffset.UtcNow;
        var ack = await Run("orphans", "ack", "erp-orphan", id, "--note", "revoked in NetSuite, ticket OPS-7");
        Assert.Equal(0, ack.ExitCode);
        Assert.Contains($"acknowledged possible orphan {id}", ack.Stdout, StringComparison.Ordinal);

        var stored = (await _cli.GetAsync("erp-orphan"))!;
        Assert.Empty(stored.PossibleOrphans);
        var acknowledged = Assert.Single(stored.AcknowledgedOrphans);
        Assert.Equal(id, acknowledged.Id);
        Assert.Equal(orphan.TokenName, acknowledged.TokenName);
        Assert.Equal(orphan.Reason, acknowledged.Reason);
        Assert.StartsWith(Environment.UserName + "@", acknowledged.AcknowledgedBy, StringComparison.Ordinal);
        Assert.InRange(acknowledged.AcknowledgedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("revoked in NetSuite, ticket OPS-7", acknowledged.Note);

        var after = await Run("orphans", "list", "erp-orphan");
        Assert.DoesNotContain(" open: ", after.Stdout, StringComparison.Ordinal);
        Assert.Contains("No open possible orphans.", after.Stderr, StringComparison.Ordinal);
        var all = await Run("orphans", "list", "erp-orphan", "--all");
        Assert.Contains($"erp-orphan {id} acknowledged by {acknowledged.AcknowledgedBy}", all.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(orphan.TokenName, (await Run("status")).Stdout, StringComparison.Ordinal);

        var twice = await Run("orphans", "ack", "erp-orphan", id);
        Assert.Equal(2, twice.ExitCode);
        Assert.Contains("already acknowledged", twice.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ack_of_an_unknown_id_names_the_open_ones_and_changes_nothing()
    {
        var orphan = await ImportAndLoseAnIssueAnswerAsync("erp-unknown");
        var generation = (await _cli.GetAsync("erp-unknown"))!.Generation;

        var wrong = await Run("orphans", "ack", "erp-unknown", "deadbeef");
        var tooLong = await Run("orphans", "ack", "erp-unknown", PossibleOrphan.IdOf(orphan), "--note", new string('x', OrphanAcknowledger.MaxNoteLength + 1));
        var noConnection = await Run("orphans", "ack", "nobody", "deadbeef");

        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("ID: erp-unknown has no open possible orphan deadbeef", wrong.Stderr, StringComparison.Ordinal);
        Assert.Contains(PossibleOrphan.IdOf(orphan), wrong.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Contains("--note", tooLong.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noConnection.ExitCode);
        var stored = (await _cli.GetAsync("erp-unknown"))!;
        Assert.Equal(generation, stored.Generation);
        Assert.Single(stored.PossibleOrphans);
        Assert.Empty(stored.AcknowledgedOrphans);
    }
}
