using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
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
        Items = "items", History = "history", LotItems = "lot-items", GlnRecords = "gln-records", Alerts = "alerts", ItemAlerts = "item-alerts",
        Log = "merkle-log", Smt = "smt", Keys = "keys", Events = "events", ItemEvents = "item-events", Scans = "scans";

    private static readonly string[] Families =
        [RocksDb.DefaultColumnFamilyName, Meta, Headers, Certs, Blocks, Records, Batches, Items, History, LotItems, GlnRecords, Alerts, ItemAlerts, Log, Smt, Keys, Events, ItemEvents, Scans];

    /// <summary>Every column family of the index, "default" included (for tools that open the index themselves, e.g. store verify).</summary>
    public static IReadOnlyList<string> FamilyNames => Families;

    internal static readonly byte[] HeadKey = "head"u8.ToArray();
    internal static readonly byte[] LotsKey = "lots"u8.ToArray();

    private readonly Dictionary<string, ColumnFamilyHandle> _cf;
    private readonly BlockCache _cache;

    private LaneStore(string directory, RocksDb db, BlockSegmentStore segments, StoredHead head, int cacheSize)
    {
        Directory = directory;
        Db = db;
        Segments = segments;
        Head = head;
        _cf = Families.ToDictionary(f => f, db.GetColumnFamily, StringComparer.Ordinal);
        _cache = new BlockCache(cacheSize);
    }

    /// <summary>The data folder's <c>ledger/</c> directory.</summary>
    public string Directory { get; }

    internal RocksDb Db { get; }

    internal BlockSegmentStore Segments { get; }

    internal StoredHead Head { get; set; }

    internal ColumnFamilyHandle this[string family] => _cf[family];

    /// <summary>Opens (creating when missing) the store in <paramref name="directory"/>, recovering the segment tail to the committed head.</summary>
    public static LaneStore Open(string directory, int blockCacheSize = 256)
    {
        System.IO.Directory.CreateDirectory(directory);
        var db = RocksDb.Open(Path.Combine(directory, "index"), new RocksDbOptions(), Families);
        try
        {
            var raw = db.Get(db.GetColumnFamily(Meta), HeadKey);
            var head = raw is null ? StoredHead.Empty : StoredHead.Decode(raw);
            var segments = BlockSegmentStore.Open(Path.Combine(directory, "blocks"), head.Height == 0 ? null : head.Location);
            return new LaneStore(directory, db, segments, head, blockCacheSize);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    internal byte[]? Get(string family, ReadOnlySpan<byte> key) => Db.Get(_cf[family], key);

    /// <summary>The signed header at <paramref name="height"/>, or null.</summary>
    public SignedHeader? GetHeader(long height) => Get(Headers, StateCodec.BigEndian(height)) is { } b ? SignedHeader.Decode(b) : null;

    /// <summary>The certificate of the block at <paramref name="height"/>, or null.</summary>
    public Certificate? GetCertificate(long height) => Get(Certs, StateCodec.BigEndian(height)) is { } b ? Certificate.Decode(b) : null;

    /// <summary>The block at <paramref name="height"/>, or null (decoded blocks are cached).</summary>
    public Block? GetBlock(long height)
    {
        if (_cache.TryGet(height, out var cached))
            return cached;
        if (Get(Blocks, StateCodec.BigEndian(height)) is not { } loc)
            return null;
        var block = Block.Decode(Segments.Read(DecodeLocation(loc)));
        _cache.Put(height, block);
        return block;
    }

    /// <summary>Where the record is, or null when it is not on the ledger.</summary>
    public RecordLocation? FindRecord(Hash32 id) => Get(Records, id.ToArray()) is { } b ? DecodeRecordLocation(b) : null;

    /// <summary>The record with this id, or null.</summary>
    public LedgerRecord? GetRecord(Hash32 id) => FindRecord(id) is { } loc ? GetBlock(loc.Height)!.Batches[loc.Batch].Records[loc.Index] : null;

    /// <summary>The item's current state, or null.</summary>
    public ItemState? GetItem(ItemId item) => Get(Items, item.StateKey().ToArray()) is { } b ? StateCodec.DecodeItemState(b) : null;

    /// <summary>The lot-level facts (recalled and withdrawn lots).</summary>
    public LotFacts GetLots() => Get(Meta, LotsKey) is { } b ? StateCodec.DecodeLotFacts(b) : LotFacts.Empty;

    /// <summary>The ids of every record that touched the item, in lane order.</summary>
    public IReadOnlyList<Hash32> GetHistory(ItemId item) => PrefixValues(History, item.StateKey().ToArray(), v => new Hash32(v));

    /// <summary>Items commissioned into a lot (GTIN-14 and lot), in lane order, at most <paramref name="limit"/>.</summary>
    /// <remarks>One entry per lot and block (key: gtin, 0, lot, 0, height), its value the RLP list of the block's items.</remarks>
    public IReadOnlyList<ItemId> GetLotItems(string gtin, string lot, int limit = 10_000)
    {
        var result = new List<ItemId>();
        foreach (var value in PrefixValues(LotItems, LotPrefix(gtin, lot), v => v))
            foreach (var item in Rlp.Decode(value).AsList("lot-items").Items)
            {
                if (result.Count >= limit)
                    return result;
                result.Add(ItemId.FromRlp(item, "lot-items"));
            }
        return result;
    }

    /// <summary>Records written at a GLN, in lane order, at most <paramref name="limit"/>.</summary>
    /// <remarks>One entry per GLN and block (key: gln, 0, height), its value the block's record ids concatenated.</remarks>
    public IReadOnlyList<Hash32> GetGlnRecords(string gln, int limit = 10_000)
    {
        var result = new List<Hash32>();
        foreach (var value in PrefixValues(GlnRecords, System.Text.Encoding.ASCII.GetBytes(gln + "\0"), v => v))
            for (var i = 0; i + Hash32.Length <= value.Length && result.Count < limit; i += Hash32.Length)
                result.Add(new Hash32(value.AsSpan(i, Hash32.Length)));
        return result;
    }

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

    /// <summary>Sequences of the captured EPCIS documents' events that name the item, in order (records submitted as signed batches are in <see cref="GetHistory"/>).</summary>
    public IReadOnlyList<long> GetItemEventSequences(ItemId item) =>
        PrefixValues(ItemEvents, item.StateKey().ToArray(), v => BinaryPrimitives.ReadInt64BigEndian(v));

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

    internal static byte[] LotPrefix(string gtin, string lot) => System.Text.Encoding.UTF8.GetBytes(gtin + "\0" + lot + "\0");

    internal IReadOnlyList<T> PrefixValues<T>(string family, byte[] prefix, Func<byte[], T> decode, int limit = int.MaxValue)
    {
        var result = new List<T>();
        using var it = Db.NewIterator(_cf[family]);
        for (it.Seek(prefix); it.Valid() && result.Count < limit; it.Next())
        {
            if (!it.Key().StartsWith(prefix))
                break;
            result.Add(decode(it.Value().ToArray()));
        }
        return result;
    }

    internal static byte[] EncodeLocation(BlockLocation l)
    {
        var b = new byte[20];
        BinaryPrimitives.WriteUInt64BigEndian(b, l.Segment);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(8), l.Offset);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), l.Length);
        return b;
    }

    internal static BlockLocation DecodeLocation(ReadOnlySpan<byte> b) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(b), BinaryPrimitives.ReadInt64BigEndian(b[8..]), BinaryPrimitives.ReadInt32BigEndian(b[16..]));

    internal static byte[] EncodeRecordLocation(RecordLocation l)
    {
        var b = new byte[24];
        BinaryPrimitives.WriteInt64BigEndian(b, l.Height);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), l.Batch);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), l.Index);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(16), l.LogIndex);
        return b;
    }

    internal static RecordLocation DecodeRecordLocation(ReadOnlySpan<byte> b) =>
        new(BinaryPrimitives.ReadInt64BigEndian(b), BinaryPrimitives.ReadInt32BigEndian(b[8..]), BinaryPrimitives.ReadInt32BigEndian(b[12..]), BinaryPrimitives.ReadInt64BigEndian(b[16..]));

    internal void CacheBlock(long height, Block block) => _cache.Put(height, block);

    /// <inheritdoc/>
    public void Dispose()
    {
        Segments.Dispose();
        Db.Dispose();
    }

    private sealed class BlockCache(int capacity)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<long, LinkedListNode<(long Height, Block Block)>> _map = [];
        private readonly LinkedList<(long Height, Block Block)> _order = new();

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
            if (capacity <= 0)
                return;
            lock (_lock)
            {
                if (_map.ContainsKey(height))
                    return;
                _map[height] = _order.AddFirst((height, block));
                while (_map.Count > capacity)
                {
                    _map.Remove(_order.Last!.Value.Height);
                    _order.RemoveLast();
                }
            }
        }
    }
}

/// <summary>The committed head as stored under <c>meta/head</c>.</summary>
internal sealed record StoredHead(long Height, BlockLocation Location, Hash32 HeaderHash, long LogSize, byte[] Frontier, Hash32 StateRoot, long AlertSequence, long EventSequence)
{
    public static readonly StoredHead Empty = new(0, default, Hash32.Zero, 0, [], SparseMerkleTree.EmptyHash, 0, 0);

    public byte[] Encode() => Rlp.Encode(RlpItem.List(RlpItem.UInt(1), RlpItem.UInt((ulong)Height), RlpItem.Bytes(LaneStore.EncodeLocation(Location)),
        RlpItem.Hash(HeaderHash), RlpItem.UInt((ulong)LogSize), RlpItem.Bytes(Frontier), RlpItem.Hash(StateRoot), RlpItem.UInt((ulong)AlertSequence),
        RlpItem.UInt((ulong)EventSequence)));

    public static StoredHead Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "meta.head";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 9);
        if (l[0].AsString(f).ToUInt64(f) != 1)
            throw new RlpException(f, "unknown head version");
        return new StoredHead((long)l[1].AsString(f).ToUInt64(f), LaneStore.DecodeLocation(l[2].AsString(f).Value.Span), l[3].AsString(f).ToHash32(f),
            (long)l[4].AsString(f).ToUInt64(f), l[5].AsString(f).Value.ToArray(), l[6].AsString(f).ToHash32(f), (long)l[7].AsString(f).ToUInt64(f),
            (long)l[8].AsString(f).ToUInt64(f));
    }
}

/// <summary>
/// Sparse Merkle nodes in RocksDB (content-addressed), with uncommitted nodes in memory until <see cref="WriteTo"/>,
/// and a two-generation cache of recently read or written nodes: an update walks ~log2(items) nodes from the root, and
/// the upper levels are shared by every path, so most reads are served from memory instead of RocksDB. Nodes are
/// immutable (keyed by their hash), so a cached node can never be stale.
/// </summary>
internal sealed class RocksSparseNodeStore(LaneStore store, int cacheCapacity = 0) : ISparseMerkleNodeStore
{
    private readonly Dictionary<Hash32, SparseMerkleNode> _pending = [];
    private Dictionary<Hash32, SparseMerkleNode> _sealed = [];
    private Dictionary<Hash32, SparseMerkleNode> _recent = [];
    private Dictionary<Hash32, SparseMerkleNode> _older = [];

    public bool TryGet(Hash32 hash, out SparseMerkleNode node)
    {
        if (_pending.TryGetValue(hash, out node) || _sealed.TryGetValue(hash, out node) || _recent.TryGetValue(hash, out node))
            return true;
        if (_older.TryGetValue(hash, out node))
        {
            Remember(hash, node);
            return true;
        }
        if (store.Get(LaneStore.Smt, hash.ToArray()) is { } b)
        {
            node = SparseMerkleNode.Decode(b);
            Remember(hash, node);
            return true;
        }
        return false;
    }

    private void Remember(Hash32 hash, SparseMerkleNode node)
    {
        if (cacheCapacity <= 0)
            return;
        if (_recent.Count >= cacheCapacity)
        {
            _older = _recent;
            _recent = new Dictionary<Hash32, SparseMerkleNode>(cacheCapacity);
        }
        _recent[hash] = node;
    }

    public void Put(Hash32 hash, SparseMerkleNode node) => _pending.TryAdd(hash, node);

    public void WriteTo(WriteBatch batch)
    {
        var cf = store[LaneStore.Smt];
        foreach (var (hash, node) in _pending)
            batch.Put(cf, hash.ToArray(), node.Encode());
    }

    /// <summary>The block's nodes were put in its write batch: they stay readable (for the next block) until <see cref="Committed"/>.</summary>
    public void Seal()
    {
        (_sealed, var empty) = (new Dictionary<Hash32, SparseMerkleNode>(_pending), _sealed);
        empty.Clear();
        _pending.Clear();
    }

    /// <summary>After the sealed block's durable commit: its nodes join the cache.</summary>
    public void Committed()
    {
        foreach (var (hash, node) in _sealed)
            Remember(hash, node);
        _sealed.Clear();
    }

    public void Clear() => _pending.Clear();
}
