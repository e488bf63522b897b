using System.Text.Json.Nodes;
using Ledger.Cli.Tests;
using Ledger.Sdk.Verification;
using Xunit;
using static Ledger.Sdk.Tests.Verification.VerifierKit;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>`ledger verify-proof` as a real process over the saved answer and consortium file.</summary>
[Collection(ProvenanceFixtureGroup.Name)]
public sealed class VerifyProofCommandTests(ProvenanceFixture fixture)
{
    private async Task<string> WriteAsync(string name, JsonNode answer)
    {
        var path = Path.Combine(fixture.Folder, name);
        await File.WriteAllTextAsync(path, answer.ToJsonString());
        return path;
    }

    [Fact]
    public async Task VerifyProof_UntouchedAnswer_ExitsZeroAndPrintsEveryCheck()
    {
        var r = await CliRunner.RunAsync("verify-proof", fixture.AnswerPath, "--consortium", fixture.ConsortiumPath);

        Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
        Assert.Contains("ok   header-signature", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("ok   custody", r.StdOut, StringComparison.Ordinal);
        Assert.Equal(ProvenanceVerifierTests.RecordCount, r.StdOut.Split('\n').Count(l => l.StartsWith("ok   seal ", StringComparison.Ordinal)));
        Assert.Equal("", r.StdErr);
    }

    [Fact]
    public async Task VerifyProof_LastRecordDropped_ExitsOneWithTheReason()
    {
        var answer = ParseNode(fixture.AnswerJson);
        answer["records"]!.AsArray().RemoveAt(ProvenanceVerifierTests.RecordCount - 1);
        var path = await WriteAsync("dropped-last.json", answer);

        var r = await CliRunner.RunAsync("verify-proof", path, "--consortium", fixture.ConsortiumPath);

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"{ProvenanceVerifier.Completeness} {fixture.Item}: state-proof: ", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("FAIL completeness", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyProof_MissingFile_ExitsTwoNamingTheArgument()
    {
        var r = await CliRunner.RunAsync("verify-proof", Path.Combine(fixture.Folder, "absent.json"), "--consortium", fixture.ConsortiumPath);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("file: cannot read ", r.StdErr, StringComparison.Ordinal);
        Assert.Single(r.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public async Task VerifyProof_UndecodableSeal_ExitsTwoNamingTheField()
    {
        var answer = ParseNode(fixture.AnswerJson);
        Set(answer, "records[2].seal", "0x01");
        var path = await WriteAsync("bad-seal.json", answer);

        var r = await CliRunner.RunAsync("verify-proof", path, "--consortium", fixture.ConsortiumPath);

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("records[2].seal: ", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyProof_RpcWithoutAnchor_ExitsTwo()
    {
        var r = await CliRunner.RunAsync("verify-proof", fixture.AnswerPath, "--consortium", fixture.ConsortiumPath, "--rpc", "http://127.0.0.1:8545");

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--anchor: ", r.StdErr, StringComparison.Ordinal);
    }
}
