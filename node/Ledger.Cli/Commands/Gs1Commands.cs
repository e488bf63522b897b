using System.CommandLine;

namespace Ledger.Cli.Commands;

// Placeholder wiring, replaced by the gs1 verbs.
public static class Gs1Commands
{
    public static Command Create() => new("gs1", "gs1 tools (being built)");
}
