using TokenRotation.Cli;

return await NsTokenApp.RunAsync(args, Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable).ConfigureAwait(false);
