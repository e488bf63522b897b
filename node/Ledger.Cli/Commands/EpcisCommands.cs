using System.CommandLine;

namespace Ledger.Cli.Commands;

// Placeholder wiring, replaced by the epcis verbs.
public static class EpcisCommands
{
    public static Command Create() => new("epcis", "epcis tools (being built)");
}
