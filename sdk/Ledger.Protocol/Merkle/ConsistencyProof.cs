namespace Ledger.Protocol.Merkle;

/// <summary>
/// An RFC 9162 §2.1.4 consistency proof that the tree of <see cref="OldSize"/> leaves is a prefix of the tree of
/// <see cref="NewSize"/> leaves, hashes in the order of the RFC's PROOF/SUBPROOF. Equality compares the path
/// element by element. Byte layout: docs/spec/merkle.md §5.2.
/// </summary>
public sealed record ConsistencyProof(long OldSize, long NewSize, Hash32[] Path)
{
    /// <summary>Type tag, first byte of the encoding.</summary>
    public const byte Tag = 0x02;

    /// <summary>The most path hashes a proof may carry.</summary>
    public const int MaxPathLength = 128;

    /// <summary>The consistency path.</summary>
    public Hash32[] Path { get; init; } = Path ?? throw new ArgumentNullException(nameof(Path));

    /// <summary>Encodes as tag(1) || oldSize u64 BE || newSize u64 BE || count u8 || count × 32-byte hashes.</summary>
    /// <exception cref="ArgumentException">A negative size, or more than <see cref="MaxPathLength"/> hashes.</exception>
    public byte[] Encode()
        => PathProofCodec.Encode(Tag, OldSize, NewSize, Path, MaxPathLength, "consistency proof", "old size", "new size");

    /// <summary>Decodes the layout written by <see cref="Encode"/>; rejects any other tag, truncation and trailing bytes.</summary>
    /// <exception cref="MerkleFormatException">The bytes are not a well-formed consistency proof.</exception>
    public static ConsistencyProof Decode(ReadOnlySpan<byte> encoded)
    {
        var (first, second, path) = PathProofCodec.Decode(encoded, Tag, MaxPathLength, "consistency proof", "old size", "new size");
        return new ConsistencyProof(first, second, path);
    }

    /// <summary>Tries to decode; false when the bytes are malformed.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out ConsistencyProof? proof)
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
    public bool Equals(ConsistencyProof? other) =>
        other is not null && OldSize == other.OldSize && NewSize == other.NewSize && Path.AsSpan().SequenceEqual(other.Path);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(OldSize, NewSize, Path.Length, Path.Length > 0 ? Path[0] : default);

    /// <inheritdoc/>
    public override string ToString() => $"ConsistencyProof(old {OldSize}, new {NewSize}, path [{string.Join(", ", Path)}])";
}
