using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;
using Ledger.Storage.RocksDb;
using Ledger.Storage.Segments;

namespace Ledger.Engine.Lane;

/// <summary>
/// The lane's storage (ADR 0003): block bodies in append-only segment files under <c>blocks/</c>; headers, certificates,
/// indexes, item state, Merkle nodes and alerts in RocksDB under <c>index/</c>. A block is durable when its frame is
/// fsynced and the RocksDB batch naming it as head is written with sync; recovery cuts the segment tail back to that head.
/// Reads are thread-safe; writes come from the sequencer only.
/// </summary>
public sealed class LaneStore : IDisposable
{
    internal const string Meta = "meta", Headers = "headers", Certs = "certs", Blocks = "blocks", Records = "records", Batches = "batches",
        Items = "items", History = "history", Alerts = "alerts", ItemAlerts = "item-alerts",
        Log = "merkle-log", Smt = "smt", Keys = "keys", Events = "events", Scans = "scans",
        StateDeltas = "state-deltas", BatchTrees = "batch-trees", CaptureJobs = "capture-jobs",
        Lanes = "lanes", Cosigns = "cosigns", Evidence = "evidence", ItemFacts = "item-facts",
        Held = "held";

    private static readonly string[] Families =
        [RocksDb.DefaultColumnFamilyName, Meta, Headers, Certs, Blocks, Records, Batches, Items, History, Alerts, ItemAlerts, Log, Smt, Keys, Events, Scans, StateDeltas, BatchTrees, CaptureJobs,
            Lanes, Cosigns, Evidence, ItemFacts,
            Held];

    /// <summary>
    /// Families that stores written before held and nothing reads any more (docs/spec/lane.md §2): a store that has them
    /// opens them (RocksDB must open every family on disk) and drops them at once, which deletes their files.
    /// </summary>
    internal static readonly string[] RetiredFamilies = ["lot-items", "gln-records", "item-events"];

    /// <summary>The families whose every key starts with a lane number (docs/spec/lane.md §2).</summary>
    internal static readonly string[] LaneScopedFamilies = [Headers, Certs, Blocks, BatchTrees, StateDeltas, Log];

    /// <summary>Every column family of the index, "default" included (for tools that open the index themselves, e.g. store verify).</summary>
    public static IReadOnlyList<string> FamilyNames => Families;

    internal static readonly byte[] HeadKey = "head"u8.ToArray();
    internal static readonly byte[] LotsKey = "lots"u8.ToArray();
    /// <summary>Meta entry naming the state map's version (absent in stores written before version 2).</summary>
    internal static readonly byte[] StateMapVersionKey = "state-map-version"u8.ToArray();
    /// <summary>The state map version this node writes: items, and lots and products (docs/spec/lane.md §3).</summary>
    public const int CurrentStateMapVersion = 2;
    internal static readonly byte[] StateCheckpointKey = "state-checkpoint"u8.ToArray();
    /// <summary>Meta entry holding the store's format version (one byte); absent in a store of format 1 (one lane, keys without lane).</summary>
    internal static readonly byte[] FormatVersionKey = "format-version"u8.ToArray();
    /// <summary>The store format this node writes: every lane-scoped key starts with a lane number (docs/spec/lane.md §2).</summary>
    public const int CurrentFormatVersion = 2;

    private readonly Dictionary<string, ColumnFamilyHandle> _cf;
    private readonly BlockCache _cache;
    private readonly CancellationTokenSource _stopScan = new();
    private readonly Task _scan;
    private readonly LaneStore? _root;
    private readonly Lock _lanesLock = new();
    private readonly Dictionary<int, LaneStore> _lanes = [];
    private readonly Dictionary<Address, int> _laneNumbers = [];
    private readonly int _blockCacheSize;
    private readonly long _blockCacheRecords;
    private int _disposed;

    private LaneStore(string directory, RocksDb db, BlockSegmentStore segments, StoredHead head, int cacheSize, long cacheRecords)
    {
        Directory = directory;
        Db = db;
        Segments = segments;
        Head = head;
        LaneNumber = LaneKeys.OwnLane;
        _blockCacheSize = cacheSize;
        _blockCacheRecords = cacheRecords;
        _cf = Families.ToDictionary(f => f, db.GetColumnFamily, StringComparer.Ordinal);
        _cache = new BlockCache(cacheSize, cacheRecords);
        RecordFilter = new KeyFilter((long)db.EstimateNumKeys(_cf[Records]));
        ItemFilter = new KeyFilter((long)db.EstimateNumKeys(_cf[Items]));
        LogUpper = LogUpperLevels.Load(db, _cf[Log], LaneKeys.OwnLane);
        // The filters exist before the sequencer can write (it adds every key it writes), so a scan that starts now
        // and sees what is on disk leaves nothing out.
        _scan = Task.Run(() =>
        {
            ScanKeys(Records, RecordFilter, _stopScan.Token);
            ScanKeys(Items, ItemFilter, _stopScan.Token);
        });
    }

    /// <summary>The view of another lane of the same store: its own segments, head, log levels and block cache; the RocksDB index shared.</summary>
    private LaneStore(LaneStore root, int number, Address lane, BlockSegmentStore segments, StoredHead head)
    {
        _root = root;
        Directory = root.Directory;
        Db = root.Db;
        Segments = segments;
        Head = head;
        LaneNumber = number;
        LaneAddress = lane;
        _cf = root._cf;
        _cache = new BlockCache(root._blockCacheSize, root._blockCacheRecords);
        RecordFilter = root.RecordFilter;
        ItemFilter = root.ItemFilter;
        LogUpper = LogUpperLevels.Load(Db, _cf[Log], number);
        _scan = root._scan;
    }

    /// <summary>The format the store had when this process opened it: 0 (new), 1 (upgraded on this open) or <see cref="CurrentFormatVersion"/>.</summary>
    public int FoundFormatVersion { get; private init; }

    /// <summary>This view's lane number in the store (1: the node's own lane).</summary>
    internal int LaneNumber { get; }

    /// <summary>This view's lane (null for the own lane of a store that has no block and no claimed owner yet).</summary>
    internal Address? LaneAddress { get; private set; }

    /// <summary>lane ‖ height: the key of this lane's header, certificate, block location, state delta at <paramref name="height"/>.</summary>
    internal byte[] HeightKey(long height) => LaneKeys.Height(LaneNumber, height);

    /// <summary>lane ‖ <paramref name="key"/>.</summary>
    internal byte[] LaneKey(ReadOnlySpan<byte> key) => LaneKeys.Of(LaneNumber, key);

    /// <summary>This lane's <c>meta</c> head key.</summary>
    internal byte[] HeadKeyOfLane => StateCodec.Concat(HeadKey, LaneKeys.Prefix(LaneNumber));

    /// <summary>This lane's <c>meta</c> state-checkpoint key.</summary>
    internal byte[] CheckpointKeyOfLane => StateCodec.Concat(StateCheckpointKey, LaneKeys.Prefix(LaneNumber));

    /// <summary>The store that owns the RocksDB index (this one, for the own lane).</summary>
    internal LaneStore Root => _root ?? this;

    /// <summary>The lanes of the store other than the own one, by number.</summary>
    internal IReadOnlyList<LaneStore> OtherLanes
    {
        get
        {
            var root = Root;
            lock (root._lanesLock)
                return [.. root._lanes.Values.OrderBy(l => l.LaneNumber)];
        }
    }

    /// <summary>The number of a lane in this store, or null when the store holds nothing of it.</summary>
    internal int? NumberOf(Address lane)
    {
        var root = Root;
        lock (root._lanesLock)
            return root._laneNumbers.TryGetValue(lane, out var n) ? n : null;
    }

    /// <summary>The lane with this number (1: the own lane), or null.</summary>
    internal LaneStore? LaneByNumber(int number)
    {
        var root = Root;
        if (number == LaneKeys.OwnLane)
            return root;
        lock (root._lanesLock)
            return root._lanes.GetValueOrDefault(number);
    }

    /// <summary>
    /// Records <paramref name="lane"/> as the own lane (number 1) of this store: written once (with sync), then checked.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store is another lane's.</exception>
    internal void ClaimOwnLane(Address lane)
    {
        var root = Root;
        var key = LaneKeys.Prefix(LaneKeys.OwnLane);
        if (Db.Get(_cf[Lanes], key) is { } raw)
        {
            var owner = LaneEntryCodec.Decode(raw);
            if (owner != lane)
                throw new InvalidOperationException($"the store in {Directory} is the lane of {owner}, not of this node's key {lane}");
        }
        else
        {
            Db.Put(_cf[Lanes], key, LaneEntryCodec.Encode(lane), sync: true);
        }
        lock (root._lanesLock)
            root._laneNumbers[lane] = LaneKeys.OwnLane;
        root.LaneAddress = lane;
    }

    /// <summary>
    /// The view of another lane, created (a new lane number in <c>lanes</c>, written with sync; its segment files under
    /// <c>lanes/&lt;address&gt;/</c>) the first time a block of it is applied.
    /// </summary>
    internal LaneStore LaneFor(Address lane)
    {
        var root = Root;
        lock (root._lanesLock)
        {
            if (root._laneNumbers.TryGetValue(lane, out var n))
                return n == LaneKeys.OwnLane ? root : root._lanes[n];
            var number = Math.Max(LaneKeys.OwnLane, root._lanes.Count == 0 ? LaneKeys.OwnLane : root._lanes.Keys.Max()) + 1;
            Db.Put(_cf[Lanes], LaneKeys.Prefix(number), LaneEntryCodec.Encode(lane), sync: true);
            var view = root.OpenLane(number, lane);
            root._lanes[number] = view;
            root._laneNumbers[lane] = number;
            return view;
        }
    }

    private LaneStore OpenLane(int number, Address lane)
    {
        var raw = Db.Get(_cf[Meta], StateCodec.Concat(HeadKey, LaneKeys.Prefix(number)));
        var head = raw is null ? StoredHead.Empty : StoredHead.Decode(raw);
        var segments = BlockSegmentStore.Open(Path.Combine(Directory, "lanes", lane.ToLowerHex()[2..]), head.Height == 0 ? null : head.Location);
        return new LaneStore(this, number, lane, segments, head);
    }

    /// <summary>Record ids on the ledger (keys of <c>records</c>); the sequencer adds each id before its block's write.</summary>
    internal KeyFilter RecordFilter { get; }

    /// <summary>Item state keys on the ledger (keys of <c>items</c>); the sequencer adds each key before its block's write.</summary>
    internal KeyFilter ItemFilter { get; }

    /// <summary>The lane log's nodes of level ≥ 8, in memory.</summary>
    internal LogUpperLevels LogUpper { get; }

    /// <summary>Completes when both filters are (or the store is closing).</summary>
    internal Task KeyScan => _scan;

    private void ScanKeys(string family, KeyFilter filter, CancellationToken cancel)
    {
        using var it = Db.NewIterator(_cf[family]);
        var n = 0;
        for (it.SeekToFirst(); it.Valid(); it.Next())
        {
            if ((++n & 4095) == 0 && cancel.IsCancellationRequested)
                return;
            filter.Add(it.Key());
        }
        filter.MarkComplete();
    }

    /// <summary>The data folder's <c>ledger/</c> directory.</summary>
    public string Directory { get; }

    internal RocksDb Db { get; }

    internal BlockSegmentStore Segments { get; }

    internal StoredHead Head { get; set; }

    /// <summary>The own lane's committed height (0 before its first block).</summary>
    public long GetHeadHeight() => Head.Height;

    internal ColumnFamilyHandle this[string family] => _cf[family];

    /// <summary>What the segments' recovery at open found damaged (the store is then read-only), or null.</summary>
    internal SegmentCorruptException? OpenDamage { get; private init; }

    /// <summary>Called (on the reader's thread) when a read finds a committed frame damaged; the read then throws.</summary>
    internal Action<StoreDamagedException>? Damaged { get; set; }

    /// <summary>The frame of the block at <paramref name="height"/>, CRC-checked; a damaged one is reported and refused.</summary>
    internal byte[] ReadFrame(long height, BlockLocation location)
    {
        try
        {
            return Segments.Read(location);
        }
        catch (SegmentCorruptException e)
        {
            throw ReportDamage(StoreDamagedException.From(e, height));
        }
    }

    /// <summary>A slice of the block at <paramref name="height"/>'s frame; a frame the file does not hold is reported and refused.</summary>
    internal byte[] ReadFrameSlice(long height, BlockLocation location, int offset, int length)
    {
        try
        {
            return Segments.ReadSlice(location, offset, length);
        }
        catch (SegmentCorruptException e)
        {
            throw ReportDamage(StoreDamagedException.From(e, height));
        }
    }

    /// <summary>Checks every table block of the index (a scrub); a damaged one is reported. True when all check out.</summary>
    internal bool VerifyIndex()
    {
        try
        {
            Db.VerifyChecksums();
            return true;
        }
        catch (RocksDbException e)
        {
            ReportDamage(StoreDamagedException.FromIndex(e, Directory));
            return false;
        }
    }

    internal StoreDamagedException ReportDamage(StoreDamagedException e)
    {
        Damaged?.Invoke(e);
        return e;
    }

    /// <summary>
    /// Opens (creating when missing) the store in <paramref name="directory"/>, upgrading a store of format 1
    /// (<see cref="StoreUpgrade"/>), and recovering each lane's segment tail to its committed head.
    /// </summary>
    /// <param name="directory">The store's directory.</param>
    /// <param name="blockCacheSize">Decoded blocks kept in memory (per lane).</param>
    /// <param name="blockCacheRecords">At most this many records in them.</param>
    /// <param name="indexCacheBytes">RocksDB's block cache (null: <see cref="RocksDbOptions"/>' default).</param>
    /// <param name="lowPriorityCompactions">RocksDB's compactions at the lowest CPU priority (see <see cref="LaneOptions.LowPriorityBackground"/>).</param>
    public static LaneStore Open(string directory, int blockCacheSize = 256, long blockCacheRecords = 100_000, long? indexCacheBytes = null,
        bool lowPriorityCompactions = false)
    {
        System.IO.Directory.CreateDirectory(directory);
        Verification.IndexRebuilder.RecoverInterruptedSwap(directory);
        var index = Path.Combine(directory, "index");
        if (!RocksDb.Exists(index) && BlockSegmentStore.HoldsFrames(Path.Combine(directory, "blocks")))
        {
            // A new index would have no head, and opening the segments at no head cuts every block: refuse instead.
            throw new InvalidOperationException(
                $"the lane store in {directory} has block segment files but no index (index/CURRENT is missing): rebuild it with 'ledger store rebuild-indexes <data folder>'; the node does not start on it");
        }
        var options = new RocksDbOptions { LowPriorityCompactions = lowPriorityCompactions };
        if (indexCacheBytes is { } bytes)
            options = options with { BlockCacheSize = bytes };
        RocksDb db;
        string[] retired;
        try
        {
            retired = RocksDb.Exists(index) ? RetiredFamilies.Intersect(RocksDb.ListColumnFamilies(index), StringComparer.Ordinal).ToArray() : [];
            db = RocksDb.Open(index, options, [.. Families, .. retired]);
        }
        catch (RocksDbException e) when (e.Message.Contains("No space left", StringComparison.Ordinal))
        {
            // Opening writes a new manifest and log: on a full disk, say so in one line (nothing was changed).
            var free = new DriveInfo(directory).AvailableFreeSpace;
            var reason = StoreDamagedException.Relative(e.Message, directory);
            throw new LaneWritesRefusedException(new LaneWriteState(LaneWriteStatus.StorageFull, StoreDamagedException.LedgerPath("index"), free, reason), null, e,
                $"ledger/index: the index cannot be opened, {free} bytes free ({reason}); nothing was changed: free space and start the node again");
        }
        catch (RocksDbException e) when (e.Message.Contains("orruption", StringComparison.Ordinal) || e.Message.Contains("No such file", StringComparison.Ordinal))
        {
            throw StoreDamagedException.FromIndex(e, directory);
        }
        LaneStore? store = null;
        try
        {
            foreach (var family in retired)
                db.DropColumnFamily(family);
            int found;
            StoredHead head;
            try
            {
                found = StoreUpgrade.Run(db);
                var raw = db.Get(db.GetColumnFamily(Meta), StateCodec.Concat(HeadKey, LaneKeys.Prefix(LaneKeys.OwnLane)));
                head = raw is null ? StoredHead.Empty : StoredHead.Decode(raw);
            }
            catch (Exception e) when (e is RocksDbException or RlpException)
            {
                throw StoreDamagedException.FromIndex(e, directory);
            }
            // A committed frame or header that does not check out is no reason to refuse reads of the rest: the store
            // opens read-only and the engine refuses writes (WriteFailurePolicy.cs).
            BlockSegmentStore segments;
            SegmentCorruptException? damage = null;
            try
            {
                // The pipeline leaves at most two frames past the committed head (docs/spec/lane.md §1): more means the
                // index lost commits, and those frames are kept, not cut.
                segments = BlockSegmentStore.Open(Path.Combine(directory, "blocks"), head.Height == 0 ? null : head.Location,
                    new BlockSegmentStoreOptions { MaxUncommittedFrames = 2 });
            }
            catch (SegmentCorruptException e)
            {
                damage = e;
                segments = BlockSegmentStore.OpenForReading(Path.Combine(directory, "blocks"), e);
            }
            try
            {
                store = new LaneStore(directory, db, segments, head, blockCacheSize, blockCacheRecords) { FoundFormatVersion = found, OpenDamage = damage };
            }
            catch (RocksDbException e)
            {
                segments.Dispose();
                throw StoreDamagedException.FromIndex(e, directory);
            }
            using (var it = db.NewIterator(store._cf[Lanes]))
            {
                for (it.SeekToFirst(); it.Valid(); it.Next())
                {
                    var number = LaneKeys.LaneOf(it.Key());
                    var lane = LaneEntryCodec.Decode(it.Value());
                    store._laneNumbers[lane] = number;
                    if (number == LaneKeys.OwnLane)
                        store.LaneAddress = lane;
                    else
                        store._lanes[number] = store.OpenLane(number, lane);
                }
            }
            return store;
        }
        catch
        {
            if (store is not null)
                store.Dispose();
            else
                db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True while RocksDB has a flush or compaction running or due in any column family, or the key filters are still
    /// being filled: work that competes with queries for the cores and the disk.
    /// </summary>
    public bool HasBackgroundWork()
    {
        if (!_scan.IsCompleted)
            return true;
        foreach (var cf in _cf.Values)
        {
            foreach (var property in BackgroundProperties)
            {
                if (Db.GetIntProperty(cf, property) is > 0)
                    return true;
            }
        }
        return false;
    }

    private static readonly string[] BackgroundProperties =
        ["rocksdb.mem-table-flush-pending", "rocksdb.compaction-pending", "rocksdb.num-running-flushes", "rocksdb.num-running-compactions"];

    internal byte[]? Get(string family, ReadOnlySpan<byte> key)
    {
        try
        {
            return Db.Get(_cf[family], key);
        }
        catch (RocksDbException e)
        {
            // A table block that fails its checksum: named, reported, never served.
            throw ReportDamage(StoreDamagedException.FromIndex(e, Directory));
        }
    }

    /// <summary>The signed header at <paramref name="height"/>, or null.</summary>
    public SignedHeader? GetHeader(long height) => Get(Headers, HeightKey(height)) is { } b ? SignedHeader.Decode(b) : null;

    /// <summary>The certificate of the block at <paramref name="height"/>, or null.</summary>
    public Certificate? GetCertificate(long height) => Get(Certs, HeightKey(height)) is { } b ? Certificate.Decode(b) : null;

    /// <summary>The block at <paramref name="height"/>, or null (decoded blocks are cached).</summary>
    public Block? GetBlock(long height)
    {
        if (_cache.TryGet(height, out var cached))
            return cached;
        if (Get(Blocks, HeightKey(height)) is not { } loc)
            return null;
        var block = Block.Decode(ReadFrame(height, BlockLocationCodec.Decode(loc)));
        _cache.Put(height, block);
        return block;
    }

    /// <summary>Where the record is, or null when it is not on the ledger.</summary>
    public RecordLocation? FindRecord(Hash32 id)
    {
        var key = id.ToArray();
        return RecordFilter.MayContain(key) && Get(Records, key) is { } b ? RecordLocationCodec.Decode(b) : null;
    }

    /// <summary>The record with this id, or null.</summary>
    /// <exception cref="StoreDamagedException">The bytes read are not the record of that id.</exception>
    public LedgerRecord? GetRecord(Hash32 id) => FindRecord(id) is { } loc ? CheckRecord(GetRecordAt(loc).Record, id, loc) : null;

    /// <summary>The record read at <paramref name="location"/> is the one of <paramref name="id"/>; otherwise the store is damaged (reported).</summary>
    internal LedgerRecord CheckRecord(LedgerRecord record, Hash32 id, RecordLocation location)
    {
        if (record.Id == id)
            return record;
        var at = Get(Blocks, StateCodec.BigEndian(location.Height)) is { } b ? BlockLocationCodec.Decode(b) : default;
        throw ReportDamage(new StoreDamagedException(StoreDamagedException.SegmentPath(SegmentFormat.FileName(Math.Max(1, at.Segment))), at.Offset, location.Height,
            $"the record at batch {location.Batch} index {location.Index} has id {record.Id}, the index names {id}"));
    }

    /// <summary>
    /// The record at a location and its batch seal. When the location carries the record's span and the batch has a
    /// <c>batch-trees</c> entry, only the record's bytes are read (from the cached block, or a slice of the segment
    /// frame) and the seal's path comes from the stored tree. Otherwise (stores written before spans and batch trees
    /// were kept): from the decoded block when it is cached, else this record and its batch's record hashes are read
    /// out of the block's frame.
    /// </summary>
    /// <exception cref="InvalidOperationException">The block is missing, or the slice or batch-trees entry is damaged (names height, batch and index).</exception>
    public (LedgerRecord Record, RecordSeal Seal) GetRecordAt(RecordLocation location)
    {
        if (location.Lane != LaneNumber)
        {
            var lane = LaneByNumber(location.Lane) ?? throw new InvalidOperationException($"the record's lane number {location.Lane} is not in the lanes family: the store is damaged");
            return lane.GetRecordAt(location);
        }
        if (location.Length > 0 && Get(BatchTrees, LaneKey(BatchTree.Key(location.Height, location.Batch))) is { } treeBytes)
        {
            var tree = DecodeBatchTree(treeBytes, location);
            if (tree.ChunkFor(location.Index) is { } chunk)
            {
                var chunkBytes = Get(BatchTrees, LaneKey(BatchTree.ChunkKey(location.Height, location.Batch, chunk)))
                    ?? throw new InvalidOperationException($"the batch-trees chunk {chunk} of height {location.Height} batch {location.Batch} is missing: the store is damaged");
                try
                {
                    tree.AddChunk(chunk, chunkBytes);
                }
                catch (RlpException e)
                {
                    throw new InvalidOperationException(
                        $"the batch-trees chunk {chunk} of height {location.Height} batch {location.Batch} is damaged ({e.Message}): the store is damaged", e);
                }
            }
            var seal = tree.SealFor(location.Index);
            if (_cache.TryGet(location.Height, out var block))
                return (block.Batches[location.Batch].Records[location.Index], seal);
            var blockAt = Get(Blocks, HeightKey(location.Height)) ?? throw new InvalidOperationException($"no block at height {location.Height}");
            var raw = ReadFrameSlice(location.Height, BlockLocationCodec.Decode(blockAt), location.Offset, location.Length);
            try
            {
                return (LedgerRecord.Decode(raw), seal);
            }
            catch (RecordFormatException e)
            {
                var frame = BlockLocationCodec.Decode(blockAt);
                throw ReportDamage(new StoreDamagedException(StoreDamagedException.SegmentPath(SegmentFormat.FileName(frame.Segment)), frame.Offset, location.Height,
                    $"the record at batch {location.Batch} index {location.Index} does not decode from its slice of the block ({e.Message})", e));
            }
        }
        if (_cache.TryGet(location.Height, out var cached))
        {
            var batch = cached.Batches[location.Batch];
            return (batch.Records[location.Index], batch.SealFor(location.Index));
        }
        var at = Get(Blocks, HeightKey(location.Height)) ?? throw new InvalidOperationException($"no block at height {location.Height}");
        return BlockReader.ReadRecord(ReadFrame(location.Height, BlockLocationCodec.Decode(at)), location.Batch, location.Index);
    }

    private static BatchTree DecodeBatchTree(byte[] bytes, RecordLocation location)
    {
        try
        {
            var tree = BatchTree.Decode(bytes);
            if (location.Index < 0 || location.Index >= tree.Count)
                throw new RlpException("batch-trees.count", $"index {location.Index} is outside a batch of {tree.Count}");
            return tree;
        }
        catch (Exception e) when (e is RlpException or RecordFormatException or FormatException)
        {
            throw new InvalidOperationException(
                $"the batch-trees entry of height {location.Height} batch {location.Batch} is damaged ({e.Message}): the store is damaged", e);
        }
    }

    /// <summary>The item's current state, or null.</summary>
    public ItemState? GetItem(ItemId item)
    {
        var key = item.StateKey().ToArray();
        return ItemFilter.MayContain(key) && Get(Items, key) is { } b ? StateCodec.DecodeItemState(b) : null;
    }

    /// <summary>The lot-level facts (recalled and withdrawn lots).</summary>
    public LotFacts GetLots() => Get(Meta, LotsKey) is { } b ? StateCodec.DecodeLotFacts(b) : LotFacts.Empty;

    /// <summary>The ids of every record that touched the item, in lane order.</summary>
    public IReadOnlyList<Hash32> GetHistory(ItemId item) => GetHistory(item.StateKey());

    /// <summary>The ids of every record under a state-map key (an item's, a lot's or a product's), in lane order.</summary>
    public IReadOnlyList<Hash32> GetHistory(Hash32 stateKey) => PrefixValues(History, stateKey.ToArray(), v => new Hash32(v));

    /// <summary>
    /// The store's state map version: 1 for a store written before lots were committed by the state root (its lot facts
    /// stay in <c>meta/lots</c> only), 2 for a store created since (or an empty one).
    /// </summary>
    public int StateMapVersion => LaneNumber != LaneKeys.OwnLane ? CurrentStateMapVersion
        : Get(Meta, StateMapVersionKey) is [var v] ? v : Head.Height == 0 ? CurrentStateMapVersion : 1;

    /// <summary>Alerts from <paramref name="afterSequence"/> on (exclusive), at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<LedgerAlert> GetAlerts(long afterSequence = 0, int limit = 1_000)
    {
        var result = new List<LedgerAlert>();
        using var it = Db.NewIterator(_cf[Alerts]);
        it.Seek(StateCodec.BigEndian(afterSequence + 1));
        for (; it.Valid() && result.Count < limit; it.Next())
            result.Add(StateCodec.DecodeAlert(it.Value()));
        return result;
    }

    /// <summary>Every alert about the item, in order.</summary>
    public IReadOnlyList<LedgerAlert> GetItemAlerts(ItemId item) =>
        PrefixValues(ItemAlerts, item.StateKey().ToArray(), v => Get(Alerts, v) is { } a ? StateCodec.DecodeAlert(a) : null).OfType<LedgerAlert>().ToList();

    /// <summary>The number of alerts recorded.</summary>
    public long AlertCount => Head.AlertSequence;

    /// <summary>The number of captured EPCIS events.</summary>
    public long EventCount => Head.EventSequence;

    /// <summary>Captured EPCIS events with a sequence above <paramref name="afterSequence"/>, in capture order (lazy).</summary>
    /// <remarks>
    /// Records submitted as signed batches are stored one entry per batch (at the sequence of its first record, every
    /// record ids in it, no payload) and read here as one event per record, each at its own sequence.
    /// </remarks>
    public IEnumerable<(long Sequence, StoredEvent Event)> GetEvents(long afterSequence = 0)
    {
        using var it = Db.NewIterator(_cf[Events]);
        // The entry holding afterSequence + 1 may start before it (a batch entry).
        it.SeekForPrev(StateCodec.BigEndian(afterSequence + 1));
        if (!it.Valid())
            it.Seek(StateCodec.BigEndian(afterSequence + 1));
        for (; it.Valid(); it.Next())
        {
            var start = BinaryPrimitives.ReadInt64BigEndian(it.Key());
            var stored = StoredEvent.Decode(it.Value());
            foreach (var (sequence, single) in Expand(start, stored))
                if (sequence > afterSequence)
                    yield return (sequence, single);
        }
    }

    /// <summary>A batch entry as one event per record; any other entry as it is.</summary>
    private static IEnumerable<(long Sequence, StoredEvent Event)> Expand(long start, StoredEvent stored)
    {
        if (!IsBatchEntry(stored))
        {
            yield return (start, stored);
            yield break;
        }
        for (var i = 0; i < stored.RecordIds.Count; i++)
            yield return (start + i, stored with { Key = Lane.LedgerEngine.RecordEventKeyPrefix + stored.RecordIds[i], RecordIds = [stored.RecordIds[i]] });
    }

    private static bool IsBatchEntry(StoredEvent stored) =>
        stored.Payload.Length == 0 && stored.RecordIds.Count > 1 && stored.Key.StartsWith(Lane.LedgerEngine.RecordEventKeyPrefix, StringComparison.Ordinal);

    /// <summary>The captured event with this event hash ID (its idempotency key), or null.</summary>
    public (long Sequence, StoredEvent Event)? GetEvent(string key) =>
        Get(Keys, System.Text.Encoding.UTF8.GetBytes(key)) is { } seq && Get(Events, seq) is { } ev
            ? (BinaryPrimitives.ReadInt64BigEndian(seq), StoredEvent.Decode(ev))
            : null;

    /// <summary>The captured event at a sequence, or null.</summary>
    public StoredEvent? GetEventAt(long sequence)
    {
        if (sequence <= 0)
            return null;
        using var it = Db.NewIterator(_cf[Events]);
        it.SeekForPrev(StateCodec.BigEndian(sequence));
        if (!it.Valid())
            return null;
        var start = BinaryPrimitives.ReadInt64BigEndian(it.Key());
        foreach (var (s, e) in Expand(start, StoredEvent.Decode(it.Value())))
            if (s == sequence)
                return e;
        return null;
    }

    internal IReadOnlyList<T> PrefixValues<T>(string family, byte[] prefix, Func<byte[], T> decode, int limit = int.MaxValue)
    {
        var result = new List<T>();
        // An upper bound lets RocksDB stop at the prefix's end instead of reading on into the next key's blocks.
        using var options = new ReadOptions();
        if (PrefixEnd(prefix) is { } end)
            options.SetIterateUpperBound(end);
        using var it = Db.NewIterator(_cf[family], options);
        for (it.Seek(prefix); it.Valid() && result.Count < limit; it.Next())
        {
            if (!it.Key().StartsWith(prefix))
                break;
            result.Add(decode(it.Value().ToArray()));
        }
        return result;
    }

    /// <summary>The least key above every key that starts with <paramref name="prefix"/>, or null when there is none (all 0xFF).</summary>
    internal static byte[]? PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] == 0xFF)
                continue;
            var end = prefix[..(i + 1)].ToArray();
            end[i]++;
            return end;
        }
        return null;
    }

    internal void CacheBlock(long height, Block block) => _cache.Put(height, block);

    /// <summary>Blocks and records in the decoded-block cache (for tests and metrics).</summary>
    internal (int Blocks, long Records) CacheUsage => _cache.Usage;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_root is not null)
        {
            Segments.Dispose();
            return;
        }
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var lane in OtherLanes)
                lane.Dispose();
            _stopScan.Cancel();
            try
            {
                _scan.Wait();
            }
            catch (AggregateException)
            {
                // A failed scan left its filter incomplete, which only costs lookups; the store is closing anyway.
            }
            _stopScan.Dispose();
            try
            {
                // At a clean close the memtables go to SST files, so the next open has no write-ahead log to replay
                // (seconds per hundred MB: ADR 0011). After a failure the log stays the record and is replayed.
                Db.Flush();
            }
            catch (RocksDbException)
            {
            }
        }
        Segments.Dispose();
        Db.Dispose();
    }

    /// <summary>
    /// Recently written or read blocks, decoded, least recently used first out. Bounded by blocks and by records: a block
    /// holds up to <c>Lane:MaxBlockRecords</c> records (20,000 by default) of about 1 KB of heap each decoded, so a bound in
    /// blocks alone let 256 busy blocks hold gigabytes.
    /// </summary>
    private sealed class BlockCache(int capacity, long maxRecords)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<long, LinkedListNode<(long Height, Block Block)>> _map = [];
        private readonly LinkedList<(long Height, Block Block)> _order = new();
        private long _records;

        public (int Blocks, long Records) Usage
        {
            get
            {
                lock (_lock)
                    return (_map.Count, _records);
            }
        }

        public bool TryGet(long height, out Block block)
        {
            lock (_lock)
            {
                if (_map.TryGetValue(height, out var node))
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                    block = node.Value.Block;
                    return true;
                }
            }
            block = null!;
            return false;
        }

        public void Put(long height, Block block)
        {
            var records = block.SignedHeader.Header.RecordCount;
            if (capacity <= 0 || records > maxRecords)
                return;
            lock (_lock)
            {
                if (_map.ContainsKey(height))
                    return;
                _map[height] = _order.AddFirst((height, block));
                _records += records;
                while (_map.Count > capacity || _records > maxRecords)
                {
                    var (oldest, evicted) = _order.Last!.Value;
                    _map.Remove(oldest);
                    _order.RemoveLast();
                    _records -= evicted.SignedHeader.Header.RecordCount;
                }
            }
        }
    }
}

/// <summary>The committed head as stored under <c>meta/head</c>.</summary>
internal sealed record StoredHead(long Height, BlockLocation Location, Hash32 HeaderHash, long LogSize, byte[] Frontier, Hash32 StateRoot, long AlertSequence, long EventSequence)
{
    public static readonly StoredHead Empty = new(0, default, Hash32.Zero, 0, [], SparseMerkleTree.EmptyHash, 0, 0);

    public byte[] Encode() => Rlp.Encode(RlpItem.List(RlpItem.UInt(1), RlpItem.UInt((ulong)Height), RlpItem.Bytes(BlockLocationCodec.Encode(Location)),
        RlpItem.Hash(HeaderHash), RlpItem.UInt((ulong)LogSize), RlpItem.Bytes(Frontier), RlpItem.Hash(StateRoot), RlpItem.UInt((ulong)AlertSequence),
        RlpItem.UInt((ulong)EventSequence)));

    public static StoredHead Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "meta.head";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 9);
        if (l[0].AsString(f).ToUInt64(f) != 1)
            throw new RlpException(f, "unknown head version");
        return new StoredHead((long)l[1].AsString(f).ToUInt64(f), BlockLocationCodec.Decode(l[2].AsString(f).Value.Span), l[3].AsString(f).ToHash32(f),
            (long)l[4].AsString(f).ToUInt64(f), l[5].AsString(f).Value.ToArray(), l[6].AsString(f).ToHash32(f), (long)l[7].AsString(f).ToUInt64(f),
            (long)l[8].AsString(f).ToUInt64(f));
    }
}

/// <summary>
/// The state map's (sparse Merkle tree's) nodes. Nodes are content-addressed and immutable. The nodes a block creates are
/// pending until the block is durable; then they are dirty: held in memory only, because each block's sync batch holds
/// the block's state changes as one <c>state-deltas</c> entry, from which the tree is rebuilt after a crash (replay from
/// the last checkpoint). When the dirty set exceeds the checkpoint threshold (and on shutdown) a checkpoint writes the
/// dirty nodes reachable from the head root to the <c>smt</c> family without sync, then <c>meta/state-checkpoint</c>
/// (height, root) with sync; only then do those nodes leave memory. Unreachable dirty nodes are garbage and are not
/// written. The threshold checkpoint writes on a background task (see <see cref="CheckpointIfDue"/>).
/// <para>
/// Dirty nodes live in generations: the current one (filled by the sequencer) and, while its checkpoint is being
/// written, the previous one (frozen). Concurrent readers get a <see cref="ReadView"/> that sees both and RocksDB.
/// The sequencer also keeps the current tree's nodes in memory (up to <c>Lane:StateCacheNodes</c>): an update walks
/// ~log2(items) nodes from the root to a leaf, and at millions of items a cache of recently used nodes missed most of
/// the deep ones (fresh keys land next to leaves untouched for long), each miss a random RocksDB read.
/// </para>
/// </summary>
internal sealed class RocksSparseNodeStore : ISparseMerkleNodeStore
{
    private const int NodesPerBatch = 16_384;
    private const int LagFactor = 4;

    private readonly LaneStore _store;
    private readonly int _cacheCapacity;
    private readonly long _checkpointNodes;
    private readonly int _checkpointNice;
    private readonly Dictionary<Hash32, SparseMerkleNode> _pending = [];
    private List<(Hash32 Key, Hash32? Value)>? _delta;
    private volatile Dictionary<Hash32, SparseMerkleNode> _sealed = [];

    private readonly NodeTable _live = new();
    private volatile Generation _current = new(0);
    private long _checkpointHeight;
    private Task _flush = Task.CompletedTask;

    /// <param name="store">The lane store.</param>
    /// <param name="cacheCapacity">Nodes of the current tree kept in memory (0: none).</param>
    /// <param name="checkpointNodes">A checkpoint is taken when more nodes than this are dirty.</param>
    /// <param name="checkpointNice">The nice value background checkpoints run at (0: the node's own priority).</param>
    public RocksSparseNodeStore(LaneStore store, int cacheCapacity = 0, long checkpointNodes = long.MaxValue, int checkpointNice = 0)
    {
        _checkpointNice = checkpointNice;
        _store = store;
        _cacheCapacity = cacheCapacity;
        _checkpointNodes = checkpointNodes;
    }

    /// <summary>Sequencer lookup: the current tree's nodes in memory, pending, dirty generations, RocksDB.</summary>
    public bool TryGet(Hash32 hash, out SparseMerkleNode node)
    {
        if (_live.TryGet(hash, out node) || _pending.TryGetValue(hash, out node) || _sealed.TryGetValue(hash, out node))
            return true;
        var current = _current;
        if (current.TryGet(hash, out node) || (current.Flushing is { } flushing && flushing.TryGet(hash, out node))
            || TryGetDurable(_store, hash, out node))
        {
            // The sequencer only walks its current root, so what it reads is part of the current tree.
            Remember(hash, node);
            return true;
        }
        return false;
    }

    private static bool TryGetDurable(LaneStore store, Hash32 hash, out SparseMerkleNode node)
    {
        if (store.Get(LaneStore.Smt, hash.ToArray()) is { } b)
        {
            node = SparseMerkleNode.Decode(b);
            return true;
        }
        node = default;
        return false;
    }

    /// <summary>
    /// Keeps a node of the current tree in memory. The set holds only the current tree (an update's replaced nodes leave
    /// it, see <see cref="Replaced"/>), so it grows with the items, not with the updates; at the capacity it is dropped
    /// whole and refills from the paths in use (the upper levels at once).
    /// </summary>
    private void Remember(Hash32 hash, SparseMerkleNode node)
    {
        if (_cacheCapacity <= 0)
            return;
        if (_live.Count >= _cacheCapacity)
            _live.Clear();
        _live.Set(hash, node);
    }

    public void Put(Hash32 hash, SparseMerkleNode node)
    {
        _pending.TryAdd(hash, node);
        Remember(hash, node);
    }

    /// <summary>The current tree's nodes in memory (count, bytes of their table) and the dirty nodes not yet checkpointed.</summary>
    internal (int LiveNodes, long LiveBytes, long DirtyNodes) Usage
    {
        get
        {
            var current = _current;
            return (_live.Count, _live.Bytes, current.Count + (current.Flushing?.Count ?? 0));
        }
    }

    /// <summary>An update replaced the node: it leaves the in-memory current tree (earlier roots read it from the generations or RocksDB).</summary>
    public void Replaced(Hash32 hash) => _live.Remove(hash);

    /// <summary>Keeps the block's state changes (in the order given) for <see cref="WriteTo"/> and returns them.</summary>
    public IReadOnlyList<(Hash32 Key, Hash32? Value)> RecordDelta(IEnumerable<(Hash32 Key, Hash32? Value)> updates)
    {
        _delta = [.. updates];
        return _delta;
    }

    /// <summary>Adds the block's state delta (one <c>state-deltas</c> entry, key = height) to the block's batch.</summary>
    public void WriteTo(WriteBatch batch, long height)
    {
        if (_delta is { Count: > 0 } delta)
            batch.Put(_store[LaneStore.StateDeltas], _store.HeightKey(height), EncodeDelta(delta));
    }

    /// <summary>
    /// After the block's write batch is built (the sequencer goes on with the next block while it is written): its nodes
    /// stay readable, by the sequencer and by views, until <see cref="Committed"/>. Views may see them before the block
    /// commits; that is harmless, since no committed root reaches them until it does. The dictionary is never changed
    /// once published.
    /// </summary>
    public void Seal()
    {
        _sealed = new Dictionary<Hash32, SparseMerkleNode>(_pending);
        _pending.Clear();
        _delta = null;
    }

    /// <summary>
    /// After the sealed block's durable commit (on the sequencer, before the next block is sealed): its nodes become
    /// dirty (the sealed set itself joins the generation, no copy). They enter the generation before they leave the
    /// sealed set, and views look in the sealed set first, so a view never misses them in between.
    /// </summary>
    public void Committed()
    {
        var sealedNodes = _sealed;
        if (sealedNodes.Count == 0)
            return;
        _current.Add(sealedNodes);
        _sealed = [];
    }

    /// <summary>Drops what an unfinished block created.</summary>
    public void Clear()
    {
        _pending.Clear();
        _delta = null;
    }

    /// <summary>
    /// Drops what a block that will not be committed created, and the in-memory current tree, from which its update
    /// removed the replaced nodes: it refills from the generations and RocksDB (after a failed segment write).
    /// </summary>
    public void Abandon()
    {
        Clear();
        _live.Clear();
    }

    /// <summary>
    /// A thread-safe, read-only view for a reader that read the committed head at <paramref name="headHeight"/> (before
    /// calling this): it finds every node of that head's root. Null when a checkpoint above that head started in between
    /// (the head's garbage nodes may be gone): read the head again.
    /// </summary>
    public ISparseMerkleNodeStore? ReadView(long headHeight)
    {
        // Every node of a root committed at or after the current generation's start is in this generation (created
        // since), in the one being written (reachable from the checkpoint root) or durable in RocksDB.
        var current = _current;
        return headHeight >= current.StartHeight ? new View(_store, this, current, current.Flushing) : null;
    }

    /// <summary>
    /// Reads <c>meta/state-checkpoint</c> and returns its root. A store without one: empty (height 0), or written before
    /// checkpoints existed (every node persisted per block), when the head's root node is present: the head is the
    /// checkpoint. The key is then written (with sync) so that a crash before the first checkpoint replays from there.
    /// </summary>
    /// <exception cref="InvalidOperationException">The checkpoint is above the head, or missing while the head root is absent.</exception>
    public Hash32 OpenCheckpoint()
    {
        var head = _store.Head;
        long height;
        Hash32 root;
        if (_store.Get(LaneStore.Meta, _store.CheckpointKeyOfLane) is { } raw)
        {
            (height, root) = DecodeCheckpoint(raw);
            if (height > head.Height)
                throw new InvalidOperationException($"the state-map checkpoint is at height {height}, above the head at {head.Height}: the store is damaged");
        }
        else
        {
            if (head.Height > 0 && head.StateRoot != SparseMerkleTree.EmptyHash && _store.Get(LaneStore.Smt, head.StateRoot.ToArray()) is null)
            {
                throw new InvalidOperationException(
                    $"the store has no state-map checkpoint and lacks the node of the state root {head.StateRoot} at height {head.Height}: the store is damaged");
            }
            (height, root) = (head.Height, head.StateRoot);
            _store.Db.Put(_store[LaneStore.Meta], _store.CheckpointKeyOfLane, EncodeCheckpoint(height, root), sync: true);
        }
        _checkpointHeight = height;
        _current = new Generation(height);
        return root;
    }

    /// <summary>
    /// Replays the state deltas above the checkpoint into <paramref name="tree"/> (opened at the checkpoint root); the
    /// nodes become dirty. Each replayed root must be the state root of the header at that height, and the last the head's.
    /// </summary>
    /// <exception cref="InvalidOperationException">A delta is malformed or a root differs (names the height and both roots).</exception>
    public void Replay(SparseMerkleTree tree)
    {
        const string f = "state-deltas";
        var head = _store.Head;
        using (var it = _store.Db.NewIterator(_store[LaneStore.StateDeltas]))
        {
            for (it.Seek(_store.HeightKey(_checkpointHeight + 1)); it.Valid(); it.Next())
            {
                if (LaneKeys.LaneOf(it.Key()) != _store.LaneNumber)
                    break;
                var height = LaneKeys.HeightOf(it.Key());
                if (height > head.Height)
                    break;
                Hash32 root;
                try
                {
                    root = tree.Update(DecodeDelta(it.Value(), f));
                }
                catch (Exception e) when (e is RlpException or InvalidOperationException)
                {
                    throw new InvalidOperationException($"the state delta at height {height} cannot be replayed ({e.Message}): the store is damaged", e);
                }
                Seal();
                Committed();
                var expected = _store.GetHeader(height)?.Header.StateRoot
                    ?? throw new InvalidOperationException($"the state delta at height {height} has no header: the store is damaged");
                if (root != expected)
                    throw new InvalidOperationException($"the state map replayed to height {height} has root {root}, the header at height {height} says {expected}: the state delta at height {height} or the checkpoint is damaged");
            }
        }
        if (tree.Root != head.StateRoot)
            throw new InvalidOperationException($"the state map replayed to the head at height {head.Height} has root {tree.Root}, the head says {head.StateRoot}: a state delta up to height {head.Height} is missing or damaged");
    }

    /// <summary>True while a background checkpoint is being written.</summary>
    public bool CheckpointInFlight => !_flush.IsCompleted;

    /// <summary>The nice value the last background checkpoint ran at (null before the first, or where there is none).</summary>
    internal int? LastCheckpointNice { get; private set; }

    /// <summary>
    /// Between blocks, on the sequencer, after the head at (<paramref name="height"/>, <paramref name="root"/>) was published:
    /// when more nodes than the threshold are dirty and no checkpoint is being written, freezes the dirty generation,
    /// starts a new one and writes the checkpoint on a background task. That is safe because the frozen nodes are
    /// immutable and no longer written to, the task writes only RocksDB (thread-safe) and the generation's
    /// <c>Flushing</c> link, and the frozen nodes stay readable (sequencer and views) until the checkpoint is durable.
    /// </summary>
    /// <exception cref="InvalidOperationException">The previous background checkpoint failed.</exception>
    public void CheckpointIfDue(long height, Hash32 root)
    {
        if (!_flush.IsCompleted)
        {
            // Dirty nodes stay in memory until a checkpoint writes them. When the checkpoint being written falls this far
            // behind, the sequencer waits for it instead of letting the next generation grow without bound (at 10M
            // records a lagging checkpoint let the heap reach 19 GB).
            if (_current.Count <= LagFactor * _checkpointNodes)
                return;
            ((IAsyncResult)_flush).AsyncWaitHandle.WaitOne();
        }
        if (_flush.Exception is { } failed)
            throw new InvalidOperationException("the last state-map checkpoint could not be written: " + failed.InnerException?.Message, failed.InnerException);
        var frozen = _current;
        if (frozen.Count <= _checkpointNodes)
            return;
        var next = new Generation(height, frozen);
        _current = next;
        var from = _checkpointHeight;
        _checkpointHeight = height;
        _flush = BackgroundWork.Run("ledger-checkpoint", _checkpointNice, () =>
        {
            LastCheckpointNice = Ledger.Storage.Threads.ThreadNice.Current();
            WriteCheckpoint(frozen, root, from, height);
            next.Flushing = null; // durable: the nodes are read from RocksDB from now on
        });
    }

    /// <summary>
    /// On the sequencer, when the lane has been idle (no block in flight, the head at (<paramref name="height"/>,
    /// <paramref name="root"/>) published): checkpoints every dirty node in the background, whatever their number, so
    /// that an idle node does not keep up to five thresholds of them in memory until its next block. Returns the task
    /// (completed when there was nothing to do, a checkpoint is already being written, or threshold checkpoints are off:
    /// a threshold of <see cref="long.MaxValue"/>).
    /// </summary>
    public Task CheckpointIdle(long height, Hash32 root)
    {
        if (_checkpointNodes == long.MaxValue || !_flush.IsCompleted || _current.Count == 0 || _flush.Exception is not null)
            return Task.CompletedTask;
        var frozen = _current;
        var next = new Generation(height, frozen);
        _current = next;
        var from = _checkpointHeight;
        _checkpointHeight = height;
        _flush = BackgroundWork.Run("ledger-checkpoint", _checkpointNice, () =>
        {
            LastCheckpointNice = Ledger.Storage.Threads.ThreadNice.Current();
            WriteCheckpoint(frozen, root, from, height);
            next.Flushing = null;
        });
        return _flush;
    }

    /// <summary>On shutdown: waits for a background checkpoint and takes a last one at the head when anything changed since.</summary>
    public async Task CloseAsync(long height, Hash32 root)
    {
        await _flush.ConfigureAwait(false);
        var current = _current;
        if (height == _checkpointHeight && current.Count == 0)
            return;
        WriteCheckpoint(current, root, _checkpointHeight, height);
        _checkpointHeight = height;
        _current = new Generation(height);
    }

    /// <summary>Writes the generation's nodes reachable from <paramref name="root"/> (no sync), then the checkpoint (sync).</summary>
    private void WriteCheckpoint(Generation generation, Hash32 root, long from, long height)
    {
        var db = _store.Db;
        var smt = _store[LaneStore.Smt];
        var stack = new Stack<Hash32>();
        if (root != SparseMerkleTree.EmptyHash)
            stack.Push(root);
        var wb = new WriteBatch();
        try
        {
            // A node outside the generation is from before it: reachable from the previous checkpoint root, hence durable.
            // One dictionary for the walk: looking each node up in every block's set made a checkpoint cost nodes × sets.
            var nodes = generation.Flatten();
            while (stack.TryPop(out var hash))
            {
                if (!nodes.TryGetValue(hash, out var node))
                    continue;
                wb.Put(smt, hash.ToArray(), node.Encode());
                if (node.Kind == SparseMerkleNodeKind.Internal)
                {
                    if (node.First != SparseMerkleTree.EmptyHash)
                        stack.Push(node.First);
                    if (node.Second != SparseMerkleTree.EmptyHash)
                        stack.Push(node.Second);
                }
                if (wb.Count >= NodesPerBatch)
                {
                    db.Write(wb, sync: false);
                    wb.Clear();
                }
            }
            // The synced write makes the unsynced node writes before it durable too (one write-ahead log, in order).
            wb.Put(_store[LaneStore.Meta], _store.CheckpointKeyOfLane, EncodeCheckpoint(height, root));
            // The deltas at or below the checkpoint are no longer needed for recovery: they are deleted.
            var deltas = _store[LaneStore.StateDeltas];
            for (var h = from + 1; h <= height; h++)
                wb.Delete(deltas, _store.HeightKey(h));
            db.Write(wb, sync: true);
        }
        finally
        {
            wb.Dispose();
        }
    }

    internal static byte[] EncodeCheckpoint(long height, Hash32 root) =>
        Rlp.Encode(RlpItem.List(RlpItem.UInt(1), RlpItem.UInt((ulong)height), RlpItem.Hash(root)));

    internal static (long Height, Hash32 Root) DecodeCheckpoint(ReadOnlySpan<byte> bytes)
    {
        const string f = "meta.state-checkpoint";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 3);
        if (l[0].AsString(f).ToUInt64(f) != 1)
            throw new RlpException(f, "unknown state-checkpoint version");
        return ((long)l[1].AsString(f).ToUInt64(f), l[2].AsString(f).ToHash32(f));
    }

    /// <summary>RLP list of [key(32), value(32, or empty for a deletion)], in the order given.</summary>
    internal static byte[] EncodeDelta(IReadOnlyList<(Hash32 Key, Hash32? Value)> delta)
    {
        var items = new RlpItem[delta.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var (key, value) = delta[i];
            items[i] = RlpItem.List(RlpItem.Hash(key), value is { } v ? RlpItem.Hash(v) : RlpItem.BytesNoCopy([]));
        }
        return Rlp.Encode(RlpItem.List(items));
    }

    internal static List<(Hash32 Key, Hash32? Value)> DecodeDelta(ReadOnlySpan<byte> bytes, string field)
    {
        var list = Rlp.Decode(bytes).AsList(field);
        var result = new List<(Hash32, Hash32?)>(list.Count);
        foreach (var item in list.Items)
        {
            var pair = item.AsList(field).Expect(field, 2);
            var value = pair[1].AsString(field);
            result.Add((pair[0].AsString(field).ToHash32(field), value.Value.Length == 0 ? null : value.ToHash32(field)));
        }
        return result;
    }

    /// <summary>
    /// Dirty nodes of one checkpoint interval: the committed blocks' node sets, each immutable once added (a big one is
    /// kept as it is, so a commit costs no copy; small ones are merged into a tail under a lock, so lookups scan few
    /// sets). Written by the sequencer only; read by views and the checkpoint writer. Frozen once replaced.
    /// </summary>
    private sealed class Generation(long startHeight, Generation? flushing = null)
    {
        private const int OwnSetNodes = 16_384;

        private readonly Lock _tailLock = new();
        private readonly Dictionary<Hash32, SparseMerkleNode> _tail = [];
        private volatile Dictionary<Hash32, SparseMerkleNode>[] _sets = [];
        private long _count;

        /// <summary>The checkpoint height this generation follows.</summary>
        public long StartHeight { get; } = startHeight;

        /// <summary>Nodes added (a node in two blocks' sets counts twice).</summary>
        public long Count => Interlocked.Read(ref _count);

        private volatile Generation? _flushing = flushing;

        /// <summary>The previous generation while its checkpoint is being written (frozen).</summary>
        public Generation? Flushing
        {
            get => _flushing;
            set => _flushing = value;
        }

        /// <summary>Adds a committed block's nodes; the set must not change afterwards.</summary>
        public void Add(Dictionary<Hash32, SparseMerkleNode> nodes)
        {
            if (nodes.Count >= OwnSetNodes)
            {
                _sets = [.. _sets, nodes];
            }
            else
            {
                lock (_tailLock)
                {
                    foreach (var (hash, node) in nodes)
                        _tail.TryAdd(hash, node);
                }
            }
            Interlocked.Add(ref _count, nodes.Count);
        }

        /// <summary>Every node in one new dictionary (for a frozen generation: the checkpoint walk).</summary>
        public Dictionary<Hash32, SparseMerkleNode> Flatten()
        {
            var sets = _sets;
            lock (_tailLock)
            {
                var all = new Dictionary<Hash32, SparseMerkleNode>(_tail.Count + sets.Sum(x => x.Count));
                foreach (var (hash, node) in _tail)
                    all.TryAdd(hash, node);
                foreach (var set in sets)
                    foreach (var (hash, node) in set)
                        all.TryAdd(hash, node);
                return all;
            }
        }

        public bool TryGet(Hash32 hash, out SparseMerkleNode node)
        {
            var sets = _sets;
            for (var i = sets.Length - 1; i >= 0; i--)
            {
                if (sets[i].TryGetValue(hash, out node))
                    return true;
            }
            lock (_tailLock)
                return _tail.TryGetValue(hash, out node);
        }
    }

    /// <summary>A reader's view: a generation, the one being written when the view was made (kept alive by it), RocksDB.</summary>
    private sealed class View(LaneStore store, RocksSparseNodeStore owner, Generation generation, Generation? flushing) : ISparseMerkleNodeStore
    {
        // The sequencer's current tree first: a node found whole there is the node of that hash, whichever root it is
        // from. Then the sealed set before the generation: a committed block's nodes enter the generation before they
        // leave the sealed set (see Committed).
        public bool TryGet(Hash32 hash, out SparseMerkleNode node) =>
            owner._live.TryGetVerified(hash, out node) || owner._sealed.TryGetValue(hash, out node) || generation.TryGet(hash, out node) || (flushing is not null && flushing.TryGet(hash, out node)) || TryGetDurable(store, hash, out node);

        public void Put(Hash32 hash, SparseMerkleNode node) => throw new InvalidOperationException("a read view of the state map does not store nodes");
    }
}
