using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Engine.Lane;
using Ledger.Engine.Tests.Replication;
using Ledger.Node.Api;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;
using Xunit;
using static Ledger.Engine.Tests.Replication.ThreeNodes;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>
/// Provenance answers across lanes (docs/spec/verifier.md §7) from three engines that replicate each other: custody
/// crosses from node 0's lane to node 1's and node 2's, the regulator recalls on node 2's lane, and the answer of every
/// engine verifies offline with the same proven status; tampering with a section fails a named check.
/// </summary>
public sealed class CrossLaneProvenanceTests
{
    private static readonly DateTimeOffset At = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A1: commissioned and shipped on lane 0, received and shipped on lane 1, received and dispensed on lane 2 (a
    /// dispensed item of a recalled lot reads Recalled: CustodyRules.EffectiveStatus).
    /// A2: received on lane 1, recalled per serial by the regulator on lane 2 (outside its custody chain).
    /// A3: received on lane 1, scanned by the pharmacy on lane 2 (outside its chain), its lot recalled on lane 2.
    /// </summary>
    private static async Task<ThreeNodes> FlowAsync()
    {
        var t = new ThreeNodes();
        await Accept(t, 0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["A1", "A2", "A3"]));
        var ship = await Accept(t, 0, Maker, new ShipPayload([Pack("A1"), Pack("A2"), Pack("A3")], MakerGln, Wholesaler.Address, WholesalerGln));
        await Accept(t, 1, Wholesaler, new ReceivePayload(ship.Outcomes[0].RecordIds[0], [Pack("A1"), Pack("A2"), Pack("A3")], WholesalerGln));
        var ship2 = await Accept(t, 1, Wholesaler, new ShipPayload([Pack("A1")], WholesalerGln, Pharmacy.Address, PharmacyGln));
        await Accept(t, 2, Pharmacy, new ReceivePayload(ship2.Outcomes[0].RecordIds[0], [Pack("A1")], PharmacyGln));
        await Accept(t, 2, Pharmacy, new DecommissionPayload([Pack("A1")], DecommissionState.Supplied, PharmacyGln));
        await Accept(t, 2, Regulator, new RecallPayload(Gtin, null, [Pack("A2")], "contamination"));
        await Accept(t, 2, Pharmacy, new VerifyPayload(Pack("A3"), "L1", "281231", "dispensing", PharmacyGln, null));
        await Accept(t, 2, Regulator, new RecallPayload(Gtin, "L1", null, "contamination"));
        return t;
    }

    private static async Task<SubmitResult> Accept(ThreeNodes t, int node, Ledger.Protocol.Crypto.PrivateKey author, RecordPayload payload)
    {
        var result = await t.Submit(node, author, payload);
        Assert.True(result.Accepted, result.Outcomes[0].Message);
        await t.DeliverAllAsync();
        return result;
    }

    private static string Json(LedgerEngine engine, ItemId item) =>
        JsonSerializer.Serialize(LedgerJson.Provenance(engine.GetProvenanceAcrossLanes(item, At), engine.Lane), JsonSerializerOptions.Web);

    private static VerificationReport Verify(string json) => ProvenanceVerifier.Verify(ProvenanceDocument.Parse(json), Consortium.Definition);

    [Fact]
    public async Task EveryEngine_AnswersAcrossLanes_VerifiesWithTheSameProvenStatus()
    {
        await using var t = await FlowAsync();
        Assert.DoesNotContain(t.Delivered, d => d.Result.Status is ApplyStatus.Rejected or ApplyStatus.Equivocation);
        var expected = new Dictionary<string, ItemStatus> { ["A1"] = ItemStatus.Recalled, ["A2"] = ItemStatus.Recalled, ["A3"] = ItemStatus.Recalled };
        foreach (var (serial, status) in expected)
        {
            var summaries = new List<ProvenSummary>();
            for (var i = 0; i < 3; i++)
            {
                var json = Json(t.Engines[i], Pack(serial));
                var document = ProvenanceDocument.Parse(json);
                Assert.Equal(ProvenanceDocument.FormatV3, document.FormatName);
                Assert.Equal(3, document.Lanes!.Count);
                var report = Verify(json);
                Assert.True(report.Passed, $"engine {i} {serial}: {report.FailureReason}");
                Assert.Equal(status, report.Summary!.Status);
                Assert.Equal(3, report.Summary.Lanes.Count);
                summaries.Add(report.Summary);
            }
            Assert.All(summaries, s => Assert.Equal((summaries[0].Custodian, summaries[0].LastRecord), (s.Custodian, s.LastRecord)));
        }
        // A1's custody crossed all three lanes: every section carries records of it.
        var a1 = ProvenanceDocument.Parse(Json(t.Engines[2], Pack("A1")));
        Assert.Equal([2, 2, 2], a1.Lanes!.Select(l => l.Records.Count));
        // Dispensed (its stored status, proven by the replay), and Recalled on reads: the lot was recalled on lane 2.
        Assert.Equal(ItemStatus.Supplied, a1.State!.StoredStatus);
        Assert.Equal(Pharmacy.Address, Verify(Json(t.Engines[0], Pack("A1"))).Summary!.Custodian);
    }

    [Fact]
    public async Task TamperedSections_FailANamedCheck()
    {
        await using var t = await FlowAsync();
        var json = Json(t.Engines[1], Pack("A1"));
        Assert.True(Verify(json).Passed);

        // The lane's last record of the item dropped (lane 1's Ship to the pharmacy): that lane's state proof names it.
        var dropped = JsonNode.Parse(json)!;
        dropped["lanes"]![1]!["records"]!.AsArray().RemoveAt(1);
        var report = Verify(dropped.ToJsonString());
        Assert.Equal(("completeness", "state-proof"), (report.FirstFailure!.Name, report.FirstFailure.Code));
        Assert.StartsWith("lanes[1] ", report.FirstFailure.Subject, StringComparison.Ordinal);

        // An earlier record of a lane dropped (lane 1's Receive): the replay across lanes misses the hand-off.
        var earlier = JsonNode.Parse(json)!;
        earlier["lanes"]![1]!["records"]!.AsArray().RemoveAt(0);
        report = Verify(earlier.ToJsonString());
        Assert.Contains(report.Checks, c => !c.Passed && c.Name == "custody" && c.Code == "step-rejected");

        // A header swapped for another lane's.
        var swapped = JsonNode.Parse(json)!;
        swapped["lanes"]![1]!["header"] = swapped["lanes"]![0]!["header"]!.DeepClone();
        report = Verify(swapped.ToJsonString());
        Assert.Equal(("lanes", "lane-mismatch"), (report.FirstFailure!.Name, report.FirstFailure.Code));

        // The recipient's Receive and Dispense claimed on the maker's lane: besides their proofs, the replay refuses a
        // custody step outside the item's custody chain (custody.md §8).
        var moved = JsonNode.Parse(json)!;
        var pharmacyRecords = moved["lanes"]![2]!["records"]!.AsArray();
        var taken = pharmacyRecords.Select(r => r!.DeepClone()).ToList();
        pharmacyRecords.Clear();
        foreach (var r in taken)
            moved["lanes"]![0]!["records"]!.AsArray().Add(r);
        report = Verify(moved.ToJsonString());
        var custody = Assert.Single(report.Checks, c => c.Name == "custody");
        Assert.Equal("step-rejected", custody.Code);
        Assert.Contains("outside the custody chain", custody.Reason, StringComparison.Ordinal);
        Assert.Contains("out-of-lane", custody.Reason, StringComparison.Ordinal);

        // A lane left out.
        var missing = JsonNode.Parse(json)!;
        missing["lanes"]!.AsArray().RemoveAt(2);
        report = Verify(missing.ToJsonString());
        Assert.Equal(("lanes", "lane-missing"), (report.FirstFailure!.Name, report.FirstFailure.Code));
    }

    [Fact]
    public async Task LatestRecordAboveTheNewestCertifiedHeader_FailsTheCertificateUntilCertified()
    {
        await using var t = await FlowAsync();
        // B1 is commissioned on lane 0 and the block is not delivered: its certificate holds node 0's cosignature only.
        var commission = await t.Submit(0, Maker, new CommissionPayload(Gtin, "L2", "281231", MakerGln, ["B1"]));
        Assert.True(commission.Accepted, commission.Outcomes[0].Message);

        var report = Verify(Json(t.Engines[0], Pack("B1")));
        Assert.Equal(("certificate", "quorum"), (report.FirstFailure!.Name, report.FirstFailure.Code));
        Assert.StartsWith("lanes[0] ", report.FirstFailure.Subject, StringComparison.Ordinal);
        // Engines that have not applied the block prove the item unknown at their certified headers.
        var elsewhere = Verify(Json(t.Engines[1], Pack("B1")));
        Assert.True(elsewhere.Passed, elsewhere.FailureReason);
        Assert.False(elsewhere.Summary!.Known);

        await t.DeliverAllAsync();
        var certified = Verify(Json(t.Engines[0], Pack("B1")));
        Assert.True(certified.Passed, certified.FailureReason);
        Assert.Equal(ItemStatus.Active, certified.Summary!.Status);
    }
}
