using System.CommandLine;
using Ledger.Cli.Commands;

namespace Ledger.Cli;

/// <summary>The `ledger` command line: thin wiring over the protocol library (and later the node and SDK).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("Ledger: a permissioned ledger for pharmaceutical track & trace.")
        {
            Gs1Commands.Create(),
            EpcisCommands.Create(),
            KeyCommands.Create(),
            EvmCommands.Create(),
            NodeCommands.Create(),
            ConsortiumCommands.Create(),
            StoreCommands.Create(),
            BenchCommands.Create(),
            AnchorCommands.Create(),
            ProvenanceCommands.Create(),
            VerifyProofCommands.Create(),
        };
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0 && parsed.Action is not null && !IsHelp(args))
        {
            // A missing or unknown option is invalid input like any other: one line naming it, exit 2.
            Console.Error.WriteLine($"{parsed.CommandResult.Command.Name}: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see --help)");
            return ExitCodes.InvalidInput;
        }
        return parsed.Invoke();
    }

    private static bool IsHelp(string[] args) => args.Any(a => a is "-h" or "--help" or "-?" or "/?");
}
