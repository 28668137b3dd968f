using BenchmarkDotNet.Running;

// Micro-benchmarks of Tessera's hot helpers. Run in Release; see docs/benchmarks.md ("Micro-benchmarks").
//   dotnet run -c Release --project bench/Tessera.Bench.Micro -- --filter '*Crc32*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
