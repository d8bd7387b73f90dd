using TokenRotation.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await NsTokenApp.RunAsync(args, CliConsole.FromProcess(), cancel.Token).ConfigureAwait(false);
