using System.Buffers.Binary;

namespace Ledger.Protocol.Merkle;

/// <summary>A leaf as carried in a sparse Merkle proof: a key and its value.</summary>
public readonly record struct SparseMerkleLeaf(Hash32 Key, Hash32 Value);

/// <summary>
/// A sparse Merkle tree proof for one key. Walking the key's bits from the root, the path ends at depth
/// <c>Siblings.Length</c> in either an empty subtree (<see cref="Leaf"/> null) or a leaf (<see cref="Leaf"/> set):
/// the key's own leaf (membership) or another key's leaf that shares the path (non-membership).
/// <see cref="Siblings"/> holds the sibling hash at each depth from the root down, empty subtrees as
/// <see cref="SparseMerkleTree.EmptyHash"/>; the encoding omits those behind a bitmap. Layout: docs/spec/merkle.md §5.3.
/// </summary>
public sealed record SparseMerkleProof(SparseMerkleLeaf? Leaf, Hash32[] Siblings)
{
    /// <summary>Type tag, first byte of the encoding.</summary>
    public const byte Tag = 0x03;

    /// <summary>The sibling hashes from the root down.</summary>
    public Hash32[] Siblings { get; init; } = Siblings ?? throw new ArgumentNullException(nameof(Siblings));

    /// <summary>
    /// Encodes as tag(1)=0x03 || terminal(1) (0 empty, 1 leaf) || [key(32) || value(32) when leaf] || depth u16 BE ||
    /// bitmap(ceil(depth/8)) || one 32-byte hash per set bit, in depth order. Bit i (byte i/8, mask 0x80 &gt;&gt; i%8) is set
    /// when the sibling at depth i is not the empty hash.
    /// </summary>
    /// <exception cref="ArgumentException">More than 256 siblings.</exception>
    public byte[] Encode()
    {
        var depth = Siblings.Length;
        if (depth > SparseMerkleTree.Depth)
            throw new ArgumentException($"sparse merkle proof: at most {SparseMerkleTree.Depth} siblings; got {depth}");
        var present = 0;
        foreach (var s in Siblings)
        {
            if (s != SparseMerkleTree.EmptyHash)
                present++;
        }
        var bitmapLength = (depth + 7) / 8;
        var leafLength = Leaf is null ? 0 : 2 * Hash32.Length;
        var bytes = new byte[2 + leafLength + 2 + bitmapLength + Hash32.Length * present];
        var span = bytes.AsSpan();
        span[0] = Tag;
        span[1] = Leaf is null ? (byte)0 : (byte)1;
        var pos = 2;
        if (Leaf is { } leaf)
        {
            leaf.Key.CopyTo(span[pos..]);
            leaf.Value.CopyTo(span[(pos + Hash32.Length)..]);
            pos += leafLength;
        }
        BinaryPrimitives.WriteUInt16BigEndian(span[pos..], (ushort)depth);
        pos += 2;
        var bitmap = span.Slice(pos, bitmapLength);
        pos += bitmapLength;
        for (var i = 0; i < depth; i++)
        {
            if (Siblings[i] == SparseMerkleTree.EmptyHash)
                continue;
            bitmap[i / 8] |= (byte)(0x80 >> (i % 8));
            Siblings[i].CopyTo(span[pos..]);
            pos += Hash32.Length;
        }
        return bytes;
    }

    /// <summary>
    /// Decodes the layout written by <see cref="Encode"/>. Only the canonical encoding is accepted: padding bits of
    /// the bitmap must be zero and a present sibling must not be the empty hash.
    /// </summary>
    /// <exception cref="MerkleFormatException">The bytes are not a well-formed sparse Merkle proof.</exception>
    public static SparseMerkleProof Decode(ReadOnlySpan<byte> encoded)
    {
        var r = new ProofReader(encoded, "sparse merkle proof");
        var tag = r.ReadByte("tag");
        if (tag != Tag)
            throw new MerkleFormatException("sparse merkle proof tag", $"must be 0x{Tag:x2}; got 0x{tag:x2}");
        var terminal = r.ReadByte("terminal");
        SparseMerkleLeaf? leaf = terminal switch
        {
            0 => null,
            1 => new SparseMerkleLeaf(r.ReadHash("leaf key"), r.ReadHash("leaf value")),
            _ => throw new MerkleFormatException("sparse merkle proof terminal", $"must be 0 (empty) or 1 (leaf); got {terminal}"),
        };
        var depth = r.ReadUInt16("depth");
        if (depth > SparseMerkleTree.Depth)
            throw new MerkleFormatException("sparse merkle proof depth", $"must be at most {SparseMerkleTree.Depth}; got {depth}");
        var bitmap = r.ReadBytes((depth + 7) / 8, "bitmap");
        if (depth % 8 != 0 && (bitmap[^1] & (0xFF >> (depth % 8))) != 0)
            throw new MerkleFormatException("sparse merkle proof bitmap", "padding bits after the last depth must be zero");
        var siblings = new Hash32[depth];
        for (var i = 0; i < depth; i++)
        {
            if ((bitmap[i / 8] & (0x80 >> (i % 8))) == 0)
            {
                siblings[i] = SparseMerkleTree.EmptyHash;
                continue;
            }
            siblings[i] = r.ReadHash("sibling");
            if (siblings[i] == SparseMerkleTree.EmptyHash)
                throw new MerkleFormatException("sparse merkle proof sibling", $"sibling at depth {i} is the empty hash; it must be left out of the bitmap");
        }
        r.End();
        return new SparseMerkleProof(leaf, siblings);
    }

    /// <summary>Tries to decode; false when the bytes are malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out SparseMerkleProof? proof)
    {
        try
        {
            proof = Decode(encoded);
            return true;
        }
        catch (MerkleFormatException)
        {
            proof = null;
            return false;
        }
    }

    /// <inheritdoc/>
    public bool Equals(SparseMerkleProof? other) =>
        other is not null && Leaf == other.Leaf && Siblings.AsSpan().SequenceEqual(other.Siblings);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Leaf, Siblings.Length);
}
