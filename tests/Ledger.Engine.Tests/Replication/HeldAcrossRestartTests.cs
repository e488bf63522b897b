using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Replication.ThreeNodes;

namespace Ledger.Engine.Tests.Replication;

/// <summary>Blocks held for a dependency and cosignatures that came before their block survive a restart (docs/spec/lane.md §4.1).</summary>
public sealed class HeldAcrossRestartTests
{
    private static readonly Address Lane0 = NodeKeys[0].Address;

    private static async Task<List<(int To, ConsortiumMessage Message)>> SubmitOnLane0(ThreeNodes t, string serial)
    {
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, [serial]))).Accepted);
        return t.TakeQueued();
    }

    private static ConsortiumMessage To(List<(int To, ConsortiumMessage Message)> queued, int to, ConsortiumMessageKind kind) =>
        queued.Single(q => q.To == to && q.Message.Kind == kind).Message;

    [Fact]
    public async Task HeldBlockAndEarlyCosignatures_KeptAcrossRestart_AppliedAndCountedWhenTheMissingBlockArrives_ThenPruned()
    {
        await using var t = new ThreeNodes();
        var first = await SubmitOnLane0(t, "H1");
        var second = await SubmitOnLane0(t, "H2");
        // Node 2 applies block 1 and releases its cosignature; node 1 has not seen block 1 yet.
        Assert.Equal(ApplyStatus.Applied, (await t.Replicators[2].ReceiveAsync(To(first, 2, ConsortiumMessageKind.Block))).Status);
        var fromNode2 = t.TakeQueued();
        var early2 = To(fromNode2, 1, ConsortiumMessageKind.Cosignatures);

        var e1 = t.Engines[1];
        var held = await t.Replicators[1].ReceiveAsync(To(second, 1, ConsortiumMessageKind.Block));
        Assert.Equal((ApplyStatus.Held, "parent-missing"), (held.Status, held.Code));
        Assert.Equal(ApplyStatus.Held, (await t.Replicators[1].ReceiveAsync(To(first, 1, ConsortiumMessageKind.Cosignatures))).Status);
        Assert.Equal(ApplyStatus.Held, (await t.Replicators[1].ReceiveAsync(early2)).Status);
        Assert.Equal(1, e1.HeldBlocks);
        Assert.Equal(1, e1.EarlyCosignatureBlocks);

        await t.ReopenAsync(1);
        e1 = t.Engines[1];
        Assert.Equal(1, e1.HeldBlocks); // kept across the restart
        Assert.Equal(1, e1.EarlyCosignatureBlocks);
        Assert.Equal(0, e1.HeadOf(Lane0).Height);

        // Block 1 arrives (only the block: the early cosignatures are not sent again): it is applied with nodes 0's and
        // 2's cosignatures from before the restart, then the held block 2 is applied.
        var applied = await t.Replicators[1].ReceiveAsync(To(first, 1, ConsortiumMessageKind.Block));
        Assert.Equal(ApplyStatus.Applied, applied.Status);
        Assert.Equal(2, e1.HeadOf(Lane0).Height);
        Assert.NotNull(e1.Store.GetItem(Pack("H2")));
        Assert.True(e1.IsCertified(Lane0, 1));
        Assert.Equal(NodeKeys.Select(k => k.Address).Order(), e1.GetLaneBlock(Lane0, 1).Certificate!.Cosignatures.Select(c => c.Node).Order());
        Assert.Equal(0, e1.HeldBlocks);
        Assert.Equal(0, e1.EarlyCosignatureBlocks);

        // Pruned: nothing is held after another restart, and the store checks out.
        Assert.True((await t.VerifyAsync(1)).Ok);
        Assert.Equal(0, t.Engines[1].HeldBlocks);
        Assert.Equal(0, t.Engines[1].EarlyCosignatureBlocks);
        Assert.Equal(0, CountHeldEntries(t.Engines[1]));
    }

    [Fact]
    public async Task HeldBlockWhoseDependencyCameBeforeTheCrash_AppliedAtOpen()
    {
        await using var t = new ThreeNodes();
        var first = await SubmitOnLane0(t, "O1");
        var second = await SubmitOnLane0(t, "O2");
        Assert.Equal(ApplyStatus.Held, (await t.Replicators[1].ReceiveAsync(To(second, 1, ConsortiumMessageKind.Block))).Status);
        Assert.Equal(ApplyStatus.Applied, (await t.Replicators[1].ReceiveAsync(To(first, 1, ConsortiumMessageKind.Block))).Status);
        Assert.Equal(2, t.Engines[1].HeadOf(Lane0).Height); // retried at once
        Assert.Equal(0, CountHeldEntries(t.Engines[1]));

        // A held entry left behind (as by a crash between the block it waited for and its retry) is retried at open.
        var third = await SubmitOnLane0(t, "O3");
        var block3 = Block.Decode(To(third, 1, ConsortiumMessageKind.Block).Payload);
        var number = t.Engines[1].Store.NumberOf(Lane0)!.Value;
        t.Engines[1].Store.Db.Put(t.Engines[1].Store[LaneStore.Held], HeldEntryCodec.BlockKey(number, 3, block3.SignedHeader.Hash()), block3.Encode(), sync: true);
        await t.ReopenAsync(1);
        await WaitUntil(() => t.Engines[1].HeadOf(Lane0).Height == 3);
        Assert.Equal(0, t.Engines[1].HeldBlocks);
        Assert.Equal(0, CountHeldEntries(t.Engines[1]));
    }

    [Fact]
    public async Task EarlyCosignatureThatDoesNotCheckOut_NeverEntersTheCertificate()
    {
        await using var t = new ThreeNodes();
        var first = await SubmitOnLane0(t, "B1");
        var block = Block.Decode(To(first, 1, ConsortiumMessageKind.Block).Payload);
        var header = block.SignedHeader.Header;
        // "Node 2's" cosignature, signed by another key: it cannot be checked before the block is here, so it is held.
        var forged = new Cosignature(NodeKeys[2].Address, Cosignature.Create(header, Key(0x99)).Signature);
        var r = await t.Engines[1].AddCosignatureAsync(Lane0, header.Height, header.Hash(), forged);
        Assert.Equal(ApplyStatus.Held, r.Status);
        Assert.Equal(ApplyStatus.Applied, (await t.Engines[1].ApplyBlockAsync(block)).Status);
        Assert.DoesNotContain(t.Engines[1].GetLaneBlock(Lane0, 1).Certificate!.Cosignatures, c => c.Node == NodeKeys[2].Address);
        Assert.Equal(0, CountHeldEntries(t.Engines[1]));
    }

    private static int CountHeldEntries(LedgerEngine e)
    {
        using var it = e.Store.Db.NewIterator(e.Store[LaneStore.Held]);
        var n = 0;
        for (it.SeekToFirst(); it.Valid(); it.Next())
            n++;
        return n;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
            await Task.Delay(10);
        Assert.True(condition());
    }
}
