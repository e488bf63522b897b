using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Cli.Tests;
using Ledger.Engine.Lane;
using Ledger.Engine.Tests.Replication;
using Ledger.Node.Api;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;
using Xunit;
using static Ledger.Engine.Tests.Replication.ThreeNodes;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>
/// "Format unchanged" for <c>ledger-provenance/v3</c> (docs/spec/verifier.md §7): tests/vectors/provenance/v3-three-lanes.json
/// holds a consortium file and an answer across three lanes (generated once by <see cref="BuildAsync"/> from three
/// engines, committed deliberately). It must keep parsing, writing back to the same text and verifying to the stated
/// status; a record dropped from it fails `completeness`. To regenerate after an intended format change, set
/// LEDGER_PROVENANCE_V3_OUT to a file path and run <see cref="Vector_Regenerate_WhenAsked"/>.
/// </summary>
public sealed class ProvenanceV3VectorTests
{
    private static readonly DateTimeOffset At = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static string VectorPath => Path.Combine(AppContext.BaseDirectory, "vectors", "provenance", "v3-three-lanes.json");

    internal static async Task<JsonObject> BuildAsync()
    {
        await using var t = new ThreeNodes();
        async Task<SubmitResult> Accept(int node, Ledger.Protocol.Crypto.PrivateKey author, RecordPayload payload)
        {
            var r = await t.Submit(node, author, payload);
            Assert.True(r.Accepted, r.Outcomes[0].Message);
            await t.DeliverAllAsync();
            return r;
        }
        await Accept(0, Maker, new CommissionPayload(Gtin, "V1", "281231", MakerGln, ["V1"]));
        var ship = await Accept(0, Maker, new ShipPayload([Pack("V1")], MakerGln, Wholesaler.Address, WholesalerGln));
        await Accept(1, Wholesaler, new ReceivePayload(ship.Outcomes[0].RecordIds[0], [Pack("V1")], WholesalerGln));
        var ship2 = await Accept(1, Wholesaler, new ShipPayload([Pack("V1")], WholesalerGln, Pharmacy.Address, PharmacyGln));
        await Accept(2, Pharmacy, new ReceivePayload(ship2.Outcomes[0].RecordIds[0], [Pack("V1")], PharmacyGln));
        var answer = JsonSerializer.Serialize(LedgerJson.Provenance(t.Engines[1].GetProvenanceAcrossLanes(Pack("V1"), At), t.Engines[1].Lane), JsonSerializerOptions.Web);
        return new JsonObject
        {
            ["description"] = "ledger-provenance/v3 answer of node n1 for a pack whose custody crossed three lanes (docs/spec/verifier.md section 7); generated once by ProvenanceV3VectorTests.BuildAsync.",
            ["consortium"] = JsonNode.Parse(ConsortiumFile.Serialize(Consortium.Definition)),
            ["expected"] = new JsonObject { ["status"] = nameof(ItemStatus.Active), ["custodian"] = Pharmacy.Address.ToString(), ["lanes"] = 3 },
            ["answer"] = JsonNode.Parse(answer),
        };
    }

    [Fact]
    public async Task Vector_Regenerate_WhenAsked()
    {
        // Writes only when asked (LEDGER_PROVENANCE_V3_OUT); otherwise checks that a fresh answer still verifies.
        var fresh = await BuildAsync();
        var consortium = ConsortiumFile.Parse(fresh["consortium"]!.ToJsonString());
        Assert.True(ProvenanceVerifier.Verify(ProvenanceDocument.Parse(fresh["answer"]!.ToJsonString()), consortium).Passed);
        if (Environment.GetEnvironmentVariable("LEDGER_PROVENANCE_V3_OUT") is { Length: > 0 } path)
            await File.WriteAllTextAsync(path, fresh.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    [Fact]
    public void Vector_ParsesWritesBackAndVerifiesToTheStatedStatus()
    {
        var vector = JsonNode.Parse(File.ReadAllText(VectorPath))!;
        var consortium = ConsortiumFile.Parse(vector["consortium"]!.ToJsonString());
        var text = vector["answer"]!.ToJsonString();
        var document = ProvenanceDocument.Parse(text);
        Assert.Equal(ProvenanceDocument.FormatV3, document.FormatName);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(text), JsonNode.Parse(document.ToJson())));
        var report = ProvenanceVerifier.Verify(document, consortium);
        Assert.True(report.Passed, report.FailureReason);
        Assert.Equal(vector["expected"]!["status"]!.GetValue<string>(), report.Summary!.Status.ToString());
        Assert.Equal(vector["expected"]!["custodian"]!.GetValue<string>(), report.Summary.Custodian.ToString());
        Assert.Equal(vector["expected"]!["lanes"]!.GetValue<int>(), report.Summary.Lanes.Count);

        var dropped = JsonNode.Parse(text)!;
        dropped["lanes"]![2]!["records"]!.AsArray().RemoveAt(0);
        var tampered = ProvenanceVerifier.Verify(ProvenanceDocument.Parse(dropped.ToJsonString()), consortium);
        Assert.Equal(("completeness", "state-proof"), (tampered.FirstFailure!.Name, tampered.FirstFailure.Code));
    }

    [Fact]
    public async Task VerifyProof_OnTheVector_ExitsZeroAndNamesEveryLaneHeader()
    {
        var vector = JsonNode.Parse(await File.ReadAllTextAsync(VectorPath))!;
        var folder = Directory.CreateTempSubdirectory("ledger-v3-vector-").FullName;
        try
        {
            var answer = Path.Combine(folder, "provenance.json");
            var consortium = Path.Combine(folder, "consortium.json");
            await File.WriteAllTextAsync(answer, vector["answer"]!.ToJsonString());
            await File.WriteAllTextAsync(consortium, vector["consortium"]!.ToJsonString());
            var r = await CliRunner.RunAsync("verify-proof", answer, "--consortium", consortium);
            Assert.True(r.ExitCode == 0, r.StdErr + r.StdOut);
            Assert.Contains("ok   lanes lanes (3 of 3 with a header)", r.StdOut, StringComparison.Ordinal);
            Assert.Equal(3, r.StdOut.Split('\n').Count(l => l.StartsWith("ok   header-signature lanes[", StringComparison.Ordinal)));
            var verified = r.StdOut.Split('\n').Single(l => l.StartsWith("verified: ", StringComparison.Ordinal));
            Assert.Equal(3, verified.Split(" height ").Length - 1);
            Assert.StartsWith($"proven: {ThreeNodes.Pack("V1")} is Active at ", r.StdOut.TrimEnd().Split('\n')[^1], StringComparison.Ordinal);

            var json = await CliRunner.RunAsync("verify-proof", answer, "--consortium", consortium, "--json");
            Assert.True(json.ExitCode == 0, json.StdErr + json.StdOut);
            var proven = JsonNode.Parse(json.StdOut)!["proven"]!;
            Assert.Equal(3, proven["lanes"]!.AsArray().Count);
            Assert.Equal(vector["answer"]!["lanes"]![2]!["header"]!["lane"]!.GetValue<string>(), proven["header"]!["lane"]!.GetValue<string>());

            var dropped = vector["answer"]!.DeepClone();
            dropped["lanes"]![0]!["records"]!.AsArray().RemoveAt(1);
            await File.WriteAllTextAsync(answer, dropped.ToJsonString());
            var failed = await CliRunner.RunAsync("verify-proof", answer, "--consortium", consortium);
            Assert.Equal(1, failed.ExitCode);
            Assert.StartsWith("completeness lanes[0] ", failed.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
