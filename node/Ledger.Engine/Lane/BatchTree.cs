using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Engine.Lane;

/// <summary>
/// A batch's seal material as stored in the <c>batch-trees</c> family (docs/spec/lane.md §2), so that a record's seal is
/// built without reading or hashing the batch's other records. The levels are the perfect-subtree hashes of the batch's
/// RFC 9162 tree — level 0 the n leaf hashes, level L the floor(n / 2^L) hashes of the aligned 2^L-leaf subtrees —
/// 32 bytes each.
/// <list type="bullet">
/// <item>Version 2 (written now): the entry under <see cref="Key"/> is RLP [2, batch header, signature, n, upper, tail]
/// — upper: levels ≥ 6 level by level; tail: levels 0–5 of the last, partial 64-leaf chunk (empty when 64 divides n) —
/// and each full chunk c (leaves 64c … 64c+63) has an entry under <see cref="ChunkKey"/> holding its levels 0–5
/// (64 + 32 + 16 + 8 + 4 + 2 hashes, 4,032 bytes). A seal reads the entry and at most one chunk, about 5 KB.</item>
/// <item>Version 1 (stores written before): RLP [1, batch header, signature, n, nodes], every level in one entry
/// (64 KB for a batch of 1,000); still read.</item>
/// </list>
/// </summary>
internal sealed class BatchTree
{
    private const string Field = "batch-trees";

    /// <summary>Levels 0 … ChunkLevels − 1 are stored in chunks.</summary>
    public const int ChunkLevels = 6;

    /// <summary>Leaves per chunk (2^ChunkLevels).</summary>
    public const int ChunkLeaves = 1 << ChunkLevels;

    /// <summary>Hashes in a full chunk.</summary>
    public const int ChunkNodes = 2 * ChunkLeaves - 2;

    private readonly byte[]? _all;
    private readonly byte[]? _upper;
    private readonly byte[]? _tail;
    private long _chunk = -1;
    private byte[]? _chunkBytes;

    private BatchTree(BatchHeader header, Signature signature, int count, byte[]? all, byte[]? upper, byte[]? tail)
    {
        Header = header;
        Signature = signature;
        Count = count;
        _all = all;
        _upper = upper;
        _tail = tail;
    }

    public BatchHeader Header { get; }

    public Signature Signature { get; }

    /// <summary>Records in the batch (n).</summary>
    public int Count { get; }

    /// <summary>1 (every level in the entry) or 2 (chunks apart).</summary>
    public int Version => _all is null ? 2 : 1;

    private int FullChunks => Count / ChunkLeaves;

    /// <summary>The key of a batch's entry: height (8 bytes big-endian) ‖ batch index (4 bytes big-endian).</summary>
    public static byte[] Key(long height, int batch)
    {
        var k = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(k, height);
        BinaryPrimitives.WriteInt32BigEndian(k.AsSpan(8), batch);
        return k;
    }

    /// <summary>The key of a full chunk (version 2): the batch's key ‖ chunk index (4 bytes big-endian).</summary>
    public static byte[] ChunkKey(long height, int batch, long chunk)
    {
        var k = new byte[16];
        Key(height, batch).CopyTo(k, 0);
        BinaryPrimitives.WriteInt32BigEndian(k.AsSpan(12), checked((int)chunk));
        return k;
    }

    /// <summary>How many hashes all levels of an n-leaf tree hold: the sum of floor(n / 2^L) over L ≥ 0.</summary>
    public static long NodeCount(long n)
    {
        long total = 0;
        for (; n > 0; n >>= 1)
            total += n;
        return total;
    }

    /// <summary>The levels for these leaf hashes: n leaves, then one hash per internal perfect-subtree node (fewer than n).</summary>
    public static byte[] BuildNodes(ReadOnlySpan<Hash32> leafHashes)
    {
        var n = leafHashes.Length;
        var nodes = new byte[NodeCount(n) * Hash32.Length];
        for (var i = 0; i < n; i++)
            leafHashes[i].CopyTo(nodes.AsSpan(i * Hash32.Length));
        long below = 0;
        for (long width = n; width > 1; width >>= 1)
        {
            var above = below + width;
            for (long i = 0; i < width / 2; i++)
            {
                var left = new Hash32(nodes.AsSpan((int)((below + 2 * i) * Hash32.Length), Hash32.Length));
                var right = new Hash32(nodes.AsSpan((int)((below + 2 * i + 1) * Hash32.Length), Hash32.Length));
                MerkleHash.Node(left, right).CopyTo(nodes.AsSpan((int)((above + i) * Hash32.Length)));
            }
            below = above;
        }
        return nodes;
    }

    /// <summary>The version-2 entries of a batch (its entry first, then one per full chunk), from its leaf hashes.</summary>
    public static List<(byte[] Key, byte[] Value)> Entries(long height, int batch, BatchHeader header, Signature signature, ReadOnlySpan<Hash32> leafHashes)
    {
        var n = leafHashes.Length;
        var all = BuildNodes(leafHashes);
        var upper = new List<byte>();
        for (var level = ChunkLevels; n >> level > 0; level++)
            upper.AddRange(all.AsSpan(Slice(LevelStart(n, level), n >> level)));
        var fullChunks = n / ChunkLeaves;
        var tail = new List<byte>();
        for (var level = 0; level < ChunkLevels; level++)
            tail.AddRange(all.AsSpan(Slice(LevelStart(n, level) + TailFirst(n, level), (n >> level) - TailFirst(n, level))));
        var entries = new List<(byte[], byte[])>(1 + fullChunks)
        {
            (Key(height, batch), Rlp.Encode(RlpItem.List(RlpItem.UInt(2), header.ToRlp(), RlpItem.BytesNoCopy(signature.ToBytes()),
                RlpItem.UInt((ulong)n), RlpItem.BytesNoCopy(upper.ToArray()), RlpItem.BytesNoCopy(tail.ToArray())))),
        };
        for (var c = 0; c < fullChunks; c++)
        {
            var chunk = new byte[ChunkNodes * Hash32.Length];
            for (var level = 0; level < ChunkLevels; level++)
            {
                var width = ChunkLeaves >> level;
                all.AsSpan(Slice(LevelStart(n, level) + (long)c * width, width)).CopyTo(chunk.AsSpan(ChunkLevelStart(level) * Hash32.Length));
            }
            entries.Add((ChunkKey(height, batch, c), chunk));
        }
        return entries;
    }

    /// <summary>A version-1 entry (every level in one value), as stores written before version 2 hold.</summary>
    public static byte[] EncodeVersion1(BatchHeader header, Signature signature, int count, byte[] nodes) =>
        Rlp.Encode(RlpItem.List(RlpItem.UInt(1), header.ToRlp(), RlpItem.BytesNoCopy(signature.ToBytes()), RlpItem.UInt((ulong)count),
            RlpItem.BytesNoCopy(nodes)));

    /// <summary>The version-1 entry for a batch (its record ids hashed as leaves).</summary>
    public static byte[] EncodeVersion1(SignedBatch batch)
    {
        var leaves = new Hash32[batch.Records.Count];
        for (var i = 0; i < leaves.Length; i++)
            leaves[i] = MerkleHash.Leaf(batch.Records[i].Id);
        return EncodeVersion1(batch.Header, batch.Signature, leaves.Length, BuildNodes(leaves));
    }

    /// <summary>Decodes a batch's entry (version 1 or 2).</summary>
    /// <exception cref="RlpException">Malformed (unknown version, wrong shape, or level bytes that do not match the count).</exception>
    /// <exception cref="RecordFormatException">The batch header or signature is malformed.</exception>
    public static BatchTree Decode(ReadOnlySpan<byte> bytes)
    {
        var l = Rlp.Decode(bytes).AsList(Field);
        var version = l.Items.Count > 0 ? l[0].AsString(Field + ".version").ToUInt64(Field + ".version") : 0;
        if (version is not (1 or 2))
            throw new RlpException(Field + ".version", $"unknown batch-trees version {version}");
        l.Expect(Field, version == 1 ? 5 : 6);
        var header = BatchHeader.FromRlp(l[1], Field + ".header");
        var signature = Signature.FromBytes(l[2].AsString(Field + ".signature").Value.Span);
        var count = l[3].AsString(Field + ".count").ToUInt64(Field + ".count");
        if (count == 0 || count > BatchHeader.MaxRecords || (long)count != header.Size)
            throw new RlpException(Field + ".count", $"count {count} does not match the batch header's size {header.Size}");
        var n = (int)count;
        if (version == 1)
        {
            var nodes = Bytes(l[4], Field + ".nodes", NodeCount(n));
            return new BatchTree(header, signature, n, nodes, null, null);
        }
        return new BatchTree(header, signature, n, null, Bytes(l[4], Field + ".upper", NodeCount(n) - LevelStart(n, ChunkLevels)),
            Bytes(l[5], Field + ".tail", TailStart(n, ChunkLevels)));
    }

    private static byte[] Bytes(RlpItem item, string field, long hashes)
    {
        var bytes = item.AsString(field).Value.ToArray();
        if (bytes.Length != hashes * Hash32.Length)
            throw new RlpException(field, $"holds {bytes.Length} bytes, a batch of this size needs {hashes * Hash32.Length}");
        return bytes;
    }

    /// <summary>Version 2: the full chunk record <paramref name="index"/>'s seal needs, or null (none needed).</summary>
    public long? ChunkFor(int index) => _all is null && index >= 0 && index < FullChunks * ChunkLeaves ? index >> ChunkLevels : null;

    /// <summary>Version 2: adds the chunk's entry, read from <see cref="ChunkKey"/>.</summary>
    /// <exception cref="RlpException">The entry has the wrong length.</exception>
    public void AddChunk(long chunk, byte[] bytes)
    {
        if (bytes.Length != ChunkNodes * Hash32.Length)
            throw new RlpException(Field + ".chunk", $"holds {bytes.Length} bytes, a chunk needs {ChunkNodes * Hash32.Length}");
        (_chunk, _chunkBytes) = (chunk, bytes);
    }

    /// <summary>The seal of record <paramref name="index"/>: the path is read from the stored levels (hashing only the tree's right edge).</summary>
    /// <exception cref="InvalidOperationException">Version 2 and the chunk the record needs was not added.</exception>
    public RecordSeal SealFor(int index) =>
        new(Header, Signature, MerkleLog.Open(new NodeStore(this), Count).CreateInclusionProof(index, Count));

    private static Range Slice(long firstHash, long hashes) =>
        new((int)(firstHash * Hash32.Length), (int)((firstHash + hashes) * Hash32.Length));

    /// <summary>Index of level <paramref name="level"/>'s first hash when all levels are concatenated.</summary>
    private static long LevelStart(int n, int level)
    {
        long start = 0;
        for (var l = 0; l < level; l++)
            start += n >> l;
        return start;
    }

    /// <summary>Index, within level <paramref name="level"/>, of the tail's first hash (the last, partial chunk's).</summary>
    private static long TailFirst(int n, int level) => (long)(n / ChunkLeaves) * ChunkLeaves >> level;

    /// <summary>Index of level <paramref name="level"/>'s first hash in the tail (levels 0–5 of the partial chunk, concatenated).</summary>
    private static long TailStart(int n, int level)
    {
        long start = 0;
        for (var l = 0; l < level; l++)
            start += (n >> l) - TailFirst(n, l);
        return start;
    }

    /// <summary>Index of level <paramref name="level"/>'s first hash in a full chunk: 64 + 32 + … hashes before it.</summary>
    private static int ChunkLevelStart(int level) => 2 * ChunkLeaves - (2 * ChunkLeaves >> level);

    private bool TryRead(int level, long index, out Hash32 hash)
    {
        hash = default;
        var n = Count;
        if (level < 0 || level > 31 || index < 0 || index >= n >> level)
            return false;
        if (_all is not null)
            return Read(_all, LevelStart(n, level) + index, out hash);
        if (level >= ChunkLevels)
            return Read(_upper!, LevelStart(n, level) - LevelStart(n, ChunkLevels) + index, out hash);
        var chunk = index >> (ChunkLevels - level);
        var within = index - (chunk << (ChunkLevels - level));
        if (chunk < FullChunks)
            return chunk == _chunk && _chunkBytes is not null && Read(_chunkBytes, ChunkLevelStart(level) + within, out hash);
        return Read(_tail!, TailStart(n, level) + within, out hash);
    }

    private static bool Read(byte[] bytes, long hashIndex, out Hash32 hash)
    {
        hash = new Hash32(bytes.AsSpan((int)(hashIndex * Hash32.Length), Hash32.Length));
        return true;
    }

    /// <summary>Read-only node store over the levels.</summary>
    private sealed class NodeStore(BatchTree tree) : IMerkleNodeStore
    {
        public bool TryGet(int level, long index, out Hash32 hash) => tree.TryRead(level, index, out hash);

        public void Put(int level, long index, Hash32 hash) => throw new InvalidOperationException("a stored batch tree is read-only");
    }
}
