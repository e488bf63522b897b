namespace Ledger.Protocol;

/// <summary>
/// Domain-separation tags (docs/spec/records.md §1). Each hashed or signed object is hashed as
/// SHA-256(tag || 0x00 || RLP(object)); the 0x00 terminator keeps the tags prefix-free.
/// </summary>
public static class DomainTags
{
    /// <summary>A batch header, signed by its author.</summary>
    public const string Batch = "ledger/batch/v1";
    /// <summary>A block header, signed by the lane's node.</summary>
    public const string BlockHeader = "ledger/block-header/v1";
    /// <summary>A cosignature statement [lane, height, header hash].</summary>
    public const string Cosign = "ledger/cosign/v1";
    /// <summary>An item's key in the state map.</summary>
    public const string Item = "ledger/item/v1";

    /// <summary>SHA-256(tag || 0x00 || encoded).</summary>
    public static Hash32 Hash(string tag, ReadOnlySpan<byte> encoded)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.ASCII.GetBytes(tag));
        sha.AppendData([0]);
        sha.AppendData(encoded);
        Span<byte> digest = stackalloc byte[32];
        sha.GetHashAndReset(digest);
        return new Hash32(digest);
    }
}
