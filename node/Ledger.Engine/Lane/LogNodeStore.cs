using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Protocol.Merkle;
using Ledger.Storage.RocksDb;

namespace Ledger.Engine.Lane;

/// <summary>
/// The lane log's Merkle nodes in RocksDB. The lowest <see cref="ChunkLevels"/> levels are stored in chunks: one value
/// per 256 consecutive leaves holding those leaves and every node above them up to level 7 (510 hashes, 32 zero bytes
/// where a node does not exist yet), so a record costs 1/256 of a put instead of ~2, and an inclusion proof reads its
/// lowest 8 siblings in one get. Nodes of level 8 and above are single entries (key: lane number, level byte, index big-endian),
/// also held in memory (<see cref="LogUpperLevels"/>), so a proof reads nothing else from RocksDB.
/// A chunk that a block leaves partly filled is kept in memory, so the next block completes it even while the first
/// block's write is still in flight. Stores written before chunks existed keep their single low-level entries, which
/// reads fall back to.
/// </summary>
internal sealed class LogNodeStore(LaneStore store) : IMerkleNodeStore
{
    /// <summary>Levels 0..7 live in chunks; a chunk spans 2^8 leaves.</summary>
    public const int ChunkLevels = 8;

    private const int ChunkLeaves = 1 << ChunkLevels;
    private const int ChunkNodes = 2 * ChunkLeaves - 2;
    private const byte ChunkTag = 0xFF;

    private readonly Dictionary<(int, long), Hash32> _pending = [];
    private readonly Dictionary<long, byte[]> _pendingChunks = [];
    private (long Index, byte[] Bytes)? _lastChunk;
    private (long Index, byte[]? Bytes)? _readChunk;

    /// <summary>The key of a single node (level ≥ 8, or a low-level node of a store written before chunks).</summary>
    public static byte[] Key(int level, long index)
    {
        var k = new byte[9];
        k[0] = (byte)level;
        BinaryPrimitives.WriteInt64BigEndian(k.AsSpan(1), index);
        return k;
    }

    /// <summary>The key of chunk <paramref name="chunk"/> (leaves chunk·256 … chunk·256+255).</summary>
    public static byte[] ChunkKey(long chunk)
    {
        var k = new byte[9];
        k[0] = ChunkTag;
        BinaryPrimitives.WriteInt64BigEndian(k.AsSpan(1), chunk);
        return k;
    }

    private static (long Chunk, int Offset) Locate(int level, long index)
    {
        var shift = ChunkLevels - level;
        var chunk = index >> shift;
        var levelStart = 2 * ChunkLeaves - (2 * ChunkLeaves >> level);
        return (chunk, (levelStart + (int)(index - (chunk << shift))) * Hash32.Length);
    }

    public bool TryGet(int level, long index, out Hash32 hash)
    {
        if (_pending.TryGetValue((level, index), out hash))
            return true;
        if (level < ChunkLevels)
        {
            var (chunk, offset) = Locate(level, index);
            var bytes = _pendingChunks.GetValueOrDefault(chunk) ?? (_lastChunk is { } last && last.Index == chunk ? last.Bytes : ReadChunk(chunk));
            if (bytes is not null && !IsAbsent(bytes.AsSpan(offset, Hash32.Length)))
            {
                hash = new Hash32(bytes.AsSpan(offset, Hash32.Length));
                return true;
            }
        }
        if (level >= ChunkLevels && store.LogUpper.TryGet(level, index, out hash))
            return true;
        if (store.Get(LaneStore.Log, store.LaneKey(Key(level, index))) is { } b)
        {
            hash = new Hash32(b);
            return true;
        }
        return false;
    }

    public void Put(int level, long index, Hash32 hash)
    {
        if (level >= ChunkLevels)
        {
            _pending[(level, index)] = hash;
            return;
        }
        var (chunk, offset) = Locate(level, index);
        if (!_pendingChunks.TryGetValue(chunk, out var bytes))
        {
            bytes = _lastChunk is { } last && last.Index == chunk ? last.Bytes : ReadChunk(chunk)?.ToArray() ?? new byte[ChunkNodes * Hash32.Length];
            _pendingChunks[chunk] = bytes;
        }
        hash.CopyTo(bytes.AsSpan(offset, Hash32.Length));
    }

    /// <summary>Adds this block's nodes to its write batch; the highest chunk stays in memory for the next block.</summary>
    public void WriteTo(WriteBatch batch)
    {
        var cf = store[LaneStore.Log];
        foreach (var ((level, index), hash) in _pending)
            batch.Put(cf, store.LaneKey(Key(level, index)), hash.ToArray());
        store.LogUpper.Add(_pending);
        var highest = -1L;
        foreach (var (chunk, bytes) in _pendingChunks)
        {
            batch.Put(cf, store.LaneKey(ChunkKey(chunk)), bytes);
            highest = Math.Max(highest, chunk);
        }
        if (highest >= 0)
            _lastChunk = (highest, _pendingChunks[highest]);
    }

    /// <summary>Drops the pending nodes (after <see cref="WriteTo"/>, or when a block is abandoned).</summary>
    public void Clear()
    {
        _pending.Clear();
        _pendingChunks.Clear();
    }

    /// <summary>
    /// Drops everything of a block that will not be committed (after a failed segment write), including the open chunk,
    /// which that block's nodes were written into: the next block reads it back from RocksDB.
    /// </summary>
    public void Abandon()
    {
        Clear();
        _lastChunk = null;
        _readChunk = null;
    }

    private byte[]? ReadChunk(long chunk)
    {
        if (_readChunk is { } cached && cached.Index == chunk)
            return cached.Bytes;
        var bytes = store.Get(LaneStore.Log, store.LaneKey(ChunkKey(chunk)));
        if (bytes is not null && bytes.Length != ChunkNodes * Hash32.Length)
            throw new InvalidOperationException($"merkle log chunk {chunk} has {bytes.Length} bytes, expected {ChunkNodes * Hash32.Length}; the store is damaged");
        _readChunk = (chunk, bytes);
        return bytes;
    }

    private static bool IsAbsent(ReadOnlySpan<byte> hash) => !hash.ContainsAnyExcept((byte)0);
}
