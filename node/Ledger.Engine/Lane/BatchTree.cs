using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Engine.Lane;

/// <summary>
/// A batch's seal material as stored in the <c>batch-trees</c> family (docs/spec/lane.md §2), so that a record's seal is
/// built without reading or hashing the batch's other records: RLP [version 1, batch header, signature, record count,
/// nodes], where nodes holds the perfect-subtree hashes of the batch's RFC 9162 tree level by level — level 0 the n leaf
/// hashes, level L the floor(n / 2^L) hashes of the aligned 2^L-leaf subtrees — 32 bytes each, concatenated.
/// </summary>
internal sealed class BatchTree
{
    private const string Field = "batch-trees";

    private BatchTree(BatchHeader header, Signature signature, int count, byte[] nodes)
    {
        Header = header;
        Signature = signature;
        Count = count;
        Nodes = nodes;
    }

    public BatchHeader Header { get; }

    public Signature Signature { get; }

    /// <summary>Records in the batch (n).</summary>
    public int Count { get; }

    /// <summary>The levels' hashes, concatenated.</summary>
    public byte[] Nodes { get; }

    /// <summary>The key: height (8 bytes big-endian) ‖ batch index (4 bytes big-endian).</summary>
    public static byte[] Key(long height, int batch)
    {
        var k = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(k, height);
        BinaryPrimitives.WriteInt32BigEndian(k.AsSpan(8), batch);
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

    /// <summary>The entry for a batch (its record ids hashed as leaves; the engine passes the leaves it already has instead).</summary>
    public static byte[] Encode(SignedBatch batch)
    {
        var leaves = new Hash32[batch.Records.Count];
        for (var i = 0; i < leaves.Length; i++)
            leaves[i] = MerkleHash.Leaf(batch.Records[i].Id);
        return Encode(batch.Header, batch.Signature, leaves.Length, BuildNodes(leaves));
    }

    public static byte[] Encode(BatchHeader header, Signature signature, int count, byte[] nodes) =>
        Rlp.Encode(RlpItem.List(RlpItem.UInt(1), header.ToRlp(), RlpItem.BytesNoCopy(signature.ToBytes()), RlpItem.UInt((ulong)count),
            RlpItem.BytesNoCopy(nodes)));

    /// <exception cref="RlpException">Malformed (wrong version, shape, or a nodes length that does not match the count).</exception>
    /// <exception cref="RecordFormatException">The batch header or signature is malformed.</exception>
    public static BatchTree Decode(ReadOnlySpan<byte> bytes)
    {
        var l = Rlp.Decode(bytes).AsList(Field).Expect(Field, 5);
        if (l[0].AsString(Field).ToUInt64(Field) != 1)
            throw new RlpException(Field, "unknown batch-trees version");
        var header = BatchHeader.FromRlp(l[1], Field + ".header");
        var signature = Signature.FromBytes(l[2].AsString(Field + ".signature").Value.Span);
        var count = l[3].AsString(Field + ".count").ToUInt64(Field + ".count");
        if (count == 0 || count > BatchHeader.MaxRecords || (long)count != header.Size)
            throw new RlpException(Field + ".count", $"count {count} does not match the batch header's size {header.Size}");
        var nodes = l[4].AsString(Field + ".nodes").Value.ToArray();
        if (nodes.Length != NodeCount((long)count) * Hash32.Length)
            throw new RlpException(Field + ".nodes", $"holds {nodes.Length} bytes, a batch of {count} needs {NodeCount((long)count) * Hash32.Length}");
        return new BatchTree(header, signature, (int)count, nodes);
    }

    /// <summary>The seal of record <paramref name="index"/>: the path is read from the stored levels (hashing only the tree's right edge).</summary>
    public RecordSeal SealFor(int index) =>
        new(Header, Signature, MerkleLog.Open(new NodeStore(this), Count).CreateInclusionProof(index, Count));

    /// <summary>Read-only node store over the levels.</summary>
    private sealed class NodeStore(BatchTree tree) : IMerkleNodeStore
    {
        public bool TryGet(int level, long index, out Hash32 hash)
        {
            long start = 0, width = tree.Count;
            for (var l = 0; l < level && width > 0; l++)
            {
                start += width;
                width >>= 1;
            }
            if (level < 0 || index < 0 || index >= width)
            {
                hash = default;
                return false;
            }
            hash = new Hash32(tree.Nodes.AsSpan((int)((start + index) * Hash32.Length), Hash32.Length));
            return true;
        }

        public void Put(int level, long index, Hash32 hash) => throw new InvalidOperationException("a stored batch tree is read-only");
    }
}
