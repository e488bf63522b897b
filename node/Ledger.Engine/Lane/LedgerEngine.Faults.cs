using System.Globalization;
using Ledger.Engine.Faults;
using Ledger.Protocol.Merkle;
using Ledger.Storage.Segments;
using Microsoft.Extensions.Logging;

namespace Ledger.Engine.Lane;

// The engine's side of the write-failure policy (WriteFailurePolicy.cs): the fault points of the local write path, the
// way back to the durable head after a failed segment write, and the reports of damage and of recovery at open.
public sealed partial class LedgerEngine
{
    /// <summary>
    /// Appends the block's frame and fsyncs it (step 1 of the write path). A failure here is a <see cref="SegmentWriteException"/>:
    /// nothing of the block is committed, and the sequencer can go back to the durable head.
    /// </summary>
    private BlockLocation AppendDurably(byte[] encoded)
    {
        try
        {
            _faults.Reach(FaultPoints.LaneFrameNoSpace);
            var location = Store.Segments.Append(encoded);
            Store.Segments.WriteToOs();
            // Written to the OS, not fsynced: a crash here leaves a frame past the head (a power loss maybe a torn one).
            _faults.Reach(FaultPoints.LaneFrameAppended);
            Store.Segments.Flush();
            return location;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
            || (e is FaultInjectedException f && f.Point == FaultPoints.LaneFrameNoSpace))
        {
            throw new SegmentWriteException(e);
        }
    }

    /// <summary>
    /// After a failed segment write (policy 2): waits for the block in flight, drops what the failed block changed in
    /// memory (log frontier, state root, pending and cached nodes), cuts the segment back to the durable head's frame and
    /// answers the block's submissions with the refusal. If the block in flight failed too, or the cut fails, the lane
    /// stays failed (policy 3).
    /// </summary>
    private async Task<LaneWritesRefusedException> GoBackToDurableHeadAsync(SegmentWriteException e)
    {
        try
        {
            await _committing.ConfigureAwait(false);
            if (_failure is { } failed)
                return _policy.Failed(failed, StoreDamagedException.LedgerPath("index"));
            _overlay.SetInFlight(null);
            _overlay.Reset();
            _touched.Clear();
            _logNodes.Abandon();
            _stateNodes.Abandon();
            var head = _sequenced;
            _log = head.LogSize == 0 ? new MerkleLog(_logNodes) : MerkleLog.Restore(_logNodes, head.Frontier);
            _state = new SparseMerkleTree(_stateNodes, head.StateRoot);
            _applyState = _state; // the own lane's blocks are applied to the restored map
            Store.Segments.RecoverAfterFailure(head.Height == 0 ? null : head.Location);
        }
#pragma warning disable CA1031 // the way back failed: the lane stays failed until restart, every waiter is told
        catch (Exception again)
#pragma warning restore CA1031
        {
            _failure ??= again;
            LogStorageFailure(_logger, again);
            return _policy.Failed(again, StoreDamagedException.LedgerPath("blocks"));
        }
        var refused = _policy.SegmentWriteFailed(e.InnerException!);
        LogSegmentWriteFailed(_logger, refused.State.Path, refused.State.FreeBytes, _policy.Reason(e.InnerException!));
        return refused;
    }

    /// <summary>
    /// Appends a block of another lane to that lane's segment file and fsyncs it, under the same policy as the own lane
    /// (WriteFailurePolicy.cs, 2): a failure is a <see cref="SegmentWriteException"/> naming the lane, and nothing of the
    /// block is committed. The fault point <see cref="FaultPoints.LaneFrameNoSpace"/> fails it as a full disk would.
    /// </summary>
    private static BlockLocation AppendForeignDurably(ReplicaLane replica, byte[] encoded, FaultPoints faults)
    {
        try
        {
            faults.Reach(FaultPoints.LaneFrameNoSpace);
            var location = replica.Store.Segments.Append(encoded);
            replica.Store.Segments.Flush();
            return location;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
            || (e is FaultInjectedException f && f.Point == FaultPoints.LaneFrameNoSpace))
        {
            throw new SegmentWriteException(e) { Replica = replica };
        }
    }

    private BlockLocation AppendForeignDurably(ReplicaLane replica, byte[] encoded) => AppendForeignDurably(replica, encoded, _faults);

    /// <summary>
    /// After a failed segment write of another lane's block: that lane's pending log and state nodes are dropped (the
    /// block was computed on copies; its overlay is reset after every control), its segment is cut back to its durable
    /// head's frame, and writes are refused for the retry interval. If the cut fails the node stays failed (policy 3).
    /// </summary>
    private LaneWritesRefusedException GoBackToReplicaHead(SegmentWriteException e)
    {
        var replica = e.Replica!;
        var path = StoreDamagedException.LedgerPath("lanes/" + replica.Store.LaneAddress!.Value.ToLowerHex()[2..]);
        try
        {
            replica.LogNodes.Clear();
            replica.StateNodes.Clear();
            var head = replica.Store.Head;
            replica.Store.Segments.RecoverAfterFailure(head.Height == 0 ? null : head.Location);
        }
#pragma warning disable CA1031 // the way back failed: the node stays failed until restart
        catch (Exception again)
#pragma warning restore CA1031
        {
            _failure ??= again;
            LogStorageFailure(_logger, again);
            return _policy.Failed(again, path);
        }
        var refused = _policy.SegmentWriteFailed(e.InnerException!, path);
        LogSegmentWriteFailed(_logger, refused.State.Path, refused.State.FreeBytes, _policy.Reason(e.InnerException!));
        return refused;
    }

    /// <summary>A committed frame does not check out: the store is damaged, writes stop, the alert is raised once.</summary>
    private void OnDamaged(StoreDamagedException e)
    {
        if (_policy.Damaged(e))
        {
            DamageAlerts++;
            LogDamaged(_logger, e.Message);
        }
    }

    /// <summary>Damage alerts raised since the lane opened (a metric).</summary>
    public long DamageAlerts { get; private set; }

    /// <summary>Bytes the background scrub has re-read and checked since the lane opened (a metric).</summary>
    public long ScrubbedBytes => _scrubber?.CheckedBytes ?? 0;

    /// <summary>The height whose frame a damage found at open concerns (the head's frame, or the first block of a damaged segment).</summary>
    private long? HeightAt(SegmentCorruptException damage) =>
        Store.Head.Height > 0 && SegmentFormat.FileName(Store.Head.Location.Segment) == damage.FileName ? Store.Head.Height : null;

    /// <summary>One line on what the segments' recovery at open cut (frames never acknowledged).</summary>
    private static void ReportOpen(LaneStore store, ILogger logger)
    {
        var recovery = store.Segments.Recovery;
        if (recovery.IsClean)
            return;
        var deleted = recovery.DeletedFiles.Count == 0 ? "none" : string.Join(", ", recovery.DeletedFiles);
        if (recovery.TruncatedBytes == 0)
            LogSegmentsDeleted(logger, store.Head.Height, deleted);
        else
            LogTailCut(logger, recovery.TruncatedFile ?? "-", recovery.TruncatedFrom, recovery.TruncatedBytes, store.Head.Height, deleted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "recovery: cut {Bytes} bytes after the committed head (height {Height}) from ledger/blocks/{File} at offset {Offset}, and deleted later segments: {Deleted}; they were never acknowledged")]
    private static partial void LogTailCut(ILogger logger, string file, long offset, long bytes, long height, string deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "recovery: cut the segments after the committed head (height {Height}), deleted: {Deleted}; they held no acknowledged block")]
    private static partial void LogSegmentsDeleted(ILogger logger, long height, string deleted);

    [LoggerMessage(Level = LogLevel.Critical, Message = "storage damaged: {Detail}; the lane refuses writes and serves reads of intact blocks")]
    private static partial void LogDamaged(ILogger logger, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "a segment write failed ({Reason}); {Free} bytes free at {Path}; the block was abandoned before its commit and the lane refuses writes until it retries")]
    private static partial void LogSegmentWriteFailed(ILogger logger, string path, long free, string reason);
}

/// <summary>Step 1 of the write path (the segment append or fsync) failed; nothing of the block is committed.</summary>
internal sealed class SegmentWriteException(Exception inner)
    : Exception(string.Create(CultureInfo.InvariantCulture, $"the block's segment frame could not be made durable: {inner.Message}"), inner)
{
    /// <summary>The other lane whose block it was; null for the own lane.</summary>
    public ReplicaLane? Replica { get; init; }
}
