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
            NodeCommands.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
