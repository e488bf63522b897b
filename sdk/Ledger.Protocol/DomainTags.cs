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
    /// <summary>A lot's key in the state map (lot-level recalls and withdrawals; docs/spec/lane.md §3).</summary>
    public const string Lot = "ledger/lot/v1";
    /// <summary>A product's key in the state map (product-level withdrawals).</summary>
    public const string Product = "ledger/product/v1";
    /// <summary>One link of a lot's or product's record chain (the value its state-map key holds).</summary>
    public const string LotChain = "ledger/lot-chain/v1";

    /// <summary>Tag of a signed HTTP request to a node (docs/spec/crypto.md).</summary>
    public const string Request = "ledger/request/v1";

    /// <summary>SHA-256(tag || 0x00 || encoded), hashed in one call over one buffer (stack for small objects).</summary>
    public static Hash32 Hash(string tag, ReadOnlySpan<byte> encoded)
    {
        var length = tag.Length + 1 + encoded.Length;
        var rented = length > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        var buffer = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            var written = System.Text.Encoding.ASCII.GetBytes(tag, buffer);
            buffer[written] = 0;
            encoded.CopyTo(buffer[(written + 1)..]);
            Span<byte> digest = stackalloc byte[Hash32.Length];
            Crypto.Sha256.HashData(buffer, digest);
            return new Hash32(digest);
        }
        finally
        {
            if (rented is not null)
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
