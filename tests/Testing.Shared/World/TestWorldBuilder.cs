using KeyVault.TestServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenRotation;

namespace Testing.Shared;

/// <summary>
/// Chooses what a <see cref="TestWorld"/> holds; <see cref="StartAsync"/> starts it. Every choice has a default that
/// matches the engine tests: in-memory coordination, no recorder, the engine composed by
/// <see cref="ServiceCollectionExtensions.AddTokenRotation"/>.
/// </summary>
public sealed class TestWorldBuilder
{
    private readonly List<Action<IDictionary<string, string?>>> _settings = [];
    private readonly List<IEnumerable<KeyValuePair<string, string?>>> _finalSettings = [];
    private readonly List<Action<IServiceCollection>> _services = [];
    private readonly List<Action<IServiceCollection>> _overrides = [];

    internal TestWorldBuilder()
    {
    }

    internal WorldAccount Account { get; private set; } = WorldAccount.Standard;

    internal string PublicBaseUrl { get; private set; } = TestWorld.DefaultPublicBaseUrl;

    internal KeyVaultTestServerOptions? StateVaultOptions { get; private set; }

    internal bool StateVaultFollowsClock { get; private set; }

    internal WorldCoordination Coordination { get; private set; } = WorldCoordination.InMemory;

    internal bool Records { get; private set; }

    internal bool ValidatesOnBuild { get; private set; }

    internal Action<IServiceCollection, IConfiguration> Compose { get; private set; } = (services, configuration) => services.AddTokenRotation(configuration);

    internal IReadOnlyList<Action<IDictionary<string, string?>>> Settings => _settings;

    internal IReadOnlyList<IEnumerable<KeyValuePair<string, string?>>> FinalSettings => _finalSettings;

    internal IReadOnlyList<Action<IServiceCollection>> Services => _services;

    internal IReadOnlyList<Action<IServiceCollection>> Overrides => _overrides;

    /// <summary>The account <see cref="TestWorld.SeedAccount"/> seeds and the documents name (default <see cref="WorldAccount.Standard"/>).</summary>
    public TestWorldBuilder WithAccount(WorldAccount account)
    {
        Account = account ?? throw new ArgumentNullException(nameof(account));
        return this;
    }

    /// <summary>The app's public base URL (the consent callback is under it); default <see cref="TestWorld.DefaultPublicBaseUrl"/>.</summary>
    public TestWorldBuilder WithPublicBaseUrl(string publicBaseUrl)
    {
        ArgumentException.ThrowIfNullOrEmpty(publicBaseUrl);
        PublicBaseUrl = publicBaseUrl;
        return this;
    }

    /// <summary>Changes the engine's settings after the world's own are in (null does nothing).</summary>
    public TestWorldBuilder WithSettings(Action<IDictionary<string, string?>>? settings)
    {
        if (settings is not null)
        {
            _settings.Add(settings);
        }

        return this;
    }

    /// <summary>Settings layered over everything else, the test's own changes included (for example <see cref="FakeClockEngineSettings.Values"/>).</summary>
    public TestWorldBuilder WithFinalSettings(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _finalSettings.Add(settings);
        return this;
    }

    /// <summary>Options of the state vault's test server (throttles, separate key versions).</summary>
    public TestWorldBuilder WithStateVault(KeyVaultTestServerOptions? options)
    {
        StateVaultOptions = options ?? StateVaultOptions;
        return this;
    }

    /// <summary>The state vault runs on the world's fake clock: certificates it creates are valid from the engine's now.</summary>
    public TestWorldBuilder StateVaultOnFakeClock(bool onFakeClock = true)
    {
        StateVaultFollowsClock = onFakeClock;
        return this;
    }

    /// <summary>Leases, queue, TOTP steps, consent sessions and journal in memory (the default) or on Azurite.</summary>
    public TestWorldBuilder WithCoordination(WorldCoordination coordination)
    {
        Coordination = coordination;
        return this;
    }

    /// <summary>Records every side effect in <see cref="TestWorld.Effects"/> (NetSuite calls, vault writes, index updates, markers), with its crash seam.</summary>
    public TestWorldBuilder RecordSideEffects(bool record = true)
    {
        Records = record;
        return this;
    }

    /// <summary>Validates every registration when the provider is built (as the Functions host does).</summary>
    public TestWorldBuilder ValidateOnBuild(bool validate = true)
    {
        ValidatesOnBuild = validate;
        return this;
    }

    /// <summary>
    /// Composes through another root that calls <see cref="ServiceCollectionExtensions.AddTokenRotation"/> (the
    /// Functions app's <c>AddTokenRotationFunctions</c>) instead of calling it directly.
    /// </summary>
    public TestWorldBuilder ComposeWith(Action<IServiceCollection, IConfiguration> compose)
    {
        Compose = compose ?? throw new ArgumentNullException(nameof(compose));
        return this;
    }

    /// <summary>
    /// Registrations made before the composition. The composition only adds what is missing, so these are kept: the
    /// way to give the app an implementation of a seam it would otherwise make (a table of the world's own).
    /// </summary>
    public TestWorldBuilder ConfigureServices(Action<IServiceCollection>? services)
    {
        if (services is not null)
        {
            _services.Add(services);
        }

        return this;
    }

    /// <summary>Changes made after the composition (a test's narrow seam that wraps or replaces what the app made; null does nothing).</summary>
    public TestWorldBuilder Override(Action<IServiceCollection>? overrides)
    {
        if (overrides is not null)
        {
            _overrides.Add(overrides);
        }

        return this;
    }

    public Task<TestWorld> StartAsync() => TestWorld.StartAsync(this);
}
