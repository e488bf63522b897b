using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Storage.RocksDb;

namespace Ledger.Engine.Lane;

/// <summary>
/// The lane log's nodes of level ≥ <see cref="LogNodeStore.ChunkLevels"/> held in memory as well as in RocksDB: N/128
/// hashes for N records (2.5 MB at 10 million), so an inclusion proof reads one chunk (its lowest 8 levels) and nothing
/// else from RocksDB, at any log size; read one by one, the upper levels were the part of a provenance query that grew
/// with the ledger. Loaded at open, extended by the sequencer as it writes each block.
/// <para>
/// Per level an append-only sequence: node i of level L exists once (i+1)·2^L records are in the log and never changes
/// after, so a level is a count and pages that only grow. One writer (the sequencer); readers read without locks below
/// the published count. The sequencer publishes a block's nodes when it adds them to the block's write batch, before
/// that batch is durable: a reader asks only for nodes inside the log of a committed head, which those are not until the
/// block commits (and if its write fails, the lane stops and the memory goes with the process).
/// </para>
/// </summary>
internal sealed class LogUpperLevels
{
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;
    private const int MaxLevel = 63;

    private readonly Level?[] _levels = new Level?[MaxLevel + 1];

    /// <summary>Nodes held, all levels.</summary>
    public long Count => _levels.Sum(l => l?.Count ?? 0);

    /// <summary>The node (level ≥ 8) when it is held; false sends the reader to RocksDB.</summary>
    public bool TryGet(int level, long index, out Hash32 hash)
    {
        if ((uint)level <= MaxLevel && Volatile.Read(ref _levels[level]) is { } l)
            return l.TryGet(index, out hash);
        hash = default;
        return false;
    }

    /// <summary>
    /// Writer only: adds nodes. Within a level they must continue the level (index = its count); a node below the
    /// count is already held, and one past it leaves a gap, so it and the rest of its level are left to RocksDB.
    /// </summary>
    public void Add(IEnumerable<KeyValuePair<(int Level, long Index), Hash32>> nodes)
    {
        foreach (var ((level, index), hash) in nodes.OrderBy(n => n.Key.Level).ThenBy(n => n.Key.Index))
        {
            if (level < LogNodeStore.ChunkLevels || level > MaxLevel)
                continue;
            var l = _levels[level];
            if (l is null)
            {
                l = new Level();
                Volatile.Write(ref _levels[level], l);
            }
            l.Append(index, hash);
        }
    }

    /// <summary>Loads every single-node entry of level ≥ 8 of lane number <paramref name="lane"/> from the <c>merkle-log</c> family.</summary>
    public static LogUpperLevels Load(RocksDb db, ColumnFamilyHandle log, int lane)
    {
        var upper = new LogUpperLevels();
        using var options = new ReadOptions().SetIterateUpperBound(LaneKeys.Of(lane, [MaxLevel + 1]));
        using var it = db.NewIterator(log, options);
        var batch = new List<KeyValuePair<(int, long), Hash32>>(PageSize);
        const int p = LaneKeys.PrefixLength;
        for (it.Seek(LaneKeys.Of(lane, [LogNodeStore.ChunkLevels])); it.Valid(); it.Next())
        {
            var key = it.Key();
            var value = it.Value();
            if (key.Length != p + 9 || value.Length != Hash32.Length)
                continue; // not a node entry: reads of it go to RocksDB, which reports any damage
            batch.Add(new((key[p], BinaryPrimitives.ReadInt64BigEndian(key[(p + 1)..])), new Hash32(value)));
            if (batch.Count == PageSize)
            {
                upper.Add(batch);
                batch.Clear();
            }
        }
        upper.Add(batch);
        return upper;
    }

    private sealed class Level
    {
        private volatile Hash32[]?[] _pages = new Hash32[]?[16];
        private long _count;
        private bool _gap;

        public long Count => Volatile.Read(ref _count);

        public bool TryGet(long index, out Hash32 hash)
        {
            if (index >= 0 && index < Volatile.Read(ref _count))
            {
                hash = _pages[index >> PageBits]![index & (PageSize - 1)];
                return true;
            }
            hash = default;
            return false;
        }

        public void Append(long index, Hash32 hash)
        {
            var count = _count;
            if (_gap || index < count)
                return;
            if (index > count)
            {
                _gap = true;
                return;
            }
            var page = index >> PageBits;
            var pages = _pages;
            if (page >= pages.Length)
            {
                var grown = new Hash32[]?[pages.Length * 2];
                pages.CopyTo(grown, 0);
                _pages = pages = grown;
            }
            var p = pages[page] ??= new Hash32[PageSize];
            p[index & (PageSize - 1)] = hash;
            Volatile.Write(ref _count, count + 1); // the hash is written before the count that makes it readable
        }
    }
}
