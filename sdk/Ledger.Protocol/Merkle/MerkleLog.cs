using System.Buffers.Binary;
using System.Numerics;

namespace Ledger.Protocol.Merkle;

/// <summary>
/// An append-only RFC 9162 log of leaf hashes. Keeps the size and root in O(log n) memory (the frontier: the roots
/// of the perfect subtrees that make up [0, size), largest first) and writes every completed perfect subtree to an
/// <see cref="IMerkleNodeStore"/>, from which it answers inclusion and consistency proofs for any past size in
/// O(log n) store reads without holding the leaves. Proofs equal those of <see cref="MerkleTree"/>.
/// Not thread-safe: one writer; readers must synchronise with it. Frontier format: docs/spec/merkle.md §4.
/// </summary>
public sealed class MerkleLog
{
    /// <summary>Version byte of the frontier encoding.</summary>
    public const byte FrontierVersion = 0x01;

    private readonly IMerkleNodeStore _store;
    private readonly List<Hash32> _frontier; // roots of perfect subtrees, largest (leftmost) first
    private Hash32? _root;

    /// <summary>Creates an empty log over <paramref name="store"/>.</summary>
    public MerkleLog(IMerkleNodeStore store)
        : this(store, 0, [])
    {
    }

    private MerkleLog(IMerkleNodeStore store, long size, List<Hash32> frontier)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Size = size;
        _frontier = frontier;
    }

    /// <summary>The number of leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>The tree head MTH over all leaves so far (<see cref="MerkleHash.EmptyRoot"/> when empty).</summary>
    public Hash32 Root => _root ??= FoldFrontier();

    /// <summary>The frontier: roots of the perfect subtrees covering [0, Size), largest first (one per set bit of Size).</summary>
    public IReadOnlyList<Hash32> Frontier => _frontier;

    /// <summary>Appends one leaf hash; writes the leaf and every perfect subtree it completes to the store.</summary>
    public void Append(Hash32 leafHash)
    {
        var index = Size;
        _store.Put(0, index, leafHash);
        var node = leafHash;
        var level = 0;
        // Each trailing 1 bit of the old size is a perfect subtree that the new leaf's subtree now completes.
        while ((index & 1) == 1)
        {
            node = MerkleHash.Node(_frontier[^1], node);
            _frontier.RemoveAt(_frontier.Count - 1);
            level++;
            index >>= 1;
            _store.Put(level, index, node);
        }
        _frontier.Add(node);
        Size++;
        _root = null;
    }

    /// <summary>Appends leaf hashes in order.</summary>
    public void Append(ReadOnlySpan<Hash32> leafHashes)
    {
        foreach (var h in leafHashes)
            Append(h);
    }

    /// <summary>The tree head at an earlier (or the current) size, from O(log n) store reads.</summary>
    /// <exception cref="ArgumentOutOfRangeException">size is negative or larger than <see cref="Size"/>.</exception>
    public Hash32 GetRoot(long size)
    {
        CheckSize(size, nameof(size));
        if (size == Size)
            return Root;
        return size == 0 ? MerkleHash.EmptyRoot : RangeRoot(0, size);
    }

    /// <summary>The inclusion proof for leaf <paramref name="leafIndex"/> in the tree of <paramref name="treeSize"/> leaves.</summary>
    /// <exception cref="ArgumentOutOfRangeException">treeSize is beyond the log or leafIndex is not below it.</exception>
    public InclusionProof CreateInclusionProof(long leafIndex, long treeSize)
    {
        CheckSize(treeSize, nameof(treeSize));
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        var path = new List<Hash32>(64);
        long start = 0, n = treeSize, m = leafIndex;
        while (n > 1)
        {
            var k = MerkleTree.LargestPowerOfTwoBelow(n);
            if (m < k)
            {
                path.Add(RangeRoot(start + k, n - k));
                n = k;
            }
            else
            {
                path.Add(RangeRoot(start, k));
                start += k;
                m -= k;
                n -= k;
            }
        }
        path.Reverse();
        return new InclusionProof(leafIndex, treeSize, [.. path]);
    }

    /// <summary>The consistency proof from size <paramref name="oldSize"/> to size <paramref name="newSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sizes are not 0 &lt;= old &lt;= new &lt;= Size.</exception>
    public ConsistencyProof CreateConsistencyProof(long oldSize, long newSize)
    {
        CheckSize(newSize, nameof(newSize));
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        if (oldSize == 0 || oldSize == newSize)
            return new ConsistencyProof(oldSize, newSize, []);
        var path = new List<Hash32>(64);
        long start = 0, n = newSize, m = oldSize;
        var complete = true;
        while (m != n)
        {
            var k = MerkleTree.LargestPowerOfTwoBelow(n);
            if (m <= k)
            {
                path.Add(RangeRoot(start + k, n - k));
                n = k;
            }
            else
            {
                path.Add(RangeRoot(start, k));
                start += k;
                m -= k;
                n -= k;
                complete = false;
            }
        }
        if (!complete)
            path.Add(RangeRoot(start, m));
        path.Reverse();
        return new ConsistencyProof(oldSize, newSize, [.. path]);
    }

    /// <summary>
    /// Encodes the size and frontier: version(1) = 0x01 || size u64 BE || popcount(size) × 32-byte hashes, largest
    /// subtree first. Persist it with each block so the log can be reopened without reading the store.
    /// </summary>
    public byte[] EncodeFrontier()
    {
        var bytes = new byte[1 + 8 + Hash32.Length * _frontier.Count];
        bytes[0] = FrontierVersion;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), (ulong)Size);
        for (var i = 0; i < _frontier.Count; i++)
            _frontier[i].CopyTo(bytes.AsSpan(9 + Hash32.Length * i));
        return bytes;
    }

    /// <summary>Reopens a log from an encoded frontier (see <see cref="EncodeFrontier"/>) over the store that holds its nodes.</summary>
    /// <exception cref="MerkleFormatException">The frontier bytes are malformed.</exception>
    public static MerkleLog Restore(IMerkleNodeStore store, ReadOnlySpan<byte> frontier)
    {
        var r = new ProofReader(frontier, "merkle log frontier");
        var version = r.ReadByte("version");
        if (version != FrontierVersion)
            throw new MerkleFormatException("merkle log frontier version", $"must be 0x{FrontierVersion:x2}; got 0x{version:x2}");
        var size = r.ReadSize("size");
        var count = BitOperations.PopCount((ulong)size);
        var hashes = new List<Hash32>(count + 1);
        for (var i = 0; i < count; i++)
            hashes.Add(r.ReadHash("subtree root"));
        r.End();
        return new MerkleLog(store, size, hashes);
    }

    /// <summary>Reopens a log of <paramref name="size"/> leaves by reading its frontier from the store (popcount(size) reads).</summary>
    /// <exception cref="InvalidOperationException">The store lacks a node the size requires.</exception>
    public static MerkleLog Open(IMerkleNodeStore store, long size)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var hashes = new List<Hash32>(65);
        long start = 0;
        for (var level = 62; level >= 0; level--)
        {
            var width = 1L << level;
            if ((size & width) == 0)
                continue;
            hashes.Add(Read(store, level, start >> level));
            start += width;
        }
        return new MerkleLog(store, size, hashes);
    }

    /// <summary>
    /// MTH of leaves [start, start+count) where the range is a subtree of the RFC decomposition (start aligned to the
    /// largest power of two ≤ count): split into aligned perfect subtrees, read each, fold right to left.
    /// </summary>
    private Hash32 RangeRoot(long start, long count)
    {
        Span<Hash32> parts = stackalloc Hash32[64];
        var p = 0;
        while (count > 0)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)count);
            var width = 1L << level;
            parts[p++] = Read(_store, level, start >> level);
            start += width;
            count -= width;
        }
        var acc = parts[--p];
        while (p > 0)
            acc = MerkleHash.Node(parts[--p], acc);
        return acc;
    }

    private Hash32 FoldFrontier()
    {
        if (_frontier.Count == 0)
            return MerkleHash.EmptyRoot;
        var acc = _frontier[^1];
        for (var i = _frontier.Count - 2; i >= 0; i--)
            acc = MerkleHash.Node(_frontier[i], acc);
        return acc;
    }

    private static Hash32 Read(IMerkleNodeStore store, int level, long index) =>
        store.TryGet(level, index, out var hash)
            ? hash
            : throw new InvalidOperationException($"merkle node store lacks node ({level}, {index}); the store does not match the log");

    private void CheckSize(long size, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, Size, name);
    }
}
