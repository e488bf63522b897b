using System.Globalization;
using System.Security.Cryptography;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// Signed HTTP requests (docs/spec/crypto.md §9, api.md §3): a party's secp256k1 signature over
/// SHA-256("ledger/request/v1" || 0x00 || RLP([METHOD, path-and-query, time-ms, SHA-256(body)])), sent as
/// <c>Authorization: Ledger-Signature address=0x…, time=&lt;unix ms&gt;, signature=0x&lt;65 bytes&gt;</c>.
/// One definition for the node (which checks) and the SDK (which signs).
/// </summary>
public static class SignedRequest
{
    /// <summary>The authorization scheme name.</summary>
    public const string Scheme = "Ledger-Signature";

    /// <summary>The digest a request signature signs (the method is upper-cased).</summary>
    public static Hash32 Digest(string method, string pathAndQuery, long timeMs, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        return DomainTags.Hash(DomainTags.Request, Rlp.Rlp.Encode(RlpItem.List(RlpItem.Text(method.ToUpperInvariant()), RlpItem.Text(pathAndQuery),
            RlpItem.UInt((ulong)timeMs), RlpItem.Bytes(SHA256.HashData(body)))));
    }

    /// <summary>The <c>Authorization</c> header value for a request signed with <paramref name="key"/>.</summary>
    public static string AuthorizationHeader(PrivateKey key, string method, string pathAndQuery, long timeMs, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = Secp256k1.Sign(key, Digest(method, pathAndQuery, timeMs, body));
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme} address={key.Address}, time={timeMs}, signature={Hex.Encode0x(signature.ToBytes())}");
    }
}
