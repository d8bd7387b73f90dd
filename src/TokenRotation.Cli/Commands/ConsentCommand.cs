using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenRotation.Connections;
using TokenRotation.Consent;
using TokenRotation.Coordination;
using TokenRotation.Stores;

namespace TokenRotation.Cli.Commands;

/// <summary>
/// <c>nstoken consent NAME [--port N]</c>: a person completes an OAuth 2.0 consent from this machine, without a
/// deployed Functions app. A loopback HTTPS server takes the consent start and NetSuite's callback; the consent itself
/// is the Functions app's (state, PKCE, browser-binding cookie, account/role/entity checks, tokens to the vaults).
/// </summary>
public static class ConsentCommand
{
    /// <summary>How long the command waits for the callback unless <c>--timeout</c> says otherwise.</summary>
    public const int DefaultTimeoutMinutes = 15;

    internal static Command Create(CliConsole console, GlobalOptions global)
    {
        var name = CommandSupport.NameArgument();
        var port = new Option<int?>("--port")
        {
            Description = "Loopback port to serve on. Default: the port of the connection's redirect URI when that is a loopback one, otherwise any free port (then register the printed redirect URI each time, or pick a port).",
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = $"Minutes to wait for the consent to come back (default {DefaultTimeoutMinutes}).",
            DefaultValueFactory = _ => DefaultTimeoutMinutes,
        };
        var command = new Command("consent", """
            Complete an OAuth 2.0 consent from this machine, without a deployed Functions app: serves the consent link and
            NetSuite's callback on https://127.0.0.1:PORT (a self-signed certificate made for this run; the browser warns once),
            prints the link and the redirect URI to add to the integration record, and waits until the consent is stored.
            Works against the simulator and a real sandbox. The connection keeps its own redirect URI for later consents.
            """)
        {
            name, port, timeout,
        };
        command.SetAction((parse, ct) =>
        {
            if (!CommandSupport.TryName(console, parse.GetValue(name), out var connection))
            {
                return Task.FromResult(ExitCodes.BadInput);
            }

            var requestedPort = parse.GetValue(port);
            if (requestedPort is { } p && (p < 1 || p > 65535))
            {
                console.Error.WriteLine($"--port: {p} is not a port (1-65535).");
                return Task.FromResult(ExitCodes.BadInput);
            }

            var minutes = parse.GetValue(timeout);
            if (minutes < 1 || minutes > 24 * 60)
            {
                console.Error.WriteLine($"--timeout: {minutes} minutes; give 1 to 1440.");
                return Task.FromResult(ExitCodes.BadInput);
            }

            var redirect = new LoopbackRedirect(connection);
            return CommandSupport.RunAsync(
                console, global, parse, (services, token) => RunAsync(console, services, redirect, requestedPort, TimeSpan.FromMinutes(minutes), token), ct,
                configure: services => Compose(services, redirect));
        });
        return command;
    }

    /// <summary>
    /// The consent session lives in this process (it starts and ends here), and the store shows the loopback redirect
    /// URI for this connection.
    /// </summary>
    private static void Compose(IServiceCollection services, LoopbackRedirect redirect)
    {
        services.Replace(ServiceDescriptor.Singleton<IConsentSessionStore, InMemoryConsentSessionStore>());
        var existing = services.Last(d => d.ServiceType == typeof(IConnectionStore) && !d.IsKeyedService);
        services.Remove(existing);
        services.AddSingleton<IConnectionStore>(sp =>
        {
            var inner = existing.ImplementationInstance as IConnectionStore
                ?? (existing.ImplementationFactory is { } factory ? (IConnectionStore)factory(sp) : (IConnectionStore)ActivatorUtilities.CreateInstance(sp, existing.ImplementationType!));
            return new LoopbackRedirectStore(inner, redirect);
        });
    }

    private static async Task<int> RunAsync(
        CliConsole console, IServiceProvider services, LoopbackRedirect redirect, int? requestedPort, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var connection = redirect.Connection;
        var document = await services.GetRequiredService<IConnectionStore>().GetAsync(connection, cancellationToken).ConfigureAwait(false);
        if (document is null)
        {
            await console.Error.WriteLineAsync($"No connection named {connection}.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        if (document.Kind != ConnectionKind.OAuth2AuthorizationCode || document.OAuth2 is not { } oauth)
        {
            await console.Error.WriteLineAsync($"{connection} is a {CommandSupport.KindName(document.Kind)} connection; only OAuth 2.0 authorization-code connections are set up by a browser consent.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var port = requestedPort ?? LoopbackPort(oauth.RedirectUri) ?? 0;
        LoopbackConsentServer server;
        try
        {
            server = await LoopbackConsentServer.StartAsync(port, () => services.GetRequiredService<ConsentService>(), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await console.Error.WriteLineAsync($"--port: cannot listen on 127.0.0.1:{port} ({ex.Message}). Free the port or pass another with --port.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await using (server.ConfigureAwait(false))
        {
            redirect.Uri = server.RedirectUri;
            server.NotConnected += result => console.Error.WriteLine($"Consent not completed: {result.Title}. {result.Message} {result.NextStep}");
            var token = await services.GetRequiredService<ConsentLinkFactory>().CreateTokenAsync(connection, cancellationToken).ConfigureAwait(false);
            var link = server.BaseUrl + ConsentLinkFactory.PathPrefix + token;

            var registered = oauth.RedirectUri == server.RedirectUri;
            await console.Error.WriteLineAsync(registered
                ? $"The connection's redirect URI is this loopback one: {server.RedirectUri}"
                : $"""
                   Add this redirect URI to the integration record in NetSuite (Setup > Integration > Manage Integrations > the record > Redirect URI; several are allowed):
                     {server.RedirectUri}
                   The connection keeps {oauth.RedirectUri} for consents through the deployed app.
                   """).ConfigureAwait(false);
            await console.Error.WriteLineAsync(
                $"Open the link below in a browser on this machine, log in to NetSuite {(document.Account.Length > 0 ? "account " + document.Account : "(the login chooses the account)")} as the integration's user, choose its role and Allow. "
                + "The browser warns about the certificate once: it is a self-signed one made for this run on 127.0.0.1.").ConfigureAwait(false);
            await console.Out.WriteLineAsync(link).ConfigureAwait(false);
            await console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            await console.Error.WriteLineAsync($"Waiting for the consent (up to {timeout.TotalMinutes:0} minutes; Ctrl+C stops) ...").ConfigureAwait(false);

            var finished = await Task.WhenAny(server.Connected, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (finished != server.Connected)
            {
                await console.Error.WriteLineAsync($"No consent was completed within {timeout.TotalMinutes:0} minutes; nothing was changed. Run `nstoken consent {connection}` again.").ConfigureAwait(false);
                return ExitCodes.NeedsPerson;
            }

            var result = await server.Connected.ConfigureAwait(false);
            await console.Out.WriteLineAsync($"{connection}: connected. {result.Message}").ConfigureAwait(false);
            await console.Error.WriteLineAsync($"`nstoken status` shows it; `nstoken refresh {connection}` proves the refresh.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }
    }

    /// <summary>The port of a loopback redirect URI (127.0.0.1, localhost, [::1]) that names one; null otherwise.</summary>
    public static int? LoopbackPort(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri) && uri.IsLoopback && !uri.IsDefaultPort ? uri.Port : null;
}
