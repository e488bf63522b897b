using System.CommandLine;

namespace Ledger.Cli.Commands;

// Placeholder wiring, replaced by the key verbs.
public static class KeyCommands
{
    public static Command Create() => new("keygen", "key tools (being built)");
}
