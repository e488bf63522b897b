using System.Buffers.Binary;

namespace Ledger.Protocol.Merkle;

/// <summary>
/// The byte layout shared by inclusion and consistency proofs (docs/spec/merkle.md §5.1, §5.2):
/// tag(1) || first u64 BE || second u64 BE || count u8 || count × 32-byte hashes.
/// </summary>
internal static class PathProofCodec
{
    public static byte[] Encode(byte tag, long first, long second, Hash32[] path, int maxPath, string what, string firstName, string secondName)
    {
        if (first < 0 || second < 0)
            throw new ArgumentException($"{what}: {firstName} and {secondName} must not be negative");
        if (path.Length > maxPath)
            throw new ArgumentException($"{what}: at most {maxPath} path hashes; got {path.Length}");
        var bytes = new byte[1 + 8 + 8 + 1 + Hash32.Length * path.Length];
        bytes[0] = tag;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(1), (ulong)first);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(9), (ulong)second);
        bytes[17] = (byte)path.Length;
        for (var i = 0; i < path.Length; i++)
            path[i].CopyTo(bytes.AsSpan(18 + Hash32.Length * i));
        return bytes;
    }

    public static (long First, long Second, Hash32[] Path) Decode(ReadOnlySpan<byte> encoded, byte tag, int maxPath, string what, string firstName, string secondName)
    {
        var r = new ProofReader(encoded, what);
        var actual = r.ReadByte("tag");
        if (actual != tag)
            throw new MerkleFormatException($"{what} tag", $"must be 0x{tag:x2}; got 0x{actual:x2}");
        var first = r.ReadSize(firstName);
        var second = r.ReadSize(secondName);
        var count = r.ReadByte("path count");
        if (count > maxPath)
            throw new MerkleFormatException($"{what} path count", $"must be at most {maxPath}; got {count}");
        var path = new Hash32[count];
        for (var i = 0; i < count; i++)
            path[i] = r.ReadHash("path hash");
        r.End();
        return (first, second, path);
    }
}
