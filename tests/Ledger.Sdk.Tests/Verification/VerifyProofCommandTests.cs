using System.Text.Json.Nodes;
using Ledger.Cli.Tests;
using Ledger.Sdk.Provenance;
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
        Assert.Equal(ProvenanceVerifierTests.RecordCount + 0, r.StdOut.Split('\n').Count(l => l.StartsWith("ok   seal records[", StringComparison.Ordinal)));
        Assert.Equal("", r.StdErr);
        // It ends with what was proven, not just "verified".
        var last = r.StdOut.TrimEnd().Split('\n')[^1];
        var pharmacy = fixture.Consortium.Parties.First(p => p.Name == "pharmacy").Address;
        Assert.StartsWith($"proven: {fixture.Item} is Supplied at ", last, StringComparison.Ordinal);
        Assert.Contains($"custodian {pharmacy}", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyProof_Json_WritesEveryCheckAndTheProvenSummary()
    {
        var r = await CliRunner.RunAsync("verify-proof", fixture.AnswerPath, "--consortium", fixture.ConsortiumPath, "--json", "--at", "2031-01-01T00:00:00Z");

        Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
        var report = JsonNode.Parse(r.StdOut)!;
        Assert.Equal("ledger-verification/v1", (string)report["format"]!);
        Assert.True((bool)report["passed"]!);
        var checks = report["checks"]!.AsArray();
        Assert.All(checks, c => Assert.Equal(("passed", "ok"), ((string)c!["result"]!, (string)c["code"]!)));
        Assert.Contains(checks, c => (string)c!["name"]! == ProvenanceVerifier.Status);
        var proven = report["proven"]!;
        Assert.Equal((fixture.Item.ToString(), "Supplied", "2031-01-01T00:00:00.0000000+00:00", "caller"),
            ((string)proven["item"]!, (string)proven["status"]!, (string)proven["at"]!, (string)proven["atSource"]!));
        Assert.Equal(fixture.Consortium.Parties.First(p => p.Name == "pharmacy").Address.ToString(), (string)proven["custodian"]!);
        Assert.Equal(ProvenanceDocument.Parse(fixture.AnswerJson).Records[^1].Record.Id.ToString(), (string)proven["lastRecord"]!);
        Assert.NotNull(proven["header"]!["hash"]);
    }

    [Fact]
    public async Task VerifyProof_JsonOfATamperedAnswer_ExitsOneWithTheFailedCheckAndNoSummary()
    {
        var answer = ParseNode(fixture.AnswerJson);
        Set(answer, "state.status", "Active");
        var path = await WriteAsync("tampered-status.json", answer);

        var r = await CliRunner.RunAsync("verify-proof", path, "--consortium", fixture.ConsortiumPath, "--json");

        Assert.Equal(1, r.ExitCode);
        var report = JsonNode.Parse(r.StdOut)!;
        Assert.False((bool)report["passed"]!);
        Assert.Null(report["proven"]);
        Assert.Contains(report["checks"]!.AsArray(), c => (string)c!["name"]! == ProvenanceVerifier.Status && (string)c["code"]! == "status-mismatch");
    }

    [Fact]
    public async Task VerifyProof_BadTime_ExitsTwoNamingTheOption()
    {
        var r = await CliRunner.RunAsync("verify-proof", fixture.AnswerPath, "--consortium", fixture.ConsortiumPath, "--at", "tomorrow");

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--at: ", r.StdErr, StringComparison.Ordinal);
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
