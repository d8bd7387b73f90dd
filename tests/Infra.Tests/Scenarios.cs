namespace Infra.Tests;

/// <summary>Parameter sets the tests evaluate main.bicep with, each compiled once per test run.</summary>
public static class Scenarios
{
    public const string OperatorsGroup = "6a1b7f0e-0d3c-4b53-9c2e-000000000001";
    public const string Operator = "6a1b7f0e-0d3c-4b53-9c2e-000000000002";
    public const string ConsumerA = "6a1b7f0e-0d3c-4b53-9c2e-00000000000a";
    public const string ConsumerB = "6a1b7f0e-0d3c-4b53-9c2e-00000000000b";
    public const string AlertEmail = "netsuite-ops@example.com";

    private static readonly Lazy<Task<System.Text.Json.Nodes.JsonObject>> ArmTemplate =
        new(() => BicepCli.BuildAsync(Path.Combine(BicepCli.InfraPath, "main.bicep")));

    private static readonly Lazy<Task<Snapshot>> FullSnapshot = new(() => BicepCli.SnapshotAsync(Full("salt-one")));

    private static readonly Lazy<Task<Snapshot>> ResaltedSnapshot = new(() => BicepCli.SnapshotAsync(Full("salt-two")));

    // Only the required parameters: every default applies, so this is what a bare deployment gets.
    private static readonly Lazy<Task<Snapshot>> DefaultsSnapshot = new(() => BicepCli.SnapshotAsync(
        $"""
        param environmentName = 'ci'
        param vaultNameSalt = 'salt-one'
        param alertEmailAddress = '{AlertEmail}'
        """));

    private static readonly Lazy<Task<Snapshot>> PurgeProtectionOffSnapshot = new(() => BicepCli.SnapshotAsync(
        $"""
        param environmentName = 'ci'
        param vaultNameSalt = 'salt-one'
        param alertEmailAddress = '{AlertEmail}'
        param enablePurgeProtection = false
        """));

    /// <summary>infra/main.bicepparam itself, fed the way azd feeds it: through environment variables.</summary>
    private static readonly Lazy<Task<Snapshot>> ParameterFileSnapshot = new(async () =>
    {
        var text = await File.ReadAllTextAsync(Path.Combine(BicepCli.InfraPath, "main.bicepparam"));
        var body = string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith("using ", StringComparison.Ordinal)));
        return await BicepCli.SnapshotAsync(body, new Dictionary<string, string?>
        {
            ["AZURE_ENV_NAME"] = "ci",
            ["VAULT_NAME_SALT"] = "salt-one",
            ["ALERT_EMAIL_ADDRESS"] = AlertEmail,
            ["OPERATORS_GROUP_OBJECT_ID"] = OperatorsGroup,
            ["OPERATOR_PRINCIPAL_IDS"] = Operator,
            ["CONSUMER_PRINCIPAL_IDS"] = $"{ConsumerA}, {ConsumerB},",
            ["ENABLE_PURGE_PROTECTION"] = null,
        });
    });

    public static Task<System.Text.Json.Nodes.JsonObject> Arm() => ArmTemplate.Value;

    /// <summary>Operators, one operator user, two consumers, an alert address.</summary>
    public static Task<Snapshot> Complete() => FullSnapshot.Value;

    public static Task<Snapshot> CompleteWithAnotherSalt() => ResaltedSnapshot.Value;

    public static Task<Snapshot> Defaults() => DefaultsSnapshot.Value;

    public static Task<Snapshot> PurgeProtectionOff() => PurgeProtectionOffSnapshot.Value;

    public static Task<Snapshot> FromParameterFile() => ParameterFileSnapshot.Value;

    private static string Full(string salt) =>
        $"""
        param environmentName = 'ci'
        param vaultNameSalt = '{salt}'
        param alertEmailAddress = '{AlertEmail}'
        param operatorsGroupObjectId = '{OperatorsGroup}'
        param operatorPrincipalIds = ['{Operator}']
        param consumerPrincipalIds = ['{ConsumerA}', '{ConsumerB}']
        """;
}
