namespace Ledger.Storage.RocksDb;

/// <summary>Block compression of SST files.</summary>
public enum RocksDbCompression
{
    /// <summary>No compression (<c>rocksdb_no_compression</c>).</summary>
    None = 0,

    /// <summary>LZ4 (<c>rocksdb_lz4_compression</c>); the bundled library has LZ4 statically linked.</summary>
    Lz4 = 4,
}

/// <summary>
/// The options the node sets when opening a database. Applied to the database and to every column family.
/// Durability of an acknowledgement comes from the write-ahead log plus <c>sync</c> writes: keep
/// <see cref="WriteAheadLog"/> on and pass <c>sync: true</c> for anything acknowledged to a caller.
/// </summary>
public sealed record RocksDbOptions
{
    private const int TwoLevelIndexSearch = 2; // rocksdb_block_based_table_index_type_two_level_index_search

    /// <summary>Create the database if the directory holds none (default true).</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Fail on any detected corruption instead of skipping (default true).</summary>
    public bool ParanoidChecks { get; init; } = true;

    /// <summary>Maximum number of files kept open; -1 means no limit (RocksDB's default).</summary>
    public int MaxOpenFiles { get; init; } = -1;

    /// <summary>Size of one memtable in bytes before it is flushed to an SST file (RocksDB's default 64 MiB).</summary>
    public long WriteBufferSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>SST block compression (default LZ4).</summary>
    public RocksDbCompression Compression { get; init; } = RocksDbCompression.Lz4;

    /// <summary>
    /// Write every update to the write-ahead log first (default true). With it off, a crash loses everything not yet
    /// flushed to an SST file, and <c>sync</c> has nothing to sync: never turn it off for ledger data.
    /// </summary>
    public bool WriteAheadLog { get; init; } = true;

    /// <summary>
    /// Open fails when a write-ahead log record other than an incomplete last one does not check out (RocksDB's
    /// <c>kTolerateCorruptedTailRecords</c>; default true). RocksDB's own default (point-in-time recovery) opens the
    /// database as it was before the damaged record and drops every later one without an error: measured on a lane store
    /// with one flipped bit in its log, the head fell back three blocks that had been acknowledged
    /// (docs/adr/0010-storage-faults.md). Every write here is synced, so only an unacknowledged write can be torn.
    /// </summary>
    public bool FailOnCorruptLog { get; init; } = true;

    /// <summary>
    /// Replay the write-ahead log at open into memory without writing table files (default true): an open on a nearly
    /// full disk then needs no space, and a failed open leaves no orphaned <c>.sst</c> files behind.
    /// </summary>
    public bool AvoidFlushDuringRecovery { get; init; } = true;

    /// <summary>Background threads for flushes and compactions; 0 keeps RocksDB's default.</summary>
    public int Parallelism { get; init; }

    /// <summary>
    /// Bits per key of the whole-key bloom filter in every SST file (default 10, ≈1 % false positives); 0 turns filters
    /// off. The ledger's point lookups are mostly misses (is this record id new? has this serial been commissioned?),
    /// which without a filter read a block of every level.
    /// </summary>
    public double BloomBitsPerKey { get; init; } = 10;

    /// <summary>Bytes of the LRU cache of uncompressed SST blocks shared by every column family (default 256 MiB; RocksDB's own default is 8 MiB).</summary>
    public long BlockCacheSize { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Write-ahead log bytes beyond which RocksDB flushes the column families that keep the oldest log file alive
    /// (default 512 MiB). Without a bound a log file lives until every family with data in it has flushed, so a family
    /// written rarely (alerts, captured-event keys) kept every log of a busy lane: 7 GB after 3 million records.
    /// </summary>
    public long MaxTotalWalSize { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// Run compactions at the lowest CPU priority (nice 19) so that they yield the cores to reads and writes that a
    /// caller is waiting for (default false). Flushes keep their priority: a stalled flush stalls writes. This changes
    /// RocksDB's process-wide default environment, so it holds for every database of the process from then on.
    /// </summary>
    public bool LowPriorityCompactions { get; init; }

    /// <summary>
    /// Bytes of memtable memory across every column family (RocksDB's <c>db_write_buffer_size</c>, default 512 MiB): past
    /// it the largest memtable is flushed. Without it each family may hold two memtables of <see cref="WriteBufferSize"/>
    /// (18 families: 2.3 GiB).
    /// </summary>
    public long MemtableBudget { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// Keep the SST files' index and filter blocks in the block cache (partitioned, with the top level pinned) instead of
    /// on the heap of each open file (default true). Off, they take memory in proportion to the data — about 1.25 bytes
    /// per key for the bloom filters plus the index — outside any bound; on, <see cref="BlockCacheSize"/> bounds them too.
    /// </summary>
    public bool CacheIndexAndFilterBlocks { get; init; } = true;

    internal OptionsHandle CreateHandle()
    {
        if (MaxTotalWalSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxTotalWalSize), MaxTotalWalSize, "MaxTotalWalSize must be positive");
        if (BloomBitsPerKey < 0 || double.IsNaN(BloomBitsPerKey))
            throw new ArgumentOutOfRangeException(nameof(BloomBitsPerKey), BloomBitsPerKey, "BloomBitsPerKey must be 0 or positive");
        if (BlockCacheSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(BlockCacheSize), BlockCacheSize, "BlockCacheSize must be positive");
        if (MemtableBudget < 0)
            throw new ArgumentOutOfRangeException(nameof(MemtableBudget), MemtableBudget, "MemtableBudget must be 0 (no bound) or positive");
        if (WriteBufferSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(WriteBufferSize), WriteBufferSize, "WriteBufferSize must be positive");
        if (!Enum.IsDefined(Compression))
            throw new ArgumentOutOfRangeException(nameof(Compression), Compression, "unknown compression");
        var h = new OptionsHandle();
        h.Attach(Native.rocksdb_options_create());
        Native.rocksdb_options_set_create_if_missing(h, CreateIfMissing ? (byte)1 : (byte)0);
        Native.rocksdb_options_set_create_missing_column_families(h, 1);
        Native.rocksdb_options_set_paranoid_checks(h, ParanoidChecks ? (byte)1 : (byte)0);
        Native.rocksdb_options_set_max_open_files(h, MaxOpenFiles);
        Native.rocksdb_options_set_write_buffer_size(h, checked((nuint)WriteBufferSize));
        Native.rocksdb_options_set_compression(h, (int)Compression);
        Native.rocksdb_options_set_max_total_wal_size(h, (ulong)MaxTotalWalSize);
        if (MemtableBudget > 0)
            Native.rocksdb_options_set_db_write_buffer_size(h, checked((nuint)MemtableBudget));
        if (FailOnCorruptLog)
            Native.rocksdb_options_set_wal_recovery_mode(h, 0 /* kTolerateCorruptedTailRecords */);
        Native.rocksdb_options_set_avoid_flush_during_recovery(h, AvoidFlushDuringRecovery ? (byte)1 : (byte)0);
        if (Parallelism > 0)
            Native.rocksdb_options_increase_parallelism(h, Parallelism);
        if (LowPriorityCompactions)
        {
            // The default Env is a singleton; the C wrapper around it is freed without touching it. Its compaction
            // threads (the LOW pool) each lower their own priority before their next job.
            var env = Native.rocksdb_create_default_env();
            Native.rocksdb_env_lower_thread_pool_cpu_priority(env);
            Native.rocksdb_env_destroy(env);
        }
        // The table options are copied into the factory; the factory shares the cache and owns the filter policy.
        var table = Native.rocksdb_block_based_options_create();
        var cache = Native.rocksdb_cache_create_lru(checked((nuint)BlockCacheSize));
        try
        {
            Native.rocksdb_block_based_options_set_block_cache(table, cache);
            if (BloomBitsPerKey > 0)
                Native.rocksdb_block_based_options_set_filter_policy(table, Native.rocksdb_filterpolicy_create_bloom_full(BloomBitsPerKey));
            if (CacheIndexAndFilterBlocks)
            {
                // Two-level index and partitioned filters: a lookup loads only the partitions it needs into the cache; the
                // top levels stay pinned there, and level 0's blocks too (they are read by every lookup).
                Native.rocksdb_block_based_options_set_index_type(table, TwoLevelIndexSearch);
                if (BloomBitsPerKey > 0)
                    Native.rocksdb_block_based_options_set_partition_filters(table, 1);
                Native.rocksdb_block_based_options_set_cache_index_and_filter_blocks(table, 1);
                Native.rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(table, 1);
                Native.rocksdb_block_based_options_set_pin_top_level_index_and_filter(table, 1);
                Native.rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(table, 1);
            }
            Native.rocksdb_options_set_block_based_table_factory(h, table);
        }
        finally
        {
            Native.rocksdb_cache_destroy(cache);
            Native.rocksdb_block_based_options_destroy(table);
        }
        return h;
    }
}
