using System.Diagnostics;

namespace Ledger.Node.Anchoring;

/// <summary>
/// Named kill points on the anchoring path, for crash tests: with <c>LEDGER_FAULTPOINT=&lt;name&gt;</c> in its
/// environment the node kills itself (SIGKILL, as <c>kill -9</c>) the first time it reaches that point, so a test can
/// stop it at an exact step instead of after a guessed delay. The points (docs/spec/anchoring.md §Crash points):
/// <c>anchor-intent</c> (the anchor is recorded pending, nothing is signed), <c>evm-recorded</c> (the signed
/// transaction is in the nonce file, not broadcast), <c>evm-broadcast</c> (broadcast, its hash not yet in the anchor
/// store). Unset, nothing happens.
/// </summary>
internal static class FaultPoints
{
    /// <summary>The environment variable that arms one point.</summary>
    public const string Variable = "LEDGER_FAULTPOINT";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    /// <summary>Kills the process when <paramref name="name"/> is the armed point.</summary>
    public static void Reach(string name)
    {
        if (Armed is null || !string.Equals(Armed, name, StringComparison.Ordinal))
            return;
        Console.Error.WriteLine($"fault point {name} reached: killing the node");
        Console.Error.Flush();
        using var self = Process.GetCurrentProcess();
        self.Kill();
    }
}
