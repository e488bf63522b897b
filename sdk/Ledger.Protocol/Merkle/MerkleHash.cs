using System.Buffers;

namespace Ledger.Protocol.Merkle;

/// <summary>
/// RFC 9162 §2.1 (identical to RFC 6962 §2.1) hashing for the lane log: SHA-256 with a one-byte
/// domain-separation prefix, 0x00 for leaves and 0x01 for interior nodes. Specified in docs/spec/merkle.md §2.
/// </summary>
public static class MerkleHash
{
    /// <summary>Prefix byte of a leaf hash input (RFC 9162 §2.1.1).</summary>
    public const byte LeafPrefix = 0x00;

    /// <summary>Prefix byte of an interior node hash input (RFC 9162 §2.1.1).</summary>
    public const byte NodePrefix = 0x01;

    private const int StackLimit = 512;

    /// <summary>The root of the empty tree: SHA-256 of the empty string (e3b0c442…b855).</summary>
    public static readonly Hash32 EmptyRoot = Crypto.Sha256.Hash(ReadOnlySpan<byte>.Empty);

    /// <summary>Leaf hash: SHA-256(0x00 || data).</summary>
    public static Hash32 Leaf(ReadOnlySpan<byte> data)
    {
        var length = data.Length + 1;
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            buffer[0] = LeafPrefix;
            data.CopyTo(buffer[1..]);
            Span<byte> digest = stackalloc byte[Hash32.Length];
            Crypto.Sha256.HashData(buffer, digest);
            return new Hash32(digest);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Leaf hash of a 32-byte leaf value (a record id): SHA-256(0x00 || recordId).</summary>
    public static Hash32 Leaf(Hash32 recordId)
    {
        Span<byte> buffer = stackalloc byte[1 + Hash32.Length];
        buffer[0] = LeafPrefix;
        recordId.CopyTo(buffer[1..]);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        Crypto.Sha256.HashData(buffer, digest);
        return new Hash32(digest);
    }

    /// <summary>Interior node hash: SHA-256(0x01 || left || right).</summary>
    public static Hash32 Node(Hash32 left, Hash32 right) => HashPair(NodePrefix, left, right);

    /// <summary>SHA-256(prefix || left || right) without heap allocation.</summary>
    internal static Hash32 HashPair(byte prefix, Hash32 left, Hash32 right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * Hash32.Length];
        buffer[0] = prefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Hash32.Length)..]);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        Crypto.Sha256.HashData(buffer, digest);
        return new Hash32(digest);
    }
}
