using System.Numerics;
using System.Text;

namespace Ledger.Protocol.Rlp;

/// <summary>
/// A decoded or to-be-encoded RLP item (Ethereum Yellow Paper, Appendix B): either a byte string or a list of items.
/// Integers are big-endian byte strings with no leading zero bytes (zero is the empty string).
/// </summary>
public abstract class RlpItem
{
    private protected RlpItem() { }

    /// <summary>True for a list, false for a byte string.</summary>
    public abstract bool IsList { get; }

    /// <summary>A byte string item.</summary>
    public static RlpString Bytes(ReadOnlySpan<byte> value) => new(value.ToArray());

    /// <summary>A byte string item taking ownership of <paramref name="value"/> (no copy).</summary>
    public static RlpString BytesNoCopy(byte[] value) => new(value);

    /// <summary>A UTF-8 text item.</summary>
    public static RlpString Text(string value) => new(Encoding.UTF8.GetBytes(value));

    /// <summary>An unsigned integer item: big-endian, no leading zeros, zero is empty.</summary>
    public static RlpString UInt(ulong value)
    {
        if (value == 0)
            return new RlpString([]);
        var n = 8 - BitOperations.LeadingZeroCount(value) / 8;
        var bytes = new byte[n];
        for (var i = n - 1; i >= 0; i--, value >>= 8)
            bytes[i] = (byte)value;
        return new RlpString(bytes);
    }

    /// <summary>A non-negative big integer item: big-endian, no leading zeros, zero is empty.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public static RlpString UInt(BigInteger value)
    {
        if (value.Sign < 0)
            throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are non-negative");
        return value.IsZero ? new RlpString([]) : new RlpString(value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>A 32-byte hash item.</summary>
    public static RlpString Hash(Hash32 value) => new(value.ToArray());

    /// <summary>A list item.</summary>
    public static RlpList List(params RlpItem[] items) => new(items);

    /// <summary>A list item.</summary>
    public static RlpList List(IEnumerable<RlpItem> items) => new([.. items]);

    /// <summary>This item as a byte string.</summary>
    /// <exception cref="RlpException">It is a list.</exception>
    public RlpString AsString(string field) => this as RlpString ?? throw new RlpException(field, "expected a byte string, found a list");

    /// <summary>This item as a list.</summary>
    /// <exception cref="RlpException">It is a byte string.</exception>
    public RlpList AsList(string field) => this as RlpList ?? throw new RlpException(field, "expected a list, found a byte string");
}

/// <summary>An RLP byte string.</summary>
public sealed class RlpString : RlpItem
{
    internal RlpString(byte[] value) => Value = value;

    /// <summary>The raw bytes.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <inheritdoc/>
    public override bool IsList => false;

    /// <summary>Reads a canonical unsigned integer of at most 8 bytes.</summary>
    /// <exception cref="RlpException">Leading zero byte or more than 8 bytes.</exception>
    public ulong ToUInt64(string field)
    {
        var span = Value.Span;
        if (span.Length > 8)
            throw new RlpException(field, $"integer of {span.Length} bytes does not fit in 64 bits");
        if (span.Length > 0 && span[0] == 0)
            throw new RlpException(field, "integer has a leading zero byte (non-canonical)");
        ulong v = 0;
        foreach (var b in span)
            v = v << 8 | b;
        return v;
    }

    /// <summary>Reads a canonical unsigned integer of any size.</summary>
    /// <exception cref="RlpException">Leading zero byte.</exception>
    public BigInteger ToBigInteger(string field)
    {
        var span = Value.Span;
        if (span.Length > 0 && span[0] == 0)
            throw new RlpException(field, "integer has a leading zero byte (non-canonical)");
        return new BigInteger(span, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>Reads exactly 32 bytes as a hash.</summary>
    /// <exception cref="RlpException">Not 32 bytes.</exception>
    public Hash32 ToHash32(string field)
    {
        if (Value.Length != Hash32.Length)
            throw new RlpException(field, $"expected 32 bytes, found {Value.Length}");
        return new Hash32(Value.Span);
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes.</summary>
    /// <exception cref="RlpException">Another length.</exception>
    public byte[] ToFixed(string field, int length)
    {
        if (Value.Length != length)
            throw new RlpException(field, $"expected {length} bytes, found {Value.Length}");
        return Value.ToArray();
    }

    /// <summary>Reads strict UTF-8 text.</summary>
    /// <exception cref="RlpException">Invalid UTF-8.</exception>
    public string ToText(string field)
    {
        try
        {
            return StrictUtf8.GetString(Value.Span);
        }
        catch (DecoderFallbackException)
        {
            throw new RlpException(field, "text is not valid UTF-8");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

/// <summary>An RLP list.</summary>
public sealed class RlpList : RlpItem
{
    internal RlpList(RlpItem[] items) => Items = items;

    /// <summary>The list's items in order.</summary>
    public IReadOnlyList<RlpItem> Items { get; }

    /// <inheritdoc/>
    public override bool IsList => true;

    /// <summary>The number of items.</summary>
    public int Count => Items.Count;

    /// <summary>Item <paramref name="index"/>.</summary>
    public RlpItem this[int index] => Items[index];

    /// <summary>Requires exactly <paramref name="count"/> items.</summary>
    /// <exception cref="RlpException">Another count.</exception>
    public RlpList Expect(string field, int count)
    {
        if (Items.Count != count)
            throw new RlpException(field, $"expected a list of {count} items, found {Items.Count}");
        return this;
    }
}

/// <summary>
/// An item already encoded (for example a record, which keeps its canonical encoding): encoding a block or batch copies
/// it instead of rebuilding and re-measuring its tree. Only built by the protocol's own encoders, never by decoding.
/// </summary>
internal sealed class RlpEncoded : RlpItem
{
    internal RlpEncoded(ReadOnlyMemory<byte> encoded) => Encoded = encoded;

    /// <summary>The item's whole encoding.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <inheritdoc/>
    public override bool IsList => Encoded.Span[0] >= 0xc0;
}
