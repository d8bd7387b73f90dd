using System.CommandLine;
using NetSuite.Auth;
using NetSuite.Auth.Tba;

namespace TokenRotation.Cli;

/// <summary>
/// <c>nstoken sign</c>: prints the OAuth 1.0a (TBA) <c>Authorization</c> header NetSuite expects for one request,
/// the aid to reach for when NetSuite answers "Invalid login attempt". Secrets come from environment variables or
/// standard input, never from arguments (which end up in shell history and process lists).
/// </summary>
internal static class SignCommand
{
    /// <summary>Environment variable holding the consumer secret.</summary>
    public const string ConsumerSecretVariable = "NSTOKEN_CONSUMER_SECRET";

    /// <summary>Environment variable holding the token secret.</summary>
    public const string TokenSecretVariable = "NSTOKEN_TOKEN_SECRET";

    /// <summary>Exit code for missing or invalid input.</summary>
    public const int UsageError = 2;

    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr, Func<string, string?> getEnvironmentVariable, TimeProvider timeProvider)
    {
        var method = new Option<string>("--method") { Description = "HTTP method of the request, e.g. GET or POST.", Required = true };
        var url = new Option<string>("--url") { Description = "Absolute request URL exactly as it will be sent, query included.", Required = true };
        var account = new Option<string>("--account") { Description = "Account id: 1234567, 1234567_SB1, 1234567-sb1 or TSTDRV1234567.", Required = true };
        var consumerKey = new Option<string>("--consumer-key") { Description = "The integration record's consumer key.", Required = true };
        var tokenId = new Option<string>("--token-id") { Description = "The token id.", Required = true };
        var nonce = new Option<string?>("--nonce") { Description = "Nonce to use (default: 20 random characters)." };
        var timestamp = new Option<long?>("--timestamp") { Description = "Unix timestamp in seconds to use (default: now)." };
        var verbose = new Option<bool>("--verbose") { Description = "Also print the signature base string, realm, nonce and timestamp." };
        var secretsFromStdin = new Option<bool>("--secrets-from-stdin")
        {
            Description = $"Read the consumer secret and the token secret from standard input, one per line, instead of {ConsumerSecretVariable} and {TokenSecretVariable}.",
        };

        var command = new Command("sign", "Print the OAuth 1.0a (TBA) Authorization header NetSuite expects for a request.")
        {
            method, url, account, consumerKey, tokenId, nonce, timestamp, verbose, secretsFromStdin,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!NetSuiteAccountId.TryParse(parse.GetValue(account), out var accountId))
            {
                await stderr.WriteLineAsync($"--account: '{parse.GetValue(account)}' is not a NetSuite account id. Accepted forms: 1234567, 1234567_SB1, 1234567-sb1 or TSTDRV1234567.").ConfigureAwait(false);
                return UsageError;
            }

            if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var requestUrl) || (requestUrl.Scheme != Uri.UriSchemeHttps && requestUrl.Scheme != Uri.UriSchemeHttp))
            {
                await stderr.WriteLineAsync($"--url: '{parse.GetValue(url)}' is not an absolute http(s) URL.").ConfigureAwait(false);
                return UsageError;
            }

            var givenNonce = parse.GetValue(nonce);
            if (givenNonce is { Length: 0 })
            {
                await stderr.WriteLineAsync("--nonce must not be empty.").ConfigureAwait(false);
                return UsageError;
            }

            var givenTimestamp = parse.GetValue(timestamp);
            if (givenTimestamp <= 0)
            {
                await stderr.WriteLineAsync("--timestamp must be a positive number of seconds since the Unix epoch.").ConfigureAwait(false);
                return UsageError;
            }

            string? consumerSecret;
            string? tokenSecret;
            if (parse.GetValue(secretsFromStdin))
            {
                consumerSecret = await ReadSecretLineAsync(stdin, cancellationToken).ConfigureAwait(false);
                tokenSecret = await ReadSecretLineAsync(stdin, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                consumerSecret = getEnvironmentVariable(ConsumerSecretVariable);
                tokenSecret = getEnvironmentVariable(TokenSecretVariable);
            }

            var missing = string.IsNullOrEmpty(consumerSecret) ? "consumer secret" : string.IsNullOrEmpty(tokenSecret) ? "token secret" : null;
            if (missing is not null)
            {
                await stderr.WriteLineAsync(
                    $"Missing the {missing}. Set {ConsumerSecretVariable} and {TokenSecretVariable}, or pass --secrets-from-stdin and write the consumer secret and the token secret on two lines of standard input. Secrets are never accepted as arguments.")
                    .ConfigureAwait(false);
                return UsageError;
            }

            WarnOnHostMismatch(requestUrl, accountId, stderr);
            var credentials = new TbaCredentials(accountId, parse.GetValue(consumerKey)!, consumerSecret!, parse.GetValue(tokenId)!, tokenSecret!);
            var signer = new TbaSigner(new RandomTbaNonceSource(), timeProvider);
            var signature = signer.Sign(new HttpMethod(parse.GetValue(method)!.ToUpperInvariant()), requestUrl, credentials, nonce: givenNonce, timestamp: givenTimestamp);

            if (Output.OutputOptions.From(parse) == Output.OutputFormat.Json)
            {
                await stdout.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(
                    new Output.SignJson(signature.AuthorizationHeader, accountId.Realm, signature.Nonce, signature.Timestamp, signature.BaseString), Output.CliJson.Options)).ConfigureAwait(false);
                return 0;
            }

            if (parse.GetValue(verbose))
            {
                await stdout.WriteLineAsync($"Realm: {accountId.Realm}").ConfigureAwait(false);
                await stdout.WriteLineAsync($"Nonce: {signature.Nonce}").ConfigureAwait(false);
                await stdout.WriteLineAsync($"Timestamp: {signature.Timestamp}").ConfigureAwait(false);
                await stdout.WriteLineAsync($"Base string: {signature.BaseString}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync($"Authorization: {signature.AuthorizationHeader}").ConfigureAwait(false);
            return 0;
        });

        return command;
    }

    private static async Task<string?> ReadSecretLineAsync(TextReader stdin, CancellationToken cancellationToken)
    {
        var line = await stdin.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return line?.TrimEnd('\r');
    }

    // A host for another account than the realm is the classic cause of "Invalid login attempt" on sandboxes.
    private static void WarnOnHostMismatch(Uri url, NetSuiteAccountId account, TextWriter stderr)
    {
        var label = url.Host.Split('.')[0];
        if (url.Host.EndsWith(".netsuite.com", StringComparison.OrdinalIgnoreCase)
            && NetSuiteAccountId.TryParse(label, out var hostAccount)
            && hostAccount != account)
        {
            stderr.WriteLine($"Warning: the URL is for account {hostAccount.Realm} but the realm is {account.Realm}; NetSuite will answer 'Invalid login attempt'.");
        }
    }
}
