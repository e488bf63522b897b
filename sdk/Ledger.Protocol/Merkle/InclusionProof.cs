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
        => PathProofCodec.Encode(Tag, LeafIndex, TreeSize, Path, MaxPathLength, "inclusion proof", "leaf index", "tree size");

    /// <summary>Decodes the layout written by <see cref="Encode"/>; rejects any other tag, truncation and trailing bytes.</summary>
    /// <exception cref="MerkleFormatException">The bytes are not a well-formed inclusion proof.</exception>
    public static InclusionProof Decode(ReadOnlySpan<byte> encoded)
    {
        var (first, second, path) = PathProofCodec.Decode(encoded, Tag, MaxPathLength, "inclusion proof", "leaf index", "tree size");
        return new InclusionProof(first, second, path);
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
