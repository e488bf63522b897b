using System.Buffers;
using System.Buffers.Binary;

namespace Ledger.Protocol.Rlp;

/// <summary>
/// Recursive Length Prefix encoding (Ethereum Yellow Paper, Appendix B). Encoding is canonical by construction;
/// decoding is strict: it rejects every non-canonical form (a single byte below 0x80 wrapped in a prefix,
/// long forms for short payloads, length fields with leading zeros, lengths past the end, trailing bytes).
/// </summary>
public static class Rlp
{
    /// <summary>Encodes an item.</summary>
    public static byte[] Encode(RlpItem item)
    {
        var buffer = new byte[EncodedLength(item)];
        var written = Write(item, buffer);
        System.Diagnostics.Debug.Assert(written == buffer.Length);
        return buffer;
    }

    /// <summary>Encodes an item into <paramref name="writer"/>.</summary>
    public static void Encode(RlpItem item, IBufferWriter<byte> writer)
    {
        var length = EncodedLength(item);
        var span = writer.GetSpan(length)[..length];
        Write(item, span);
        writer.Advance(length);
    }

    /// <summary>The number of bytes <see cref="Encode(RlpItem)"/> produces.</summary>
    public static int EncodedLength(RlpItem item)
    {
        switch (item)
        {
            case RlpString s:
                var v = s.Value.Span;
                return v.Length == 1 && v[0] < 0x80 ? 1 : HeaderLength(v.Length) + v.Length;
            case RlpList l:
                var payload = PayloadLength(l);
                return HeaderLength(payload) + payload;
            case RlpEncoded e:
                return e.Encoded.Length;
            default:
                throw new ArgumentException("unknown RLP item type", nameof(item));
        }
    }

    private static int PayloadLength(RlpList list)
    {
        var total = 0;
        foreach (var child in list.Items)
            total = checked(total + EncodedLength(child));
        return total;
    }

    private static int HeaderLength(int payloadLength) =>
        payloadLength < 56 ? 1 : 1 + ByteCount((ulong)payloadLength);

    private static int ByteCount(ulong value) => 8 - System.Numerics.BitOperations.LeadingZeroCount(value) / 8;

    private static int Write(RlpItem item, Span<byte> destination)
    {
        switch (item)
        {
            case RlpString s:
                var v = s.Value.Span;
                if (v.Length == 1 && v[0] < 0x80)
                {
                    destination[0] = v[0];
                    return 1;
                }
                var h = WriteHeader(destination, 0x80, v.Length);
                v.CopyTo(destination[h..]);
                return h + v.Length;
            case RlpList l:
                var offset = WriteHeader(destination, 0xc0, PayloadLength(l));
                foreach (var child in l.Items)
                    offset += Write(child, destination[offset..]);
                return offset;
            case RlpEncoded e:
                e.Encoded.Span.CopyTo(destination);
                return e.Encoded.Length;
            default:
                throw new ArgumentException("unknown RLP item type", nameof(item));
        }
    }

    private static int WriteHeader(Span<byte> destination, byte shortBase, int payloadLength)
    {
        if (payloadLength < 56)
        {
            destination[0] = (byte)(shortBase + payloadLength);
            return 1;
        }
        var n = ByteCount((ulong)payloadLength);
        destination[0] = (byte)(shortBase + 55 + n);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(len, (ulong)payloadLength);
        len[(8 - n)..].CopyTo(destination[1..]);
        return 1 + n;
    }

    /// <summary>Decodes exactly one item that spans all of <paramref name="encoded"/>.</summary>
    /// <exception cref="RlpException">Malformed, non-canonical, truncated, or followed by trailing bytes.</exception>
    public static RlpItem Decode(ReadOnlySpan<byte> encoded)
    {
        var offset = 0;
        var item = DecodeAt(encoded, ref offset, depth: 0);
        if (offset != encoded.Length)
            throw new RlpException($"rlp@{offset}", $"{encoded.Length - offset} trailing bytes after the item");
        return item;
    }

    /// <summary>
    /// Reads the item that starts at <paramref name="offset"/> without decoding it: whether it is a list, where its
    /// payload starts and how long it is; returns the offset just past the item. For walking a large encoding (a block)
    /// to the one part a reader needs; the part is then decoded with the full rules.
    /// </summary>
    /// <exception cref="RlpException">Truncated or non-canonical length prefix.</exception>
    public static int Skip(ReadOnlySpan<byte> data, int offset, out bool isList, out int payloadOffset, out int payloadLength)
    {
        if (offset < 0 || offset >= data.Length)
            throw new RlpException($"rlp@{offset}", "unexpected end of input");
        var start = offset;
        var prefix = data[offset++];
        if (prefix < 0x80)
        {
            (isList, payloadOffset, payloadLength) = (false, start, 1);
            return offset;
        }
        isList = prefix >= 0xc0;
        payloadLength = ReadLength(data, ref offset, prefix, isList ? (byte)0xc0 : (byte)0x80, start);
        payloadOffset = offset;
        return offset + payloadLength;
    }

    /// <summary>The deepest list nesting accepted, to bound recursion on hostile input.</summary>
    public const int MaxDepth = 64;

    private static RlpItem DecodeAt(ReadOnlySpan<byte> data, ref int offset, int depth)
    {
        if (depth > MaxDepth)
            throw new RlpException($"rlp@{offset}", $"lists nested deeper than {MaxDepth}");
        if (offset >= data.Length)
            throw new RlpException($"rlp@{offset}", "unexpected end of input");
        var start = offset;
        var prefix = data[offset++];
        if (prefix < 0x80)
            return new RlpString([prefix]);
        if (prefix <= 0xbf)
        {
            var length = ReadLength(data, ref offset, prefix, 0x80, start);
            var value = data.Slice(offset, length);
            if (length == 1 && value[0] < 0x80)
                throw new RlpException($"rlp@{start}", "single byte below 0x80 must be encoded as itself");
            offset += length;
            return new RlpString(value.ToArray());
        }
        var payload = ReadLength(data, ref offset, prefix, 0xc0, start);
        var end = offset + payload;
        var items = new List<RlpItem>();
        while (offset < end)
        {
            var child = DecodeAt(data[..end], ref offset, depth + 1);
            items.Add(child);
        }
        return new RlpList([.. items]);
    }

    private static int ReadLength(ReadOnlySpan<byte> data, ref int offset, byte prefix, byte shortBase, int start)
    {
        int length;
        if (prefix - shortBase < 56)
        {
            length = prefix - shortBase;
        }
        else
        {
            var n = prefix - shortBase - 55;
            if (offset + n > data.Length)
                throw new RlpException($"rlp@{start}", "length field runs past the end of input");
            var lenBytes = data.Slice(offset, n);
            if (lenBytes[0] == 0)
                throw new RlpException($"rlp@{start}", "length field has a leading zero byte (non-canonical)");
            if (n > 4)
                throw new RlpException($"rlp@{start}", $"length field of {n} bytes is too large");
            ulong len = 0;
            foreach (var b in lenBytes)
                len = len << 8 | b;
            if (len < 56)
                throw new RlpException($"rlp@{start}", "long form used for a payload shorter than 56 bytes (non-canonical)");
            if (len > int.MaxValue)
                throw new RlpException($"rlp@{start}", "length does not fit in memory");
            offset += n;
            length = (int)len;
        }
        if ((long)offset + length > data.Length)
            throw new RlpException($"rlp@{start}", $"payload of {length} bytes runs past the end of input");
        return length;
    }
}
