using BenchmarkDotNet.Running;

namespace Ledger.Benchmarks;

/// <summary>Runs the benchmarks chosen on the command line (see docs/benchmarks.md), e.g. <c>--filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
