// WRITE-FAILURE POLICY OF THE LANE — what happens when the code that writes (LedgerEngine.ProcessBlockAsync,
// WriteBlock, Commit; BlockSegmentStore; the RocksDB batch) meets a storage fault, and what is guaranteed.
//
// Guarantee, always: a submission is answered "accepted" only after its block's frame is fsynced AND the RocksDB batch
// naming it head is written with sync. Nothing acknowledged is ever lost or rewritten; a refused submission changed
// nothing. Reads (provenance, blocks, events) are served in every state below from the committed head.
//
// 1. Low disk (free space on the ledger's file system below Lane:MinFreeMb): checked before every block, before the
//    custody rules run, so nothing is touched; and before every block, cosignature or certificate of another lane
//    (ApplyBlockAsync and the rest refuse with the same exception, before they are queued and again when they run).
//    Every submission is refused with LaneWritesRefusedException
//    (storage-full: the path relative to the data folder and the free bytes; HTTP 507). The lane resumes by itself at
//    the first block after free space is back above the threshold. The threshold leaves RocksDB room for its flushes
//    and compactions, so that RocksDB itself never meets a full disk (it cannot resume from that in-process here).
// 2. A segment write, fsync, rollover or truncation fails (ENOSPC past the threshold, EIO) — of the own lane's block or
//    of another lane's being applied (ledger/lanes/<address>/, the same steps on that lane's head): the block is abandoned
//    before its RocksDB batch (its frame is no commit), its submissions get storage-failed (507). The sequencer drops
//    its in-memory state back to the last durable head (log frontier, state root, pending nodes), the segment store
//    cuts its file back to that head's frame (BlockSegmentStore.RecoverAfterFailure), and writes are refused for
//    Lane:WriteRetrySeconds; the next block after that tries again. After a failed fsync the file's contents are
//    unknown, so the failed frame is never reused: it is cut and the block is built again from the submissions that
//    arrive next. If the cut itself fails, the lane stays failed (3).
// 3. The RocksDB batch fails (or anything else inside a block): the lane stops writing until restart (readyz
//    lane-failed, 507 storage-failed). RocksDB's C API has no Resume(), and after a failed WAL write RocksDB refuses
//    every later write; the frame past the head is cut by the next open, none of its submissions was answered.
// 4. A committed frame is damaged (a torn head frame at open, a CRC mismatch on read or found by the scrubber): the
//    store is damaged. One line names the file, offset, height and what to do; the lane refuses writes (507
//    storage-damaged) until the file is restored and the node restarted; reads of intact blocks are served, a read of
//    the damaged one is a problem naming it (StoreDamagedException), never data.
// 5. At open, bytes past the committed head's frame were never acknowledged: they are cut, and the log says so.
//
// docs/spec/lane.md §1 ("Storage faults") and docs/adr/0010-storage-faults.md state the same.

using System.Globalization;
using Ledger.Storage.Segments;

namespace Ledger.Engine.Lane;

/// <summary>Whether the lane takes writes, and if not, why (<see cref="LedgerEngine.WriteState"/>).</summary>
public enum LaneWriteStatus
{
    /// <summary>Writes are taken.</summary>
    Writing,

    /// <summary>Free space is below <see cref="LaneOptions.MinFreeMb"/>: refused until it is back (no restart).</summary>
    StorageFull,

    /// <summary>A segment write failed: refused for <see cref="LaneOptions.WriteRetrySeconds"/>, then retried (no restart).</summary>
    WriteFailed,

    /// <summary>The index write failed: refused until the node restarts.</summary>
    Failed,

    /// <summary>A committed frame is damaged: refused until the file is restored and the node restarts.</summary>
    Damaged,
}

/// <summary>The lane's write state: status, the path concerned (relative to the data folder), free bytes there, and what happened.</summary>
public sealed record LaneWriteState(LaneWriteStatus Status, string Path, long FreeBytes, string? Detail)
{
    /// <summary>The problem code of the status: <c>storage-full</c>, <c>storage-failed</c>, <c>storage-damaged</c>; null while writing.</summary>
    public string? Code => Status switch
    {
        LaneWriteStatus.StorageFull => "storage-full",
        LaneWriteStatus.WriteFailed or LaneWriteStatus.Failed => "storage-failed",
        LaneWriteStatus.Damaged => "storage-damaged",
        _ => null,
    };
}

/// <summary>
/// The lane refuses writes (policy at the top of WriteFailurePolicy.cs). The message names the path relative to the
/// node's data folder and the free space, never an absolute path.
/// </summary>
public sealed class LaneWritesRefusedException(LaneWriteState state, TimeSpan? retryAfter, Exception? inner = null, string? message = null)
    : Exception(message ?? Describe(state), inner)
{
    /// <summary>The state that refused.</summary>
    public LaneWriteState State { get; } = state;

    /// <summary>When to retry (null: not before the operator acted).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    private static string Describe(LaneWriteState s)
    {
        var c = CultureInfo.InvariantCulture;
        return s.Status switch
        {
            LaneWriteStatus.StorageFull => string.Create(c, $"the lane refuses writes: {s.FreeBytes} bytes free at {s.Path}, below the {s.Detail}; it resumes by itself when space is freed"),
            LaneWriteStatus.WriteFailed => string.Create(c, $"the lane refuses writes for now: a write to {s.Path} failed ({s.Detail}); {s.FreeBytes} bytes free there; it retries by itself"),
            LaneWriteStatus.Failed => string.Create(c, $"the lane stopped writing: a write to {s.Path} failed ({s.Detail}); {s.FreeBytes} bytes free there; restart the node once the cause is fixed"),
            LaneWriteStatus.Damaged => "the lane refuses writes: the store is damaged: " + s.Detail,
            _ => "the lane takes writes",
        };
    }
}

/// <summary>
/// A committed block's bytes do not check out (CRC, length, a truncated file): the read is refused naming the file,
/// offset and height; the data is never served.
/// </summary>
public sealed class StoreDamagedException(string file, long offset, long? height, string reason, Exception? inner = null, string? advice = null)
    : Exception(Describe(file, offset, height, reason, advice), inner)
{
    /// <summary>What to do about a damaged segment file.</summary>
    public const string SegmentAdvice = "restore the file from a backup or a peer and restart the node (ledger store verify names every damaged frame)";

    /// <summary>What to do about a damaged index.</summary>
    public const string IndexAdvice = "the index is derived from the segment files: restore ledger/index from a backup, or rebuild it from the segments, then start the node again";

    private static string Describe(string file, long offset, long? height, string reason, string? advice)
    {
        var at = height is { } h ? string.Create(CultureInfo.InvariantCulture, $" (the block at height {h})") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{file} offset {offset}{at}: {reason}; {advice ?? SegmentAdvice}");
    }

    /// <summary>RocksDB could not open or read the index: the message with paths relative to the data folder.</summary>
    internal static StoreDamagedException FromIndex(Exception e, string ledgerDirectory) =>
        new(LedgerPath("index"), 0, null, Relative(e.Message, ledgerDirectory), e, IndexAdvice);

    /// <summary>RocksDB refused a read of the index in <paramref name="ledgerDirectory"/>: the damage, named relative to the data folder.</summary>
    public static StoreDamagedException ForIndex(Exception e, string ledgerDirectory)
    {
        ArgumentNullException.ThrowIfNull(e);
        return FromIndex(e, ledgerDirectory);
    }

    /// <summary><paramref name="message"/> without the absolute path of the data folder that holds <paramref name="ledgerDirectory"/>.</summary>
    internal static string Relative(string message, string ledgerDirectory)
    {
        var data = Path.GetDirectoryName(Path.GetFullPath(ledgerDirectory).TrimEnd(Path.DirectorySeparatorChar));
        if (!string.IsNullOrEmpty(data))
            message = message.Replace(data + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(data, ".", StringComparison.Ordinal);
        return message.ReplaceLineEndings(" ").Trim();
    }

    /// <summary>The file, relative to the data folder (e.g. <c>ledger/blocks/seg-000000000001.dat</c>).</summary>
    public string File { get; } = file;

    /// <summary>The offset in the file.</summary>
    public long Offset { get; } = offset;

    /// <summary>The block's height, when known.</summary>
    public long? Height { get; } = height;

    /// <summary>What is wrong.</summary>
    public string Reason { get; } = reason;

    /// <summary>From a segment read failure of the block at <paramref name="height"/>.</summary>
    internal static StoreDamagedException From(SegmentCorruptException e, long? height) =>
        new(SegmentPath(e.FileName), e.Offset, height, e.Reason, e);

    /// <summary>A segment file's path relative to the data folder.</summary>
    internal static string SegmentPath(string fileName) => LedgerPath("blocks/" + fileName);

    /// <summary>A path inside the lane store (<c>&lt;data&gt;/ledger</c>) relative to the data folder.</summary>
    internal static string LedgerPath(string relative) => "ledger/" + relative;
}

/// <summary>
/// Decides whether the lane takes writes (see the policy above): the free-space threshold, a retry after a failed
/// segment write, a failed index write, a damaged store. Thread-safe; the sequencer and readers (readyz, metrics) use it.
/// </summary>
internal sealed class WriteFailurePolicy(string ledgerDirectory, LaneOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly long _minFreeBytes = options.MinFreeMb * 1024L * 1024;
    private LaneWriteStatus _status = LaneWriteStatus.Writing;
    private string _path = StoreDamagedException.LedgerPath("");
    private string? _detail;
    private Exception? _cause;
    private DateTimeOffset _retryAt;

    /// <summary>Free bytes on the ledger's file system (-1 when it cannot be read).</summary>
    public long FreeBytes()
    {
        try
        {
            return new DriveInfo(ledgerDirectory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return -1;
        }
    }

    /// <summary>The current state (free bytes measured now).</summary>
    public LaneWriteState State
    {
        get
        {
            var free = FreeBytes();
            lock (_lock)
            {
                if (_status == LaneWriteStatus.Writing && _minFreeBytes > 0 && free >= 0 && free < _minFreeBytes)
                    return new LaneWriteState(LaneWriteStatus.StorageFull, StoreDamagedException.LedgerPath(""), free, ThresholdText());
                return new LaneWriteState(_status, _path, free, _detail);
            }
        }
    }

    // Refusal runs for every submission and every block: the free space is read at most every 20 ms (a statvfs and a
    // DriveInfo each time would cost more than the check is worth at tens of thousands of submissions a second).
    private long _freeAt; // 0: never read
    private long _free;

    private long RecentFreeBytes()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var at = Volatile.Read(ref _freeAt);
        if (at != 0 && now - at < System.Diagnostics.Stopwatch.Frequency / 50)
            return Volatile.Read(ref _free);
        var free = FreeBytes();
        Volatile.Write(ref _free, free);
        Volatile.Write(ref _freeAt, now);
        return free;
    }

    /// <summary>Null when a block may be written now; otherwise the exception to refuse its submissions with.</summary>
    public LaneWritesRefusedException? Refusal()
    {
        var free = RecentFreeBytes();
        lock (_lock)
        {
            if (_status == LaneWriteStatus.WriteFailed && time.GetUtcNow() >= _retryAt)
                _status = LaneWriteStatus.Writing; // try again: the next block is built from scratch on the durable head
            switch (_status)
            {
                case LaneWriteStatus.Writing:
                    if (_minFreeBytes > 0 && free >= 0 && free < _minFreeBytes)
                        return new(new LaneWriteState(LaneWriteStatus.StorageFull, StoreDamagedException.LedgerPath(""), free, ThresholdText()), TimeSpan.FromSeconds(5));
                    return null;
                case LaneWriteStatus.WriteFailed:
                    return new(new LaneWriteState(_status, _path, free, _detail), _retryAt - time.GetUtcNow(), _cause);
                default:
                    return new(new LaneWriteState(_status, _path, free, _detail), null, _cause);
            }
        }
    }

    /// <summary>A segment write failed and the sequencer went back to the durable head: refuse, then retry after the interval.</summary>
    /// <param name="e">What failed.</param>
    /// <param name="relativePath">The segment folder, relative to the data folder (default: the own lane's <c>ledger/blocks</c>).</param>
    public LaneWritesRefusedException SegmentWriteFailed(Exception e, string? relativePath = null)
    {
        var path = relativePath ?? StoreDamagedException.LedgerPath("blocks");
        lock (_lock)
        {
            if (_status is LaneWriteStatus.Writing or LaneWriteStatus.WriteFailed)
            {
                _status = LaneWriteStatus.WriteFailed;
                _retryAt = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(0, options.WriteRetrySeconds));
                (_path, _detail, _cause) = (path, Reason(e), e);
            }
        }
        return Refusal() ?? new(new LaneWriteState(LaneWriteStatus.WriteFailed, path, FreeBytes(), Reason(e)), TimeSpan.Zero, e);
    }

    /// <summary>A write failed that the lane cannot recover from in-process: refuse until restart.</summary>
    public LaneWritesRefusedException Failed(Exception e, string relativePath)
    {
        lock (_lock)
        {
            if (_status != LaneWriteStatus.Damaged)
                (_status, _path, _detail, _cause) = (LaneWriteStatus.Failed, relativePath, Reason(e), e);
        }
        return Refusal()!;
    }

    /// <summary>A committed frame is damaged: refuse writes until restart. Returns true the first time (raise the alert once).</summary>
    public bool Damaged(StoreDamagedException e)
    {
        lock (_lock)
        {
            if (_status == LaneWriteStatus.Damaged)
                return false;
            (_status, _path, _detail, _cause) = (LaneWriteStatus.Damaged, e.File, e.Message, e);
            return true;
        }
    }

    private string ThresholdText() => string.Create(CultureInfo.InvariantCulture, $"{_minFreeBytes} bytes the node keeps free (Lane:MinFreeMb = {options.MinFreeMb})");

    /// <summary>An exception's message without absolute paths of this machine.</summary>
    internal string Reason(Exception e) => StoreDamagedException.Relative(e.Message, ledgerDirectory);
}
