using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Engine.Lane;

/// <summary>Group-commit and detection settings of a lane (configuration section <c>Ledger:Lane</c>).</summary>
public sealed record LaneOptions
{
    /// <summary>A block is cut when it holds this many records.</summary>
    public int MaxBlockRecords { get; init; } = 20_000;

    /// <summary>A block is cut at the latest this long after its first submission arrived.</summary>
    public TimeSpan MaxBlockDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Submissions waiting for the sequencer beyond this many are refused with <see cref="LaneOverloadedException"/>.</summary>
    public int MaxQueuedSubmissions { get; init; } = 4_096;

    /// <summary>Two verifications of one item at two different GLNs within this window raise an alert.</summary>
    public TimeSpan ScanWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Nodes of the current state map (sparse Merkle tree) the sequencer keeps in memory, 104 bytes each in a table kept
    /// at most three quarters full. The tree has about 2.5 nodes per item (measured: 2.45 at 1M items); with all of them in
    /// memory an update reads nothing from disk and a state proof neither. Beyond this the set is dropped and refilled
    /// (upper levels first), and deep nodes are read from RocksDB as needed.
    /// </summary>
    public int StateCacheNodes { get; init; } = 4_000_000;

    /// <summary>
    /// State-map nodes held in memory since the last checkpoint beyond which the sequencer takes a checkpoint: the nodes
    /// reachable from the head root are written to RocksDB in the background. Each block persists only its state changes;
    /// after a crash Open replays the blocks above the checkpoint. Measured (2 shared cores, ~5.5 new nodes per record):
    /// ~200 bytes of heap per node, so the default holds ~200 MB and needs ~3.5 s of replay after a crash at worst;
    /// larger values save few node writes (the share of dirty nodes still reachable falls slowly: 56 % at 200,000, 45 % at 550,000).
    /// </summary>
    public long StateCheckpointNodes { get; init; } = 1_000_000;

    /// <summary>Decoded blocks kept in memory for provenance reads.</summary>
    public int BlockCacheSize { get; init; } = 256;

    /// <summary>At most this many records in the decoded blocks kept in memory (~1 KB of heap each).</summary>
    public long BlockCacheRecords { get; init; } = 100_000;

    /// <summary>
    /// MiB of RocksDB's cache of index blocks (item states, record locations, histories, Merkle nodes), shared by every
    /// column family. Reads that miss it go to the file system's page cache: at 10 million records the index is several
    /// GB, so the default holds its hottest part and a node with spare memory may give it more (docs/benchmarks.md).
    /// </summary>
    public int IndexCacheMb { get; init; } = 256;

    /// <summary>
    /// Run the node's own background work below the priority of the work callers wait for (default true): state-map
    /// checkpoints at nice 10 and RocksDB compactions at nice 19 (flushes and the sequencer keep theirs). On a small
    /// machine a checkpoint and a compaction otherwise take the cores from queries for as long as they run: after a
    /// 10M-record ingest that was a minute of provenance p99 near 5 ms instead of 0.3 ms (docs/benchmarks.md). Linux only;
    /// elsewhere it changes nothing.
    /// </summary>
    public bool LowPriorityBackground { get; init; } = true;

    /// <summary>
    /// MiB the node keeps free on the ledger's file system (default 1,024; 0 turns the check off): below it the lane
    /// refuses writes (507 storage-full) and resumes by itself when space is back. The margin is for RocksDB's flushes
    /// and compactions, which must never meet a full disk (WriteFailurePolicy.cs, docs/adr/0010-storage-faults.md).
    /// </summary>
    public long MinFreeMb { get; init; } = 1024;

    /// <summary>Seconds the lane refuses writes after a failed segment write before it tries the next block (default 5).</summary>
    public int WriteRetrySeconds { get; init; } = 5;

    /// <summary>
    /// Bytes per second the background scrub re-reads committed segment frames at, checking each CRC-32C (default
    /// 4 MiB/s; 0 turns it off). The first bad frame raises the damaged-store alert (WriteFailurePolicy.cs).
    /// </summary>
    public long ScrubBytesPerSecond { get; init; } = 4L * 1024 * 1024;

    /// <summary>The armed fault point, for crash tests only (<see cref="Faults.FaultPoints"/>); none by default, and then
    /// the one named by <c>LEDGER_FAULTPOINT</c> in a node process's environment, if any.</summary>
    public Faults.FaultPoints Faults { get; init; } = Ledger.Engine.Faults.FaultPoints.None;
}

/// <summary>What happened to one record (or one EPCIS event) of a submission.</summary>
public enum OutcomeStatus
{
    /// <summary>Durably in a block.</summary>
    Accepted,
    /// <summary>Already on the ledger: nothing was written; the location is the original one.</summary>
    Duplicate,
    /// <summary>Refused with a code; nothing was written.</summary>
    Rejected,
}

/// <summary>The outcome of one record.</summary>
/// <param name="Status">Accepted, duplicate or rejected.</param>
/// <param name="RecordIds">The records (an EPCIS event may map to several; empty when rejected before mapping).</param>
/// <param name="Height">The block that holds them, when accepted or duplicate.</param>
/// <param name="Code">The stable error code when rejected (e.g. <c>NMVS_NC_PCK_22</c>, <c>not-custodian</c>).</param>
/// <param name="Message">What was wrong, naming the field.</param>
/// <param name="Alerts">Alerts raised (also when rejected: a second commissioning attempt is refused and alerted).</param>
/// <param name="Verification">For a Verify record: the computed answer.</param>
public sealed record RecordOutcome(
    OutcomeStatus Status,
    IReadOnlyList<Hash32> RecordIds,
    long? Height,
    string? Code,
    string? Message,
    IReadOnlyList<LedgerAlert> Alerts,
    ItemVerification? Verification = null)
{
    /// <summary>True for accepted or duplicate.</summary>
    public bool IsOnLedger => Status != OutcomeStatus.Rejected;

    /// <summary>For an event refused as malformed: the field at fault (e.g. <c>eventList[2].epcList[0]</c>).</summary>
    public string? Field { get; init; }

    /// <summary>For an event refused as malformed: the rule broken (e.g. <c>check-digit</c>).</summary>
    public string? Rule { get; init; }
}

/// <summary>The outcome of a submission, known only once everything accepted is durable.</summary>
/// <param name="Accepted">True when nothing was rejected.</param>
/// <param name="Outcomes">One per record (signed batch) or per EPCIS event (hosted capture), in order.</param>
/// <param name="Height">The block written for it, when something new was written ("accepted").</param>
public sealed record SubmitResult(bool Accepted, IReadOnlyList<RecordOutcome> Outcomes, long? Height)
{
    /// <summary>
    /// True when the block at <see cref="Height"/> was certified when answered (a quorum of cosignatures; in a one-node
    /// consortium at once). False: the records are durable and accepted, and certified once the quorum's cosignatures arrive.
    /// </summary>
    public bool Certified { get; init; }
}

/// <summary>A suspect-product alert with its evidence.</summary>
/// <param name="Sequence">Position in the node's alert log (from 1).</param>
/// <param name="Kind">What was detected.</param>
/// <param name="Item">The item concerned.</param>
/// <param name="Record">The record that raised it (on the ledger when <paramref name="Accepted"/>; otherwise in <paramref name="RejectedRecord"/>).</param>
/// <param name="Accepted">Whether the raising record was accepted.</param>
/// <param name="Author">The raising record's author.</param>
/// <param name="TimeMs">The raising record's time.</param>
/// <param name="Evidence">What was seen.</param>
/// <param name="RejectedRecord">The canonical encoding of a rejected raising record, kept as evidence.</param>
public sealed record LedgerAlert(long Sequence, CustodyAlertKind Kind, ItemId? Item, Hash32 Record, bool Accepted, Address Author, long TimeMs,
    string Evidence, byte[]? RejectedRecord);

/// <summary>The lane's committed head: what every read is answered against.</summary>
/// <param name="Height">Height of the last block (0 before the first).</param>
/// <param name="Header">The last signed header (null before the first block).</param>
/// <param name="Certificate">Its certificate (this node's cosignature: quorum 1 in a single-node consortium).</param>
/// <param name="LogSize">Records in the lane log.</param>
public sealed record LaneHead(long Height, SignedHeader? Header, Certificate? Certificate, long LogSize);

/// <summary>Where a record is: block height, batch and position, its index in the lane log, and where its encoding lies in the block.</summary>
/// <param name="Height">The block's height.</param>
/// <param name="Batch">The batch's index in the block.</param>
/// <param name="Index">The record's index in the batch.</param>
/// <param name="LogIndex">The record's index in the lane log.</param>
/// <param name="Offset">Byte offset of the record's encoding in the encoded block (meaningful when <paramref name="Length"/> is not 0).</param>
/// <param name="Length">Length of the record's encoding; 0 when unknown (stores written before record spans were kept).</param>
public readonly record struct RecordLocation(long Height, int Batch, int Index, long LogIndex, int Offset = 0, int Length = 0)
{
    /// <summary>The lane number of the block in this store (<c>lanes</c> family; 1 is the node's own lane).</summary>
    public int Lane { get; init; } = LaneKeys.OwnLane;
}

/// <summary>The sequencer's queue is full: retry after the given time (HTTP 503 + Retry-After).</summary>
public sealed class LaneOverloadedException(TimeSpan retryAfter)
    : Exception($"the lane's queue is full; retry after {retryAfter.TotalSeconds:0} s")
{
    /// <summary>When to retry.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The lane stopped writing after a storage failure: it answers reads but refuses writes until restarted.</summary>
public sealed class LaneFailedException(string message, Exception? inner) : Exception(message, inner);

/// <summary>A submitted batch is malformed or not signed by its author (checked before sequencing).</summary>
public sealed class SubmissionRejectedException(string field, string rule, string message) : Exception(message)
{
    /// <summary>The field at fault.</summary>
    public string Field { get; } = field;

    /// <summary>The rule broken.</summary>
    public string Rule { get; } = rule;
}

/// <summary>What a hosted-party draft sees while it is built inside the sequencer: the state including earlier records of the same block.</summary>
public interface ILaneView : ICustodyContext
{
    /// <summary>The latest record of each existing item in <paramref name="items"/> (what a new record must name in its deps).</summary>
    IReadOnlyList<Hash32> DepsFor(IEnumerable<ItemId> items);
}

/// <summary>
/// One unit of a hosted submission (e.g. one EPCIS event): builds its records against the current view; throws
/// <see cref="Ledger.Protocol.Records.RecordFormatException"/> or <see cref="Ledger.Protocol.Mapping.EpcisMappingException"/> to reject.
/// </summary>
/// <param name="Key">An idempotency key (the EPCIS event hash ID), or null.</param>
/// <param name="Build">Builds the unsigned records (author = the hosted party).</param>
/// <param name="Payload">Stored with the key for later reads (the event's canonical JSON), or null.</param>
public sealed record Draft(string? Key, Func<ILaneView, IReadOnlyList<LedgerRecord>> Build, byte[]? Payload = null);
