using System.Security.Cryptography;

namespace Ledger.Protocol.Crypto;

/// <summary>SHA-256 (FIPS 180-4), the protocol's record hash.</summary>
public static class Sha256
{
    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        return new Hash32(digest);
    }
}
