namespace Ledger.Cli.Commands;

/// <summary>Process exit codes shared by every verb.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>A check ran and failed (e.g. a proof did not verify).</summary>
    public const int CheckFailed = 1;
    /// <summary>The input was invalid; one line on stderr names the field and the rule.</summary>
    public const int InvalidInput = 2;
}
