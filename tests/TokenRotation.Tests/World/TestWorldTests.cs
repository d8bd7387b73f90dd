using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.DependencyInjection;
using NetSuite.Simulator;
using TokenRotation.Coordination;
using TokenRotation.Stores;

namespace TokenRotation.Tests.World;

/// <summary>
/// The test world's seams are the builder's choices, registered before <see cref="ServiceCollectionExtensions.AddTokenRotation"/>:
/// these tests fail if the entry point stops keeping them (and a world would silently run on the app's own
/// implementations), if the recorder records without being asked, or if the seeding copies the account twice.
/// </summary>
public sealed class TestWorldTests
{
    [Fact]
    public async Task An_in_memory_world_runs_on_its_own_coordination_clock_and_vaults()
    {
        await using var world = await TestWorld.Create().StartAsync();
        var services = world.Services;

        Assert.IsType<InMemoryLeaseProvider>(services.GetRequiredService<ILeaseProvider>());
        Assert.Same(services.GetRequiredService<InMemoryWorkQueue>(), services.GetRequiredService<IWorkQueue>());
        Assert.IsType<InMemoryTotpStepStore>(services.GetRequiredService<ITotpStepStore>());
        Assert.IsType<InMemoryConsentSessionStore>(services.GetRequiredService<IConsentSessionStore>());
        Assert.IsType<FileTokenJournal>(services.GetRequiredService<ITokenJournal>());
        Assert.Same(world.Time, services.GetRequiredService<TimeProvider>());
        Assert.Equal(world.StateVault.VaultUri, services.GetRequiredKeyedService<SecretClient>(StoresServiceCollectionExtensions.StateVaultKey).VaultUri);
        Assert.Equal(world.ConsumerVault.VaultUri, services.GetRequiredKeyedService<SecretClient>(StoresServiceCollectionExtensions.ConsumerVaultKey).VaultUri);
        Assert.Equal(world.Simulator.SuiteTalkTemplate, world.Configuration["NetSuite:SuiteTalkUrlTemplate"]);
        Assert.Equal(world.Simulator.GenericAuthorizeUrl, world.Configuration["NetSuite:GenericAuthorizeUrl"]);
        Assert.Equal(world.StorageNames.IndexTable, world.Configuration["Coordination:IndexTable"]);
    }

    [Fact]
    public async Task An_Azurite_world_runs_on_blob_leases_the_storage_queue_and_its_own_tables()
    {
        await using var world = await TestWorld.Create().WithCoordination(WorldCoordination.Azurite).StartAsync();
        var services = world.Services;

        Assert.IsType<BlobLeaseProvider>(services.GetRequiredService<ILeaseProvider>());
        Assert.IsType<StorageWorkQueue>(services.GetRequiredService<IWorkQueue>());
        Assert.IsType<TableTotpStepStore>(services.GetRequiredService<ITotpStepStore>());
        Assert.IsType<TablePoisonedWorkLog>(services.GetRequiredService<IPoisonedWorkLog>());
        Assert.Equal(world.StorageNames.WorkQueue, world.Configuration[Configuration.StorageOptions.WorkQueueSetting]);
        Assert.Equal(world.StorageNames.ConsentTable, world.Configuration["Coordination:ConsentTable"]);
        Assert.Equal(world.StorageNames.LeaseContainer, world.Configuration["Storage:LeaseContainer"]);
    }

    [Fact]
    public async Task The_recorder_records_only_when_asked()
    {
        await using var quiet = await TestWorld.Create().StartAsync();
        var integration = quiet.SeedAccount();
        await quiet.SaveNewAsync(quiet.TbaConnection("erp-quiet", integration));
        Assert.Equal(0, quiet.Effects.Count);

        await using var recorded = await TestWorld.Create().RecordSideEffects().StartAsync();
        integration = recorded.SeedAccount();
        await recorded.SaveNewAsync(recorded.TbaConnection("erp-recorded", integration));
        Assert.Equal(["state write erp-recorded gen 1 rotation "], recorded.Effects.Log);
        Assert.Same(recorded.Effects, recorded.Services.GetRequiredService<SideEffects>());
    }

    [Fact]
    public async Task Seeding_adds_the_account_once_and_an_integration_each_time()
    {
        await using var world = await TestWorld.Create().StartAsync();

        var first = world.SeedAccount();
        var second = world.SeedAccount(twoFactor: false, spec: new IntegrationSpec { PublicClient = true });

        Assert.True(world.Simulator.State.TryGetAccount(WorldAccount.Standard.Id, out _));
        Assert.NotEqual(first.ClientId, second.ClientId);
        Assert.Equal([world.CallbackUrl], first.RedirectUris);
        var user = world.Simulator.State.GetUser(WorldAccount.Standard.Id, WorldAccount.Standard.UserEmail);
        Assert.Equal([WorldAccount.Standard.IntegrationRole], user.RoleIds);
        var document = world.ConsentedOAuth2Connection("crm-seeded", second, publicClient: true);
        Assert.Equal(WorldAccount.Standard.Id, document.Account);
        Assert.Null(document.OAuth2!.ClientSecret);
        Assert.NotNull(document.OAuth2.ChainEndsAt);
        Assert.Equal(WorldAccount.Standard.IntegrationRoleId, document.OAuth2.ExpectedRoleId);
    }
}
