using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Ledger.Protocol;

namespace Ledger.Engine.Epcis;

/// <summary>
/// The opaque <c>nextPageToken</c> (docs/spec/epcis-query.md §4): base64url (no padding) of 33 bytes —
/// version 0x01, the last returned sequence (int64 big-endian), the first 8 bytes of the query's filter digest, and a
/// 16-byte check over those 17 bytes (SHA-256 or, with a node key, HMAC-SHA256, under the tag <see cref="CheckTag"/>).
/// </summary>
internal static class EpcisPageToken
{
    /// <summary>Domain-separation tag of the token check.</summary>
    public const string CheckTag = "ledger/epcis-page-token/v1";

    /// <summary>Domain-separation tag of the filter digest.</summary>
    public const string FilterTag = "ledger/epcis-query-filter/v1";

    private const byte Version = 1;
    private const int BodyLength = 17;
    private const int CheckLength = 16;
    private const int TokenLength = BodyLength + CheckLength;

    public static Hash32 FilterDigest(string canonicalFilter) => DomainTags.Hash(FilterTag, Encoding.UTF8.GetBytes(canonicalFilter));

    public static string Encode(long lastSequence, Hash32 filterDigest, ReadOnlySpan<byte> key)
    {
        Span<byte> token = stackalloc byte[TokenLength];
        token[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(token[1..], lastSequence);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        filterDigest.CopyTo(digest);
        digest[..8].CopyTo(token[9..]);
        Check(token[..BodyLength], key).CopyTo(token[BodyLength..]);
        return Base64Url.EncodeToString(token);
    }

    /// <summary>The sequence the token continues after.</summary>
    /// <exception cref="EpcisQueryException">Malformed, altered, or issued for other filters.</exception>
    public static long Decode(string token, Hash32 filterDigest, ReadOnlySpan<byte> key, string parameter)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token.Trim());
        }
        catch (FormatException)
        {
            throw new EpcisQueryException(parameter, "token-format", "not a page token returned by this server (bad base64url)");
        }
        if (bytes.Length == OrderedTokenLength && bytes[0] == OrderedVersion)
            throw new EpcisQueryException(parameter, "token-query", "the page token was issued for a query with orderBy; send the same parameters as the first page");
        if (bytes.Length != TokenLength || bytes[0] != Version)
            throw new EpcisQueryException(parameter, "token-format", "not a page token returned by this server (wrong length or version)");
        if (!CryptographicOperations.FixedTimeEquals(Check(bytes.AsSpan(0, BodyLength), key), bytes.AsSpan(BodyLength)))
            throw new EpcisQueryException(parameter, "token-integrity", "the page token has been altered; restart the query without nextPageToken");
        Span<byte> digest = stackalloc byte[Hash32.Length];
        filterDigest.CopyTo(digest);
        if (!digest[..8].SequenceEqual(bytes.AsSpan(9, 8)))
            throw new EpcisQueryException(parameter, "token-query",
                "the page token was issued for a query with other filters; send the same filter parameters as the first page");
        return BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1));
    }

    private const byte OrderedVersion = 2;
    private const int OrderedBodyLength = 25;
    private const int OrderedTokenLength = OrderedBodyLength + CheckLength;

    /// <summary>
    /// The token of an ordered query (<c>orderBy</c>): version 0x02, the last returned sort key (UTC ticks, int64
    /// big-endian), its sequence, the first 8 bytes of the filter digest (which covers the order), and the 16-byte check.
    /// </summary>
    public static string EncodeOrdered(long lastKey, long lastSequence, Hash32 filterDigest, ReadOnlySpan<byte> key)
    {
        Span<byte> token = stackalloc byte[OrderedTokenLength];
        token[0] = OrderedVersion;
        BinaryPrimitives.WriteInt64BigEndian(token[1..], lastKey);
        BinaryPrimitives.WriteInt64BigEndian(token[9..], lastSequence);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        filterDigest.CopyTo(digest);
        digest[..8].CopyTo(token[17..]);
        Check(token[..OrderedBodyLength], key).CopyTo(token[OrderedBodyLength..]);
        return Base64Url.EncodeToString(token);
    }

    /// <summary>The sort position (key, sequence) an ordered token continues after.</summary>
    /// <exception cref="EpcisQueryException">Malformed, altered, or issued for other filters or another order.</exception>
    public static (long Key, long Sequence) DecodeOrdered(string token, Hash32 filterDigest, ReadOnlySpan<byte> key, string parameter)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token.Trim());
        }
        catch (FormatException)
        {
            throw new EpcisQueryException(parameter, "token-format", "not a page token returned by this server (bad base64url)");
        }
        if (bytes.Length == TokenLength && bytes[0] == Version)
            throw new EpcisQueryException(parameter, "token-query", "the page token was issued for a query without orderBy; send the same parameters as the first page");
        if (bytes.Length != OrderedTokenLength || bytes[0] != OrderedVersion)
            throw new EpcisQueryException(parameter, "token-format", "not a page token returned by this server (wrong length or version)");
        if (!CryptographicOperations.FixedTimeEquals(Check(bytes.AsSpan(0, OrderedBodyLength), key), bytes.AsSpan(OrderedBodyLength)))
            throw new EpcisQueryException(parameter, "token-integrity", "the page token has been altered; restart the query without nextPageToken");
        Span<byte> digest = stackalloc byte[Hash32.Length];
        filterDigest.CopyTo(digest);
        if (!digest[..8].SequenceEqual(bytes.AsSpan(17, 8)))
            throw new EpcisQueryException(parameter, "token-query",
                "the page token was issued for a query with other filters or another order; send the same parameters as the first page");
        return (BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1)), BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(9)));
    }

    private static byte[] Check(ReadOnlySpan<byte> body, ReadOnlySpan<byte> key)
    {
        var input = new byte[CheckTag.Length + 1 + body.Length];
        Encoding.ASCII.GetBytes(CheckTag, input);
        body.CopyTo(input.AsSpan(CheckTag.Length + 1));
        var mac = key.IsEmpty ? SHA256.HashData(input) : HMACSHA256.HashData(key, input);
        return mac[..CheckLength];
    }
}
