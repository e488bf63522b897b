using System.Buffers.Binary;

namespace Ledger.Protocol.Merkle;

/// <summary>
/// An RFC 9162 §2.1.3 inclusion proof: the audit path for leaf <see cref="LeafIndex"/> (0-based) in the tree of
/// <see cref="TreeSize"/> leaves, hashes ordered from the leaf's sibling up to the root's child.
/// Equality compares the path element by element. Byte layout: docs/spec/merkle.md §5.1.
/// </summary>
public sealed record InclusionProof(long LeafIndex, long TreeSize, Hash32[] Path)
{
    /// <summary>Type tag, first byte of the encoding.</summary>
    public const byte Tag = 0x01;

    /// <summary>The most path hashes a proof may carry (a tree of at most 2^63-1 leaves needs at most 63).</summary>
    public const int MaxPathLength = 64;

    /// <summary>The audit path.</summary>
    public Hash32[] Path { get; init; } = Path ?? throw new ArgumentNullException(nameof(Path));

    /// <summary>Encodes as tag(1) || leafIndex u64 BE || treeSize u64 BE || count u8 || count × 32-byte hashes.</summary>
    /// <exception cref="ArgumentException">A negative index or size, or more than <see cref="MaxPathLength"/> hashes.</exception>
    public byte[] Encode()
    {
        if (LeafIndex < 0 || TreeSize < 0)
            throw new ArgumentException("inclusion proof: leaf index and tree size must not be negative");
        if (Path.Length > MaxPathLength)
            throw new ArgumentException($"inclusion proof: at most {MaxPathLength} path hashes; got {Path.Length}");
        var bytes = new byte[1 + 8 + 8 + 1 + Hash32.Length * Path.Length];
        bytes[0] = Tag;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), (ulong)LeafIndex);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(9), (ulong)TreeSize);
        bytes[17] = (byte)Path.Length;
        for (var i = 0; i < Path.Length; i++)
            Path[i].CopyTo(bytes.AsSpan(18 + Hash32.Length * i));
        return bytes;
    }

    /// <summary>Decodes the layout written by <see cref="Encode"/>; rejects any other tag, truncation and trailing bytes.</summary>
    /// <exception cref="MerkleFormatException">The bytes are not a well-formed inclusion proof.</exception>
    public static InclusionProof Decode(ReadOnlySpan<byte> encoded)
    {
        var r = new ProofReader(encoded, "inclusion proof");
        var tag = r.ReadByte("tag");
        if (tag != Tag)
            throw new MerkleFormatException("inclusion proof tag", $"must be 0x{Tag:x2}; got 0x{tag:x2}");
        var index = r.ReadSize("leaf index");
        var size = r.ReadSize("tree size");
        var count = r.ReadByte("path count");
        if (count > MaxPathLength)
            throw new MerkleFormatException("inclusion proof path count", $"must be at most {MaxPathLength}; got {count}");
        var path = new Hash32[count];
        for (var i = 0; i < count; i++)
            path[i] = r.ReadHash("path hash");
        r.End();
        return new InclusionProof(index, size, path);
    }

    /// <summary>Tries to decode; false when the bytes are malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out InclusionProof? proof)
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
    public bool Equals(InclusionProof? other) =>
        other is not null && LeafIndex == other.LeafIndex && TreeSize == other.TreeSize && Path.AsSpan().SequenceEqual(other.Path);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(LeafIndex, TreeSize, Path.Length, Path.Length > 0 ? Path[0] : default);

    /// <inheritdoc/>
    public override string ToString() => $"InclusionProof(index {LeafIndex}, size {TreeSize}, path [{string.Join(", ", Path)}])";
}
