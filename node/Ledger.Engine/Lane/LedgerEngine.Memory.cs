using System.Diagnostics;
using System.Globalization;

namespace Ledger.Engine.Lane;

public sealed partial class LedgerEngine
{
    /// <summary>
    /// What the node holds in memory now, part by part (docs/adr/0011-cost-and-memory.md): the bounded caches, the parts that
    /// grow with the ledger, the GC heap and the process's resident memory. For benchmarks and metrics; cheap enough to
    /// call once a second.
    /// </summary>
    public EngineMemory Memory()
    {
        var db = Store.Db;
        long memtables = 0, tableReaders = 0;
        foreach (var family in LaneStore.FamilyNames)
        {
            var cf = Store[family];
            memtables += (long)(db.GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables") ?? 0);
            tableReaders += (long)(db.GetIntProperty(cf, "rocksdb.estimate-table-readers-mem") ?? 0);
        }
        var meta = Store[LaneStore.Meta];
        var (liveNodes, liveBytes, dirtyNodes) = _stateNodes.Usage;
        var gc = GC.GetGCMemoryInfo();
        var (blocks, records) = Store.CacheUsage;
        return new EngineMemory(
            ResidentBytes: ProcStatus("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64,
            PeakResidentBytes: ProcStatus("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64,
            GcHeapBytes: gc.HeapSizeBytes,
            GcCommittedBytes: gc.TotalCommittedBytes,
            RocksDbBlockCacheBytes: (long)(db.GetIntProperty(meta, "rocksdb.block-cache-usage") ?? 0),
            RocksDbBlockCachePinnedBytes: (long)(db.GetIntProperty(meta, "rocksdb.block-cache-pinned-usage") ?? 0),
            RocksDbMemtableBytes: memtables,
            RocksDbTableReaderBytes: tableReaders,
            StateNodesInMemory: liveNodes,
            StateNodeTableBytes: liveBytes,
            StateNodesDirty: dirtyNodes,
            KeyFilterBytes: Store.RecordFilter.Bytes + Store.ItemFilter.Bytes,
            LogUpperLevelBytes: Store.LogUpper.Count * Protocol.Hash32.Length,
            BlockCacheBlocks: blocks,
            BlockCacheRecords: records);
    }

    /// <summary>
    /// Completes when the in-memory filters of record ids and item keys hold every key on disk (a scan started at open);
    /// until then lookups of absent keys go to RocksDB. The node serves requests meanwhile.
    /// </summary>
    public Task KeyFiltersFilled => Store.KeyScan;

    /// <summary>How long the sequencer waits without a submission before it checkpoints the dirty state-map nodes.</summary>
    public static readonly TimeSpan IdleCheckpointDelay = TimeSpan.FromSeconds(5);

    /// <summary>Completes when the last idle checkpoint (and the collection after it) is done.</summary>
    public Task IdleCheckpoint { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// The sequencer's wait for the next submission. When none comes for <see cref="IdleCheckpointDelay"/>, the dirty
    /// state-map nodes are checkpointed in the background and the GC then returns what they held to the system: measured
    /// before, a node kept up to five checkpoint thresholds of dirty nodes (≈1 GB) and its heap for as long as it was idle.
    /// </summary>
    private async ValueTask<bool> WaitForWorkAsync(System.Threading.Channels.ChannelReader<Pending> reader)
    {
        if (reader.TryPeek(out _))
            return true;
        using (var idle = new CancellationTokenSource(IdleCheckpointDelay))
        {
            try
            {
                return await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (idle.IsCancellationRequested)
            {
            }
        }
        await _committing.ConfigureAwait(false);
        if (_failure is null)
        {
            // The last block's nodes join the dirty generation (as at shutdown); the next block finds nothing sealed.
            _stateNodes.Committed();
            var checkpoint = _stateNodes.CheckpointIdle(Store.Head.Height, Store.Head.StateRoot);
            if (!checkpoint.IsCompleted)
                IdleCheckpoint = checkpoint.ContinueWith(_ => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
        return await reader.WaitToReadAsync().ConfigureAwait(false);
    }

    /// <summary>A field of /proc/self/status in bytes (Linux), or null.</summary>
    private static long? ProcStatus(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith(field, StringComparison.Ordinal))
                    continue;
                var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }
}

/// <summary>The node's memory by part (see <see cref="LedgerEngine.Memory"/>).</summary>
/// <param name="ResidentBytes">The process's resident memory (VmRSS).</param>
/// <param name="PeakResidentBytes">Its peak so far (VmHWM).</param>
/// <param name="GcHeapBytes">The managed heap after the last collection.</param>
/// <param name="GcCommittedBytes">Memory the GC has committed.</param>
/// <param name="RocksDbBlockCacheBytes">RocksDB's block cache in use (bounded by <c>Lane:IndexCacheMb</c>; holds the index and filter blocks too).</param>
/// <param name="RocksDbBlockCachePinnedBytes">Of it, pinned (top-level index and filter partitions, level-0 blocks).</param>
/// <param name="RocksDbMemtableBytes">Every family's memtables (bounded by the memtable budget).</param>
/// <param name="RocksDbTableReaderBytes">Open SST files' readers outside the block cache.</param>
/// <param name="StateNodesInMemory">The state map's current-tree nodes held (bounded by <c>Lane:StateCacheNodes</c>).</param>
/// <param name="StateNodeTableBytes">Bytes of their table.</param>
/// <param name="StateNodesDirty">State-map nodes awaiting a checkpoint (bounded by about five times <c>Lane:StateCheckpointNodes</c>).</param>
/// <param name="KeyFilterBytes">The in-memory filters of record ids and item keys (16 bits per key: grows with the ledger).</param>
/// <param name="LogUpperLevelBytes">The lane log's levels ≥ 8 (32 bytes per 128 records: grows with the ledger).</param>
/// <param name="BlockCacheBlocks">Decoded blocks cached (bounded by <c>Lane:BlockCacheSize</c>).</param>
/// <param name="BlockCacheRecords">Records in them (bounded by <c>Lane:BlockCacheRecords</c>).</param>
public sealed record EngineMemory(long ResidentBytes, long PeakResidentBytes, long GcHeapBytes, long GcCommittedBytes,
    long RocksDbBlockCacheBytes, long RocksDbBlockCachePinnedBytes, long RocksDbMemtableBytes, long RocksDbTableReaderBytes,
    int StateNodesInMemory, long StateNodeTableBytes, long StateNodesDirty, long KeyFilterBytes, long LogUpperLevelBytes,
    int BlockCacheBlocks, long BlockCacheRecords);
