namespace Ledger.Protocol.Merkle;

/// <summary>The kind of a stored sparse Merkle tree node. Frozen numeric values (persisted as the first byte of a node).</summary>
public enum SparseMerkleNodeKind : byte
{
    /// <summary>A leaf: one key and its value.</summary>
    Leaf = 1,

    /// <summary>An interior node with two children (either may be the empty-subtree hash).</summary>
    Internal = 2,
}

/// <summary>
/// A stored node of a <see cref="SparseMerkleTree"/>, keyed in the store by its hash. Encoding (65 bytes):
/// kind(1) || key-or-left(32) || value-or-right(32); docs/spec/merkle.md §6.5.
/// </summary>
public readonly record struct SparseMerkleNode
{
    /// <summary>The encoded length of a node.</summary>
    public const int EncodedLength = 1 + 2 * Hash32.Length;

    private SparseMerkleNode(SparseMerkleNodeKind kind, Hash32 first, Hash32 second)
    {
        Kind = kind;
        First = first;
        Second = second;
    }

    /// <summary>Leaf or internal.</summary>
    public SparseMerkleNodeKind Kind { get; }

    /// <summary>The key of a leaf, or the left child's hash of an internal node.</summary>
    public Hash32 First { get; }

    /// <summary>The value of a leaf, or the right child's hash of an internal node.</summary>
    public Hash32 Second { get; }

    /// <summary>A leaf node.</summary>
    public static SparseMerkleNode Leaf(Hash32 key, Hash32 value) => new(SparseMerkleNodeKind.Leaf, key, value);

    /// <summary>An internal node.</summary>
    public static SparseMerkleNode Internal(Hash32 left, Hash32 right) => new(SparseMerkleNodeKind.Internal, left, right);

    /// <summary>The node's hash (its key in the store).</summary>
    public Hash32 Hash() => Kind == SparseMerkleNodeKind.Leaf
        ? SparseMerkleTree.LeafHash(First, Second)
        : SparseMerkleTree.NodeHash(First, Second);

    /// <summary>Encodes the node as kind(1) || first(32) || second(32).</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        bytes[0] = (byte)Kind;
        First.CopyTo(bytes.AsSpan(1));
        Second.CopyTo(bytes.AsSpan(1 + Hash32.Length));
        return bytes;
    }

    /// <summary>Decodes a node written by <see cref="Encode"/>.</summary>
    /// <exception cref="MerkleFormatException">Wrong length or unknown kind.</exception>
    public static SparseMerkleNode Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != EncodedLength)
            throw new MerkleFormatException("sparse merkle node", $"must be {EncodedLength} bytes; got {encoded.Length}");
        var kind = (SparseMerkleNodeKind)encoded[0];
        if (kind is not (SparseMerkleNodeKind.Leaf or SparseMerkleNodeKind.Internal))
            throw new MerkleFormatException("sparse merkle node kind", $"must be 1 (leaf) or 2 (internal); got {encoded[0]}");
        return new(kind, new Hash32(encoded.Slice(1, Hash32.Length)), new Hash32(encoded.Slice(1 + Hash32.Length, Hash32.Length)));
    }
}

/// <summary>
/// Content-addressed storage for sparse Merkle tree nodes: node hash → node. Nodes are never overwritten or removed
/// by the tree, so every root ever produced stays readable (pruning old versions is the store owner's business).
/// The node backs this with RocksDB; tests use <see cref="InMemorySparseMerkleNodeStore"/>.
/// </summary>
public interface ISparseMerkleNodeStore
{
    /// <summary>Gets the node whose hash is <paramref name="hash"/>; false when unknown.</summary>
    bool TryGet(Hash32 hash, out SparseMerkleNode node);

    /// <summary>Stores <paramref name="node"/> under its hash <paramref name="hash"/>.</summary>
    void Put(Hash32 hash, SparseMerkleNode node);

    /// <summary>
    /// Told, during an update, of each node the update replaces: it is not part of the new root's tree unless the update
    /// stores the same hash again (which it then does after this call). Nodes stay readable (earlier roots need them);
    /// a store that caches the current tree uses this to drop superseded nodes. Default: nothing.
    /// </summary>
    void Replaced(Hash32 hash)
    {
    }
}

/// <summary>An <see cref="ISparseMerkleNodeStore"/> held in memory.</summary>
public sealed class InMemorySparseMerkleNodeStore : ISparseMerkleNodeStore
{
    private readonly Dictionary<Hash32, SparseMerkleNode> _nodes = [];

    /// <summary>How many nodes are held.</summary>
    public int Count => _nodes.Count;

    /// <inheritdoc/>
    public bool TryGet(Hash32 hash, out SparseMerkleNode node) => _nodes.TryGetValue(hash, out node);

    /// <inheritdoc/>
    public void Put(Hash32 hash, SparseMerkleNode node) => _nodes.TryAdd(hash, node);
}
