using Ledger.Engine.Faults;
using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Replication.ThreeNodes;

namespace Ledger.Engine.Tests.Replication;

/// <summary>Blocks of another lane with a defect, equivocation, and the fault points of the applier and of certification.</summary>
public sealed class ForeignBlockTests
{
    private static readonly Address Lane0 = NodeKeys[0].Address;

    private static BlockHeader With(BlockHeader h, Hash32? parent = null, Hash32? recordsRoot = null, Hash32? logRoot = null, Hash32? stateRoot = null,
        IEnumerable<LaneRef>? refs = null) =>
        new(h.Lane, h.Height, parent ?? h.Parent, h.TimeMs, recordsRoot ?? h.RecordsRoot, h.RecordCount, h.LogSize, logRoot ?? h.LogRoot,
            stateRoot ?? h.StateRoot, refs ?? h.Refs);

    private static Block Resign(Block block, BlockHeader header, PrivateKey? key = null, IReadOnlyList<SignedBatch>? batches = null) =>
        new(SignedHeader.Sign(header, key ?? NodeKeys[0]), batches ?? block.Batches);

    private static Block BlockOf(ConsortiumMessage m) => Block.Decode(m.Payload);

    /// <summary>Engine 0's next block, taken off the transport before anyone received it.</summary>
    private static async Task<Block> NextBlockOfLane0(ThreeNodes t, params string[] serials)
    {
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, serials))).Accepted);
        var queued = t.TakeQueued();
        return BlockOf(queued.First(q => q.Message.Kind == ConsortiumMessageKind.Block).Message);
    }

    [Fact]
    public async Task ForeignBlock_EachDefect_RefusedWithItsOwnCodeOrHeld_AndChangesNothing()
    {
        await using var t = new ThreeNodes();
        var first = await NextBlockOfLane0(t, "D1");
        var h = first.SignedHeader.Header;
        var e = t.Engines[1];
        var random = Sha256.Hash("not a root"u8);

        var cases = new (string Code, Block Block)[]
        {
            ("header-signature", new Block(new SignedHeader(h, Key(0x99).Sign(h.Hash())), first.Batches)),
            ("records-root", Resign(first, With(h, recordsRoot: random))),
            ("log-root", Resign(first, With(h, logRoot: random))),
            ("state-root", Resign(first, With(h, stateRoot: random))),
            ("batch-signature", Resign(first, h, batches: [SignedBatch.FromParts(first.Batches[0].Header, Wholesaler.Sign(first.Batches[0].Header.Hash()), first.Batches[0].Records)])),
            ("custody", CustodyViolation(h)),
        };
        foreach (var (code, block) in cases)
        {
            var result = await e.ApplyBlockAsync(block);
            Assert.True(result.Status == ApplyStatus.Rejected && result.Code == code, $"{code}: got {result.Status} {result.Code} {result.Message}");
            AssertNothingChanged(t);
        }

        // The block as signed is applied.
        var applied = await e.ApplyBlockAsync(first);
        Assert.Equal(ApplyStatus.Applied, applied.Status);
        Assert.NotNull(applied.Cosignature);
        Assert.Equal(1, e.HeadOf(Lane0).Height);
        Assert.NotNull(e.Store.GetItem(Pack("D1")));
        t.TakeQueued();

        // A parent link that names another header than the one held (height 1 names none: tested at height 2).
        var second = await NextBlockOfLane0(t, "D2");
        var h2 = second.SignedHeader.Header;
        var wrong = await e.ApplyBlockAsync(Resign(second, With(h2, parent: random)));
        Assert.Equal((ApplyStatus.Rejected, "wrong-parent"), (wrong.Status, wrong.Code));
        AssertNothingMore(t);

        // A reference to a head not present: held, and nothing applied, until it arrives.
        var held = await e.ApplyBlockAsync(Resign(second, With(h2, refs: [new LaneRef(NodeKeys[2].Address, 5, random)])));
        Assert.Equal((ApplyStatus.Held, "ref-missing"), (held.Status, held.Code));
        Assert.Equal(1, e.HeldBlocks);
        AssertNothingMore(t);
        Assert.Empty(e.FrozenLanes);
    }

    private static void AssertNothingMore(ThreeNodes t)
    {
        var e = t.Engines[1];
        Assert.Equal(1, e.HeadOf(Lane0).Height);
        Assert.Null(e.Store.GetItem(Pack("D2")));
        Assert.Equal(0, t.Pending);
    }

    /// <summary>A block of lane 0 whose record the custody rules refuse: the wholesaler commissions under the maker's prefix.</summary>
    private static Block CustodyViolation(BlockHeader like)
    {
        var record = new LedgerRecord(Wholesaler.Address, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000, new CommissionPayload(Gtin, "L1", "281231", WholesalerGln, ["X1"]), []);
        var batch = SignedBatch.Sign([record], Wholesaler);
        var leaves = new[] { MerkleHash.Leaf(record.Id) };
        var root = MerkleTree.ComputeRoot(leaves);
        var header = new BlockHeader(Lane0, 1, Hash32.Zero, like.TimeMs, root, 1, 1, root, like.StateRoot);
        return new Block(SignedHeader.Sign(header, NodeKeys[0]), [batch]);
    }

    private static void AssertNothingChanged(ThreeNodes t)
    {
        var e = t.Engines[1];
        Assert.Equal(0, e.HeadOf(Lane0).Height);
        Assert.Null(e.Store.GetItem(Pack("D1")));
        Assert.Null(e.Store.GetItem(Pack("X1")));
        Assert.Equal(0, t.Pending); // no cosignature released
    }

    [Fact]
    public async Task Equivocation_TwoBlocksAtOneHeight_EvidenceStoredLaneFrozenAlertRaisedNoSecondCosignature_KeptAcrossRestart()
    {
        await using var t = new ThreeNodes();
        // A second engine with node 0's key writes another block 1 of lane 0.
        var twinDir = Path.Combine(Path.GetTempPath(), "ledger-twin-" + Guid.NewGuid().ToString("N"));
        Block? twinBlock = null;
        var twin = LedgerEngine.Open(twinDir, NodeKeys[0], ThreeNodes.Consortium);
        try
        {
            twin.BlockCommitted += b => twinBlock = b;
            var r = new LedgerRecord(Maker.Address, 900, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["T9"]), []);
            Assert.True((await twin.SubmitAsync(SignedBatch.Sign([r], Maker))).Accepted);
        }
        finally
        {
            await twin.DisposeAsync();
            Directory.Delete(twinDir, recursive: true);
        }
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["E1"]))).Accepted);
        await t.DeliverAllAsync();
        Assert.True(t.Engines[1].IsCertified(Lane0, 1));

        var alerts = new List<EquivocationEvidence>();
        t.Engines[1].EquivocationDetected += alerts.Add;
        var result = await t.Replicators[1].ReceiveAsync(ConsortiumMessage.ForBlock(twinBlock!));
        Assert.Equal(ApplyStatus.Equivocation, result.Status);
        Assert.Null(result.Cosignature);
        var evidence = Assert.Single(alerts);
        Assert.Equal(0, t.Pending); // the second header is never cosigned
        var (stored, certificate) = t.Engines[1].GetLaneBlock(Lane0, 1);
        Assert.Equal(stored!.Hash(), certificate!.HeaderHash);
        Assert.Equal((stored.Hash(), twinBlock!.SignedHeader.Hash()), (evidence.First.Hash(), evidence.Second.Hash()));
        Assert.Contains(Lane0, t.Engines[1].FrozenLanes);

        await t.ReopenAsync(1);
        var kept = Assert.Single(t.Engines[1].GetEvidence());
        Assert.Equal((Lane0, 1L), (kept.Lane, kept.Height));
        Assert.Equal(evidence.First.Encode(), kept.First.Encode());
        Assert.Equal(evidence.Second.Encode(), kept.Second.Encode());
        Assert.Contains(Lane0, t.Engines[1].FrozenLanes);
        Assert.True(kept.First.Verify().IsValid && kept.Second.Verify().IsValid); // both signed by lane 0's node: proof on its own

        // Frozen: the lane's next block gets no cosignature from this node.
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["E2"]))).Accepted);
        var next = t.TakeQueued().Where(q => q.To == 1 && q.Message.Kind == ConsortiumMessageKind.Block).Select(q => q.Message).Single();
        var refused = await t.Replicators[1].ReceiveAsync(next);
        Assert.Equal((ApplyStatus.Rejected, "lane-frozen"), (refused.Status, refused.Code));
        Assert.Equal(0, t.Pending);
    }

    [Fact]
    public async Task FaultPoint_CosignRecord_NothingWrittenNothingCosigned_RedeliveredBlockCosignedOnce()
    {
        await using var t = new ThreeNodes(null, new LaneOptions { Faults = FaultPoints.Throwing(FaultPoints.CosignRecord) });
        t.Failures = [];
        var ack = await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["F1"]));
        Assert.True(ack.Accepted);
        await t.DeliverAllAsync();
        // The first delivery to node 1 reached the point; the node stopped, so what followed failed too.
        Assert.NotEmpty(t.Failures);
        Assert.All(t.Failures, f => Assert.Equal(1, f.To));

        await t.ReopenAsync(1);
        Assert.Equal(0, t.Engines[1].HeadOf(Lane0).Height);
        Assert.Null(t.Engines[1].Store.GetItem(Pack("F1")));
        t.Requeue(t.Failures);
        t.Failures.Clear();
        await t.DeliverAllAsync();
        AssertCertifiedOnAll(t, ack.Height!.Value);
        AssertOneCosignatureEach(t, ack.Height.Value);
        for (var i = 0; i < 3; i++)
            Assert.True((await t.VerifyAsync(i)).Ok);
    }

    [Fact]
    public async Task FaultPoint_ForeignApplied_BlockDurableAndCosignedOnce_RedeliveryReleasesTheSameCosignature()
    {
        await using var t = new ThreeNodes(null, new LaneOptions { Faults = FaultPoints.Throwing(FaultPoints.ForeignApplied) });
        t.Failures = [];
        var ack = await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["F2"]));
        await t.DeliverAllAsync();
        Assert.Equal(ConsortiumMessageKind.Block, t.Failures[0].Message.Kind);

        await t.ReopenAsync(1);
        Assert.Equal(1, t.Engines[1].HeadOf(Lane0).Height); // applied and durable before the fault
        var recorded = t.Engines[1].GetLaneBlock(Lane0, 1).Certificate!.Cosignatures.Single(c => c.Node == NodeKeys[1].Address);
        var again = await t.Replicators[1].ReceiveAsync(t.Failures[0].Message);
        Assert.Equal(ApplyStatus.Duplicate, again.Status);
        Assert.Equal(recorded.Signature, again.Cosignature!.Signature); // the same cosignature, never a second one
        t.Requeue(t.Failures.Skip(1));
        t.Failures.Clear();
        await t.DeliverAllAsync();
        AssertCertifiedOnAll(t, ack.Height!.Value);
        AssertOneCosignatureEach(t, ack.Height.Value);
        for (var i = 0; i < 3; i++)
            Assert.True((await t.VerifyAsync(i)).Ok);
    }

    [Fact]
    public async Task FaultPoint_CertificateStore_AcknowledgedBlockKept_CertificateAssembledAgainFromRedeliveredCosignature()
    {
        await using var t = new ThreeNodes(new LaneOptions { Faults = FaultPoints.Throwing(FaultPoints.CertificateStore) });
        t.Failures = [];
        var ack = await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, ["F3"]));
        Assert.True(ack.Accepted);
        await t.DeliverAllAsync();
        Assert.NotEmpty(t.Failures);
        Assert.All(t.Failures, f => Assert.Equal(0, f.To));

        await t.ReopenAsync(0);
        Assert.Equal(ack.Height, t.Engines[0].Head.Height); // nothing acknowledged is lost
        Assert.NotNull(t.Engines[0].Store.GetItem(Pack("F3")));
        Assert.False(t.Engines[0].IsCertified(Lane0, ack.Height!.Value)); // the certificate was assembled, never stored
        t.Requeue(t.Failures);
        t.Failures.Clear();
        await t.DeliverAllAsync();
        AssertCertifiedOnAll(t, ack.Height.Value);
        AssertOneCosignatureEach(t, ack.Height.Value);
        for (var i = 0; i < 3; i++)
            Assert.True((await t.VerifyAsync(i)).Ok);
    }

    private static void AssertCertifiedOnAll(ThreeNodes t, long height)
    {
        for (var i = 0; i < 3; i++)
            Assert.True(t.Engines[i].IsCertified(Lane0, height), $"engine {i}");
    }

    private static void AssertOneCosignatureEach(ThreeNodes t, long height)
    {
        var certificates = t.Engines.Select(e => e.GetLaneBlock(Lane0, height).Certificate!).ToList();
        foreach (var c in certificates)
        {
            Assert.Equal(NodeKeys.Select(k => k.Address).Order(), c.Cosignatures.Select(x => x.Node));
            Assert.True(c.Verify(t.Engines[0].GetLaneBlock(Lane0, height).Header!.Header, ThreeNodes.Consortium.NodeAddresses).IsValid);
        }
        // Every node's cosignature is the same bytes on every engine: none cosigned twice.
        foreach (var node in NodeKeys.Select(k => k.Address))
            Assert.Single(certificates.Select(c => c.Cosignatures.Single(x => x.Node == node).Signature).Distinct());
    }
}
