namespace Ledger.Protocol.Merkle;

/// <summary>
/// A sparse Merkle tree of depth 256 mapping 32-byte keys to 32-byte values (the state root: item key hash → latest
/// record id). Design (docs/spec/merkle.md §6): the path of a key is its bits, most significant bit of byte 0 first;
/// an empty subtree hashes to <see cref="EmptyHash"/> (32 zero bytes); a subtree holding exactly one leaf is that
/// leaf, hashed SHA-256(0x02 || key || value), at whatever depth; any other subtree is SHA-256(0x03 || left || right).
/// The root is therefore a function of the key/value set alone. Nodes are content-addressed in an
/// <see cref="ISparseMerkleNodeStore"/>, so every earlier root stays readable (Get/Prove take an optional root).
/// Not thread-safe for writers.
/// </summary>
public sealed class SparseMerkleTree
{
    /// <summary>The number of key bits, hence the maximum depth of a leaf.</summary>
    public const int Depth = 256;

    /// <summary>Prefix byte of a leaf hash input; distinct from RFC 9162's 0x00/0x01.</summary>
    public const byte LeafPrefix = 0x02;

    /// <summary>Prefix byte of an internal node hash input.</summary>
    public const byte NodePrefix = 0x03;

    /// <summary>The hash of an empty subtree at any depth, and the root of the empty tree: 32 zero bytes.</summary>
    public static readonly Hash32 EmptyHash = Hash32.Zero;

    private readonly ISparseMerkleNodeStore _store;

    /// <summary>Opens the tree at <paramref name="root"/> (default: the empty tree) over <paramref name="store"/>.</summary>
    public SparseMerkleTree(ISparseMerkleNodeStore store, Hash32? root = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Root = root ?? EmptyHash;
    }

    /// <summary>The current root.</summary>
    public Hash32 Root { get; private set; }

    /// <summary>Leaf hash: SHA-256(0x02 || key || value).</summary>
    public static Hash32 LeafHash(Hash32 key, Hash32 value) => MerkleHash.HashPair(LeafPrefix, key, value);

    /// <summary>Internal node hash: SHA-256(0x03 || left || right).</summary>
    public static Hash32 NodeHash(Hash32 left, Hash32 right) => MerkleHash.HashPair(NodePrefix, left, right);

    /// <summary>
    /// Applies a batch of changes and returns the new root (also stored in <see cref="Root"/>). A null value deletes
    /// the key (deleting an absent key changes nothing). When a key appears more than once, the last entry wins, as
    /// when a block's records are applied in order. The result does not depend on the order of distinct keys.
    /// </summary>
    public Hash32 Update(IEnumerable<(Hash32 Key, Hash32? Value)> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var last = new Dictionary<Hash32, Hash32?>();
        foreach (var (key, value) in updates)
            last[key] = value;
        if (last.Count == 0)
            return Root;
        var entries = new Entry[last.Count];
        var n = 0;
        foreach (var (key, value) in last)
            entries[n++] = new Entry(key, value);
        Array.Sort(entries, static (a, b) => a.Key.CompareTo(b.Key));
        Root = UpdateSubtree(Root, 0, entries).Hash;
        return Root;
    }

    /// <summary>Sets one key (null deletes it); returns the new root.</summary>
    public Hash32 Set(Hash32 key, Hash32? value) => Update([(key, value)]);

    /// <summary>The value of <paramref name="key"/> at <paramref name="root"/> (default: <see cref="Root"/>); null when absent.</summary>
    /// <exception cref="InvalidOperationException">The store lacks a node on the path (wrong root or damaged store).</exception>
    public Hash32? Get(Hash32 key, Hash32? root = null)
    {
        var h = root ?? Root;
        Span<byte> path = stackalloc byte[Hash32.Length];
        key.CopyTo(path);
        for (var depth = 0; ; depth++)
        {
            if (h == EmptyHash)
                return null;
            var node = Load(h);
            if (node.Kind == SparseMerkleNodeKind.Leaf)
                return node.First == key ? node.Second : null;
            h = Bit(path, depth) == 0 ? node.First : node.Second;
        }
    }

    /// <summary>A membership or non-membership proof for <paramref name="key"/> at <paramref name="root"/> (default: <see cref="Root"/>).</summary>
    /// <exception cref="InvalidOperationException">The store lacks a node on the path (wrong root or damaged store).</exception>
    public SparseMerkleProof Prove(Hash32 key, Hash32? root = null)
    {
        var h = root ?? Root;
        var siblings = new List<Hash32>(32);
        Span<byte> path = stackalloc byte[Hash32.Length];
        key.CopyTo(path);
        for (var depth = 0; ; depth++)
        {
            if (h == EmptyHash)
                return new SparseMerkleProof(null, [.. siblings]);
            var node = Load(h);
            if (node.Kind == SparseMerkleNodeKind.Leaf)
                return new SparseMerkleProof(new SparseMerkleLeaf(node.First, node.Second), [.. siblings]);
            if (Bit(path, depth) == 0)
            {
                siblings.Add(node.Second);
                h = node.First;
            }
            else
            {
                siblings.Add(node.First);
                h = node.Second;
            }
        }
    }

    /// <summary>
    /// Verifies that at <paramref name="root"/> the key maps to <paramref name="value"/> (membership) or, when
    /// <paramref name="value"/> is null, is absent (non-membership). Steps (docs/spec/merkle.md §6.4): a leaf in the
    /// proof for another key must share the key's first depth bits; the root is recomputed from the terminal up the
    /// key's path and compared; then what the proof shows is compared with the claim.
    /// </summary>
    public static MerkleProofResult Verify(Hash32 root, Hash32 key, Hash32? value, SparseMerkleProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var depth = proof.Siblings.Length;
        if (depth > Depth)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.WrongPathLength,
                $"sparse merkle proof: at most {Depth} siblings; got {depth}", expected: root);
        }
        Hash32 h;
        if (proof.Leaf is { } leaf)
        {
            if (leaf.Key != key && !SharesPrefix(leaf.Key, key, depth))
            {
                return MerkleProofResult.Fail(MerkleProofFailure.LeafNotOnPath,
                    $"sparse merkle proof: leaf key {leaf.Key} does not share the first {depth} bits of key {key}", expected: root);
            }
            h = LeafHash(leaf.Key, leaf.Value);
        }
        else
        {
            h = EmptyHash;
        }
        Span<byte> path = stackalloc byte[Hash32.Length];
        key.CopyTo(path);
        for (var i = depth - 1; i >= 0; i--)
            h = Bit(path, i) == 0 ? NodeHash(h, proof.Siblings[i]) : NodeHash(proof.Siblings[i], h);
        if (h != root)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.RootMismatch,
                $"sparse merkle proof: computed root {h} for key {key}, expected {root}", root, h);
        }
        var found = proof.Leaf is { } l && l.Key == key ? l.Value : (Hash32?)null;
        if (value is null)
        {
            return found is null
                ? MerkleProofResult.Valid(root)
                : MerkleProofResult.Fail(MerkleProofFailure.KeyPresent,
                    $"sparse merkle proof: absence of key {key} was claimed but the proof shows value {found}", root, h);
        }
        if (found is null)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.KeyAbsent,
                $"sparse merkle proof: value {value} was claimed for key {key} but the proof shows the key is absent", root, h);
        }
        return found == value
            ? MerkleProofResult.Valid(root)
            : MerkleProofResult.Fail(MerkleProofFailure.ValueMismatch,
                $"sparse merkle proof: value {value} was claimed for key {key} but the proof shows {found}", root, h);
    }

    /// <summary>Decodes <paramref name="encodedProof"/> and verifies it; a malformed encoding is <see cref="MerkleProofFailure.MalformedEncoding"/>.</summary>
    public static MerkleProofResult Verify(Hash32 root, Hash32 key, Hash32? value, ReadOnlySpan<byte> encodedProof)
    {
        SparseMerkleProof proof;
        try
        {
            proof = SparseMerkleProof.Decode(encodedProof);
        }
        catch (MerkleFormatException e)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.MalformedEncoding, e.Message, expected: root);
        }
        return Verify(root, key, value, proof);
    }

    /// <summary>Bit <paramref name="index"/> of a key: bit 0 is the most significant bit of byte 0.</summary>
    internal static int Bit(Hash32 key, int index)
    {
        Span<byte> bytes = stackalloc byte[Hash32.Length];
        key.CopyTo(bytes);
        return Bit(bytes, index);
    }

    private static int Bit(ReadOnlySpan<byte> key, int index) => (key[index >> 3] >> (7 - (index & 7))) & 1;

    private static bool SharesPrefix(Hash32 a, Hash32 b, int bits)
    {
        Span<byte> x = stackalloc byte[Hash32.Length];
        Span<byte> y = stackalloc byte[Hash32.Length];
        a.CopyTo(x);
        b.CopyTo(y);
        var whole = bits >> 3;
        if (!x[..whole].SequenceEqual(y[..whole]))
            return false;
        var rest = bits & 7;
        if (rest == 0)
            return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (x[whole] & mask) == (y[whole] & mask);
    }

    private SparseMerkleNode Load(Hash32 hash) =>
        _store.TryGet(hash, out var node)
            ? node
            : throw new InvalidOperationException($"sparse merkle node store lacks node {hash}; the root is unknown or the store is damaged");

    private readonly record struct Entry(Hash32 Key, Hash32? Value);

    private enum ChildKind : byte
    {
        Unknown,
        Empty,
        Leaf,
        Internal,
    }

    private readonly record struct Child(Hash32 Hash, ChildKind Kind);

    private Child UpdateSubtree(Hash32 hash, int depth, ReadOnlySpan<Entry> updates)
    {
        if (updates.IsEmpty)
            return new Child(hash, hash == EmptyHash ? ChildKind.Empty : ChildKind.Unknown);
        if (hash == EmptyHash)
            return Build(depth, updates);
        var node = Load(hash);
        _store.Replaced(hash);
        if (node.Kind == SparseMerkleNodeKind.Leaf)
        {
            // Merge the existing leaf into the (sorted) updates unless an update replaces or deletes it.
            var existing = new Entry(node.First, node.Second);
            var merged = new Entry[updates.Length + 1];
            var m = 0;
            var placed = false;
            foreach (var u in updates)
            {
                if (!placed && u.Key.CompareTo(existing.Key) >= 0)
                {
                    if (u.Key != existing.Key)
                        merged[m++] = existing;
                    placed = true;
                }
                merged[m++] = u;
            }
            if (!placed)
                merged[m++] = existing;
            return Build(depth, merged.AsSpan(0, m));
        }
        var split = SplitPoint(updates, depth);
        var left = UpdateSubtree(node.First, depth + 1, updates[..split]);
        var right = UpdateSubtree(node.Second, depth + 1, updates[split..]);
        return Combine(left, right);
    }

    /// <summary>Builds the subtree at <paramref name="depth"/> for sorted entries with distinct keys (null values skipped).</summary>
    private Child Build(int depth, ReadOnlySpan<Entry> entries)
    {
        var live = 0;
        Entry single = default;
        foreach (var e in entries)
        {
            if (e.Value is not null)
            {
                live++;
                single = e;
            }
        }
        if (live == 0)
            return new Child(EmptyHash, ChildKind.Empty);
        if (live == 1)
        {
            var leaf = SparseMerkleNode.Leaf(single.Key, single.Value!.Value);
            var h = leaf.Hash();
            _store.Put(h, leaf);
            return new Child(h, ChildKind.Leaf);
        }
        var split = SplitPoint(entries, depth);
        return Combine(Build(depth + 1, entries[..split]), Build(depth + 1, entries[split..]));
    }

    private Child Combine(Child left, Child right)
    {
        if (left.Kind == ChildKind.Empty && right.Kind == ChildKind.Empty)
            return left;
        if (left.Kind == ChildKind.Empty && KindOf(right) == ChildKind.Leaf)
            return right;
        if (right.Kind == ChildKind.Empty && KindOf(left) == ChildKind.Leaf)
            return left;
        var node = SparseMerkleNode.Internal(left.Hash, right.Hash);
        var h = node.Hash();
        _store.Put(h, node);
        return new Child(h, ChildKind.Internal);
    }

    private ChildKind KindOf(Child c) => c.Kind != ChildKind.Unknown
        ? c.Kind
        : Load(c.Hash).Kind == SparseMerkleNodeKind.Leaf ? ChildKind.Leaf : ChildKind.Internal;

    /// <summary>Index of the first entry whose bit at <paramref name="depth"/> is 1 (entries are sorted and share the bits above).</summary>
    private static int SplitPoint(ReadOnlySpan<Entry> entries, int depth)
    {
        int lo = 0, hi = entries.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Bit(entries[mid].Key, depth) == 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}
