namespace Ledger.Cli.Commands;

/// <summary>Input the user can fix: the option at fault, what is wrong, and the rule; the message is the whole stderr line.</summary>
internal sealed class InputException(string option, string detail, string rule) : Exception($"{option}: {detail} [{rule}]");

/// <summary>How the commands that edit a consortium report bad input: one stderr line, exit 2, nothing written.</summary>
internal static class CliInput
{
    /// <summary>Runs <paramref name="action"/>; an <see cref="InputException"/> becomes its one stderr line and exit 2.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine(e.Message.ReplaceLineEndings(" "));
            return ExitCodes.InvalidInput;
        }
    }

    /// <summary>
    /// The command-line option that supplied the consortium member at the JSON path <paramref name="field"/> (as a
    /// <c>ConsortiumFormatException</c> names it): <paramref name="nameOption"/> for the consortium's name,
    /// <paramref name="fallback"/> for anything no option sets.
    /// </summary>
    public static string OptionFor(string field, string nameOption, string fallback) => field switch
    {
        "name" => nameOption,
        "quorum" => "--quorum",
        "threshold" => "--threshold",
        _ when field.StartsWith("nodes[", StringComparison.Ordinal) => field[(field.IndexOf(']', StringComparison.Ordinal) + 1)..] switch
        {
            ".name" => "--node-name",
            ".address" => "--node-address",
            ".endpoint" => "--endpoint",
            ".cluster" => "--cluster",
            ".tlsFingerprint" => "--tls-fingerprint",
            _ => fallback,
        },
        _ when field.StartsWith("parties[", StringComparison.Ordinal) => field[(field.IndexOf(']', StringComparison.Ordinal) + 1)..] switch
        {
            ".name" => "--party-name",
            ".address" => "--party-address",
            ".node" => "--node-name",
            var m when m.StartsWith(".glns", StringComparison.Ordinal) => "--gln",
            var m when m.StartsWith(".companyPrefixes", StringComparison.Ordinal) => "--prefix",
            var m when m.StartsWith(".delegatedGtins", StringComparison.Ordinal) => "--delegated-gtin",
            var m when m.StartsWith(".roles", StringComparison.Ordinal) => "--role",
            _ => fallback,
        },
        _ => fallback,
    };
}
