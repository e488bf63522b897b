using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Lane;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Replication.ThreeNodes;

namespace Ledger.Engine.Tests.Replication;

/// <summary>Three engines replicate each other's lanes and certify every block with 3 of 3 cosignatures (docs/spec/lane.md §4).</summary>
public sealed class ThreeEngineTests
{
    private static readonly Address[] Lanes = [.. NodeKeys.Select(k => k.Address)];

    [Fact]
    public async Task ThreeEngines_CommissionShipReceiveDispenseVerify_EveryBlockCertified3Of3AndIdenticalEverywhere()
    {
        await using var t = new ThreeNodes();
        var commission = await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["A1", "A2"]));
        Assert.True(commission.Accepted, commission.Outcomes[0].Message);
        Assert.False(commission.Certified); // accepted: durable; certified once two more cosignatures arrive
        Assert.Single(t.Engines[0].Head.Certificate!.Cosignatures);
        await t.DeliverAllAsync();
        Assert.True(t.Engines[0].IsCertified(Lanes[0], 1));
        Assert.Equal(3, t.Engines[0].Head.Certificate!.Cosignatures.Count);

        var ship = await t.Submit(0, Maker, new ShipPayload([Pack("A1"), Pack("A2")], MakerGln, Wholesaler.Address, WholesalerGln));
        Assert.True(ship.Accepted, ship.Outcomes[0].Message);
        await t.DeliverAllAsync();
        var receive = await t.Submit(1, Wholesaler, new ReceivePayload(ship.Outcomes[0].RecordIds[0], [Pack("A1"), Pack("A2")], WholesalerGln));
        Assert.True(receive.Accepted, receive.Outcomes[0].Message);
        await t.DeliverAllAsync();
        var dispense = await t.Submit(1, Wholesaler, new DecommissionPayload([Pack("A1")], DecommissionState.Supplied, WholesalerGln));
        Assert.True(dispense.Accepted, dispense.Outcomes[0].Message);
        // A scan by a party of another node: outside the item's custody chain, it changes no item state.
        var verify = await t.Submit(2, Pharmacy, new VerifyPayload(Pack("A2"), "L1", "281231", "dispensing", PharmacyGln, null));
        Assert.True(verify.Accepted, verify.Outcomes[0].Message);
        await t.DeliverAllAsync();

        Assert.DoesNotContain(t.Delivered, d => d.Result.Status is ApplyStatus.Rejected or ApplyStatus.Equivocation);
        AssertIdentical(t, ["A1", "A2"], expectedHeights: [2, 2, 1]);
        var a1 = t.Engines[2].Store.GetItem(Pack("A1"))!;
        Assert.Equal((ItemStatus.Supplied, Wholesaler.Address), (a1.Status, a1.Custodian));
        Assert.Equal(receive.Outcomes[0].RecordIds[0], t.Engines[0].Store.GetItem(Pack("A2"))!.LatestRecord);
    }

    [Fact]
    public async Task ScanOutsideTheCustodyChain_AnsweredFromTheItemsStatusOnThisNode()
    {
        // Any node answers a scan of any pack (GS1 verification): the pack's chain is on node 0's lane, the scan is
        // recorded on node 2's, and its answer is the pack's state as node 2 holds it.
        await using var t = new ThreeNodes();
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["V1", "V2"]))).Accepted);
        await t.DeliverAllAsync();

        var match = await t.Submit(2, Pharmacy, new VerifyPayload(Pack("V1"), "L1", "281231", "dispensing", PharmacyGln, null));
        Assert.True(match.Accepted, match.Outcomes[0].Message);
        Assert.Equal(new ItemVerification(true, VerificationFailureReason.None, VerificationInfo.None), match.Outcomes[0].Verification);

        var wrongLot = await t.Submit(2, Pharmacy, new VerifyPayload(Pack("V2"), "L9", "281231", "dispensing", PharmacyGln, null));
        Assert.True(wrongLot.Accepted, wrongLot.Outcomes[0].Message);
        Assert.Equal(new ItemVerification(false, VerificationFailureReason.NoMatchGtinSerialLot, VerificationInfo.None), wrongLot.Outcomes[0].Verification);
        await t.DeliverAllAsync();
        // The scans changed no item state on any node.
        for (var i = 0; i < 3; i++)
            Assert.Equal(ItemStatus.Active, t.Engines[i].Store.GetItem(Pack("V1"))!.Status);
    }

    [Fact]
    public async Task ThreeEngines_Restarted_KeepTheirLanesCertificatesAndCosignLog()
    {
        await using var t = new ThreeNodes();
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["R1"]))).Accepted);
        await t.DeliverAllAsync();
        for (var i = 0; i < 3; i++)
            await t.ReopenAsync(i);
        AssertIdentical(t, ["R1"], expectedHeights: [1, 0, 0]);
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["R2"]))).Accepted);
        await t.DeliverAllAsync();
        AssertIdentical(t, ["R1", "R2"], expectedHeights: [2, 0, 0]);
    }

    [Fact]
    public void ShuffledDelivery_RecallsRacingShipDestroyAndCommissioning_SameItemStatesOnAllThree()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(6), Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            RunShuffled(seed).GetAwaiter().GetResult();
            return true;
        }));
    }

    private static async Task RunShuffled(int seed)
    {
        var random = new Random(seed);
        await using var t = new ThreeNodes();
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["S1", "S2", "S3"]))).Accepted);
        await t.DeliverAllAsync();
        // Concurrent: the maker ships S1 and S2 and destroys S3 on lane 0, while the regulator (lane 2) recalls S1 and S3
        // and the pharmacy scans S2, each node knowing only the commissioning.
        var ship = await t.Submit(0, Maker, new ShipPayload([Pack("S1"), Pack("S2")], MakerGln, Wholesaler.Address, WholesalerGln));
        Assert.True(ship.Accepted, ship.Outcomes[0].Message);
        Assert.True((await t.Submit(0, Maker, new DecommissionPayload([Pack("S3")], DecommissionState.Destroyed, MakerGln))).Accepted);
        var recall = await t.Submit(2, Regulator, new RecallPayload(Gtin, null, [Pack("S1")], "contamination"));
        Assert.True(recall.Accepted, recall.Outcomes[0].Message);
        Assert.True((await t.Submit(2, Regulator, new RecallPayload(Gtin, null, [Pack("S3")], "contamination"))).Accepted);
        Assert.True((await t.Submit(2, Pharmacy, new VerifyPayload(Pack("S2"), null, null, "scan", PharmacyGln, null))).Accepted);
        // And a lot recall on lane 2 racing a commissioning into that lot on lane 0.
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L2", "281231", MakerGln, ["S4"]))).Accepted);
        Assert.True((await t.Submit(2, Regulator, new RecallPayload(Gtin, "L2", null, "contamination"))).Accepted);
        await t.DeliverAllAsync(random);
        // Once the recall is on lane 0's node, a commissioning into the lot is refused there (and so never reaches a block).
        Assert.Equal(CustodyErrorCodes.LotRecalled, (await t.Submit(0, Maker, new CommissionPayload(Gtin, "L2", "281231", MakerGln, ["S5"]))).Outcomes[0].Code);
        // The wholesaler receives S2 (S1 is recalled: its receive is refused, the same on every node that sees the recall).
        var receive = await t.Submit(1, Wholesaler, new ReceivePayload(ship.Outcomes[0].RecordIds[0], [Pack("S2")], WholesalerGln));
        Assert.True(receive.Accepted, receive.Outcomes[0].Message);
        var refused = await t.Submit(1, Wholesaler, new ReceivePayload(ship.Outcomes[0].RecordIds[0], [Pack("S1")], WholesalerGln));
        Assert.Equal(CustodyErrorCodes.TerminalState, refused.Outcomes[0].Code);
        await t.DeliverAllAsync(random);

        Assert.DoesNotContain(t.Delivered, d => d.Result.Status is ApplyStatus.Rejected or ApplyStatus.Equivocation);
        Assert.All(t.Engines, e => Assert.Equal(0, e.HeldBlocks));
        AssertIdentical(t, ["S1", "S2", "S3", "S4"], expectedHeights: [4, 1, 4]);
        foreach (var e in t.Engines)
        {
            Assert.Equal(ItemStatus.Recalled, e.GetStatus(Pack("S1")));
            Assert.Equal(ItemStatus.Destroyed, e.Store.GetItem(Pack("S3"))!.Status);
            Assert.Equal(ItemStatus.Active, e.Store.GetItem(Pack("S2"))!.Status);
            Assert.Equal(ItemStatus.Recalled, e.GetStatus(Pack("S4")));
        }
    }

    /// <summary>Every engine holds every lane with identical certified headers and state roots, and identical item states.</summary>
    internal static void AssertIdentical(ThreeNodes t, string[] serials, long[] expectedHeights)
    {
        for (var l = 0; l < 3; l++)
        {
            for (var i = 0; i < 3; i++)
                Assert.Equal(expectedHeights[l], t.Engines[i].HeadOf(Lanes[l]).Height);
            for (var h = 1; h <= expectedHeights[l]; h++)
            {
                var (header0, _) = t.Engines[0].GetLaneBlock(Lanes[l], h);
                for (var i = 0; i < 3; i++)
                {
                    var (header, certificate) = t.Engines[i].GetLaneBlock(Lanes[l], h);
                    Assert.Equal(header0!.Encode(), header!.Encode());
                    Assert.Equal(3, certificate!.Cosignatures.Count);
                    Assert.True(certificate.Verify(header.Header, ThreeNodes.Consortium.NodeAddresses).IsValid, $"certificate of lane {l} height {h} on engine {i}");
                }
            }
        }
        foreach (var serial in serials)
        {
            var states = t.Engines.Select(e => e.Store.GetItem(Pack(serial))).ToList();
            Assert.All(states, s => Assert.NotNull(s));
            Assert.All(states, s => Assert.Equal(states[0], s));
            var statuses = t.Engines.Select(e => e.GetStatus(Pack(serial))).ToList();
            Assert.All(statuses, s => Assert.Equal(statuses[0], s));
        }
    }
}
