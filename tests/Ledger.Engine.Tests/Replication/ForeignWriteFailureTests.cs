using Ledger.Engine.Faults;
using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Replication.ThreeNodes;

namespace Ledger.Engine.Tests.Replication;

/// <summary>A block of another lane meets the write-failure policy (WriteFailurePolicy.cs) as the own lane's blocks do.</summary>
public sealed class ForeignWriteFailureTests
{
    private static readonly Address Lane0 = NodeKeys[0].Address;

    private static async Task<List<(int To, ConsortiumMessage Message)>> SubmitOnLane0(ThreeNodes t, string serial)
    {
        Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, [serial]))).Accepted);
        return t.TakeQueued();
    }

    private static void AssertNothingChanged(ThreeNodes t, string serial)
    {
        var e = t.Engines[1];
        Assert.Equal(0, e.HeadOf(Lane0).Height);
        Assert.Null(e.Store.GetItem(Pack(serial)));
        Assert.Equal(0, e.HeldBlocks);
        Assert.Equal(0, t.Pending); // no cosignature released
        if (e.Store.NumberOf(Lane0) is { } n)
            Assert.Null(e.Store.Db.Get(e.Store[LaneStore.Cosigns], LaneKeys.Height(n, 1)));
    }

    [Fact]
    public async Task SegmentWriteFailsDuringForeignApply_RefusedCleanlyNothingChanged_ResumesWithoutRestart()
    {
        await using var t = new ThreeNodes(null, new LaneOptions
        {
            MaxBlockDelay = TimeSpan.FromMilliseconds(1),
            Faults = FaultPoints.ThrowingFirst(FaultPoints.LaneFrameNoSpace, times: 1), // the disk full once, then space again
            WriteRetrySeconds = 0,
        });
        var queued = await SubmitOnLane0(t, "W1");
        var block = queued.Single(q => q.To == 1 && q.Message.Kind == ConsortiumMessageKind.Block).Message;

        var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => t.Replicators[1].ReceiveAsync(block));
        Assert.Equal((LaneWriteStatus.WriteFailed, "storage-failed"), (refused.State.Status, refused.State.Code));
        Assert.Equal("ledger/lanes/" + Lane0.ToLowerHex()[2..], refused.State.Path);
        Assert.DoesNotContain(Path.GetTempPath(), refused.Message, StringComparison.Ordinal);
        AssertNothingChanged(t, "W1");
        Assert.Null(t.Engines[1].Failure); // not failed: it retries

        // Sent again, it is applied (no restart), cosigned once, and every node certifies it.
        Assert.Equal(ApplyStatus.Applied, (await t.Replicators[1].ReceiveAsync(block)).Status);
        Assert.Equal(LaneWriteStatus.Writing, t.Engines[1].WriteState.Status);
        t.Requeue(queued.Where(q => !(q.To == 1 && q.Message.Kind == ConsortiumMessageKind.Block)));
        await t.DeliverAllAsync();
        for (var i = 0; i < 3; i++)
            Assert.True(t.Engines[i].IsCertified(Lane0, 1), $"engine {i}");
        var next = await SubmitOnLane0(t, "W2");
        t.Requeue(next);
        await t.DeliverAllAsync();
        Assert.Equal(2, t.Engines[1].HeadOf(Lane0).Height);
        Assert.True((await t.VerifyAsync(1)).Ok);
        Assert.True(t.Engines[1].Store.LaneByNumber(t.Engines[1].Store.NumberOf(Lane0)!.Value)!.Segments.Recovery.IsClean,
            "the failed frame was not cut when the lane went back to its durable head");
        Assert.NotNull(t.Engines[1].Store.GetItem(Pack("W1")));
    }

    [Fact]
    public async Task BelowFreeSpaceThreshold_ForeignBlocksAndCosignaturesRefusedBeforeAnythingIsTouched_TakenOnceSpaceIsBack()
    {
        // A threshold above any disk's free space stands in for a full disk.
        await using var t = new ThreeNodes(null, new LaneOptions { MaxBlockDelay = TimeSpan.FromMilliseconds(1), MinFreeMb = long.MaxValue / (1024 * 1024 * 2) });
        var queued = await SubmitOnLane0(t, "W3");
        var block = queued.Single(q => q.To == 1 && q.Message.Kind == ConsortiumMessageKind.Block).Message;
        var cosignature = queued.Single(q => q.To == 1 && q.Message.Kind == ConsortiumMessageKind.Cosignatures).Message;

        var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => t.Replicators[1].ReceiveAsync(block));
        Assert.Equal((LaneWriteStatus.StorageFull, "storage-full"), (refused.State.Status, refused.State.Code));
        Assert.Equal(LaneWriteStatus.StorageFull, (await Assert.ThrowsAsync<LaneWritesRefusedException>(() => t.Replicators[1].ReceiveAsync(cosignature))).State.Status);
        AssertNothingChanged(t, "W3");
        Assert.Null(t.Engines[1].Store.NumberOf(Lane0)); // not even a lane number was given

        await t.ReopenAsync(1); // the threshold met again (here: the node configured as usual)
        t.Requeue(queued);
        await t.DeliverAllAsync();
        for (var i = 0; i < 3; i++)
            Assert.True(t.Engines[i].IsCertified(Lane0, 1), $"engine {i}");
        Assert.True((await t.VerifyAsync(1)).Ok);
    }
}
