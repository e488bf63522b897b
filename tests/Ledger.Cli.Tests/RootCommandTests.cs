using Xunit;

namespace Ledger.Cli.Tests;

public class RootCommandTests
{
    [Fact]
    public async Task Help_ListsTheVerbs()
    {
        var result = await CliRunner.RunAsync("--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("gs1", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("epcis", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("keygen", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownVerb_FailsWithNonZeroExit()
    {
        var result = await CliRunner.RunAsync("no-such-verb");
        Assert.NotEqual(0, result.ExitCode);
    }
}
