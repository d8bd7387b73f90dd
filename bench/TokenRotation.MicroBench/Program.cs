using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/TokenRotation.MicroBench -- --filter '*'   (add --job short for a quick run)
BenchmarkSwitcher.FromAssembly(typeof(TokenRotation.MicroBench.SigningBenchmarks).Assembly).Run(args);
