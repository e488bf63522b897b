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

public class ParseErrorTests
{
    [Theory]
    [InlineData("keygen", "--out")]
    [InlineData("gs1 parse", "parse")]
    [InlineData("epcis convert x.json", "--to")]
    [InlineData("no-such-verb", "no-such-verb")]
    public async Task MissingOrUnknownArgument_ExitsTwoWithOneLineNamingIt(string command, string named)
    {
        var result = await CliRunner.RunAsync(command.Split(' '));
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoArguments_ShowsHelp()
    {
        var result = await CliRunner.RunAsync();
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StdOut, StringComparison.Ordinal);
    }
}
