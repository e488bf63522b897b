using Ledger.Engine.Faults;
using Ledger.Engine.Lane;
using Xunit;

namespace Ledger.Engine.Tests.Faults;

/// <summary>
/// One deterministic test per seam of the local write path (docs/spec/lane.md §1): the engine meets the armed fault
/// point as it writes a block, is abandoned there as a crash would leave it, and is reopened. Afterwards every
/// acknowledged record is on the ledger, the unanswered batch is there entirely or not at all (as the seam says),
/// resubmitting it answers accordingly, and `store verify` passes.
/// </summary>
public sealed class WriteFaultPointTests
{
    [Theory]
    [InlineData(FaultPoints.LaneFrameAppended, false)]
    [InlineData(FaultPoints.LaneFrameSynced, false)]
    [InlineData(FaultPoints.LaneIndexWritten, true)]
    public async Task FaultAtSeam_Reopened_AcknowledgedKeptUnansweredAllOrNothingStoreVerifies(string point, bool committed)
    {
        await using var lane = new FaultTestLane();
        lane.Open();
        for (var i = 0; i < 4; i++)
            await lane.WriteAsync(records: 1 + i);
        var heightBefore = lane.Engine!.Head.Height;
        await lane.CloseAsync();

        var engine = lane.Open(FaultPoints.Throwing(point));
        var unanswered = lane.NextBatch(records: 5);
        var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => engine.SubmitAsync(unanswered));
        Assert.Equal(LaneWriteStatus.Failed, refused.State.Status);
        Assert.IsType<FaultInjectedException>(refused.InnerException);
        // Reads are served from the committed head after the fault.
        lane.AssertAcknowledgedPresent(point + ", after the fault");
        Assert.Equal(heightBefore, engine.Head.Height);
        await lane.CloseAsync();

        engine = lane.Open();
        // Frames past the committed head were never acknowledged: recovery cut them (and the log says so).
        if (committed)
            Assert.True(engine.Store.Segments.Recovery.IsClean, $"{point}: recovery cut a committed frame");
        else
            Assert.True(engine.Store.Segments.Recovery.TruncatedBytes > 0, $"{point}: the frame past the head was not cut");
        lane.AssertAcknowledgedPresent(point + ", after the restart");
        Assert.Equal(heightBefore + (committed ? 1 : 0), engine.Head.Height);
        var present = unanswered.Records.Select(r => engine.Store.FindRecord(r.Id) is not null).ToList();
        Assert.All(present, p => Assert.Equal(committed, p));
        var again = await engine.SubmitAsync(unanswered);
        Assert.All(again.Outcomes, o => Assert.Equal(committed ? OutcomeStatus.Duplicate : OutcomeStatus.Accepted, o.Status));
        lane.Acknowledged.AddRange(unanswered.Records.Select(r => r.Id));
        await lane.WriteAsync();
        await lane.CloseAsync();
        var report = lane.AssertVerifies(point);
        Assert.Equal(heightBefore + 2, report.BlocksChecked);
    }

    [Fact]
    public async Task FrameAppendFails_AsOnFullDisk_LaneGoesBackToDurableHeadRefusesThenTakesWritesAfterReopen()
    {
        // The in-process stand-in for ENOSPC: the append throws where the disk would, and the write path's error
        // handling (back to the durable head, refusal naming the path) runs as for a real failure.
        await using var lane = new FaultTestLane(options: new LaneOptions { MinFreeMb = 0, ScrubBytesPerSecond = 0, WriteRetrySeconds = 0 });
        lane.Open();
        await lane.WriteAsync();
        await lane.CloseAsync();

        var engine = lane.Open(FaultPoints.Throwing(FaultPoints.LaneFrameNoSpace));
        var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => engine.SubmitAsync(lane.NextBatch()));
        Assert.Equal(LaneWriteStatus.WriteFailed, refused.State.Status);
        Assert.Equal("ledger/blocks", refused.State.Path);
        Assert.DoesNotContain(lane.Directory, refused.Message, StringComparison.Ordinal);
        // Retried at once (WriteRetrySeconds = 0): the next block is built again on the durable head, and fails again.
        refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => engine.SubmitAsync(lane.NextBatch()));
        Assert.Equal(LaneWriteStatus.WriteFailed, refused.State.Status);
        lane.AssertAcknowledgedPresent("while refusing");
        await lane.CloseAsync();

        lane.Open();
        await lane.WriteAsync();
        lane.AssertAcknowledgedPresent("after the reopen");
        await lane.CloseAsync();
        lane.AssertVerifies("after the reopen");
    }
}
