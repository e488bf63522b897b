namespace Ledger.Devnet;

/// <summary>Entry point of <c>ledger-devnet</c>; everything is in <see cref="DevnetCli"/>.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => DevnetCli.RunAsync(args, Console.Out, Console.Error);
}
