using System.Collections;
using System.Numerics;
using System.Text;
using Ledger.Protocol.Crypto;

namespace Ledger.Protocol.Evm;

/// <summary>
/// Minimal Solidity contract ABI (docs.soliditylang.org, "Contract ABI Specification"): head/tail encoding and strict
/// decoding, function selectors, event topics and <c>abi.encodePacked</c>.
/// Values: uintN/intN ↔ <see cref="BigInteger"/> (encoding also takes int, long, uint, ulong…), address ↔ <see cref="Address"/>,
/// bool ↔ bool, bytesN/bytes ↔ byte[], string ↔ string, T[]/T[k]/tuples ↔ object?[] (encoding takes any IList).
/// </summary>
public static class Abi
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The first 4 bytes of keccak256 of the canonical signature, e.g. "baz(uint32,bool)" → cdcd77c0.</summary>
    public static byte[] Selector(string signature) => Keccak256.Hash(Encoding.UTF8.GetBytes(CanonicalSignature(signature))).ToArray()[..4];

    /// <summary>The event topic 0: keccak256 of the canonical signature, e.g. "Transfer(address,address,uint256)".</summary>
    public static Hash32 EventTopic(string signature) => Keccak256.Hash(Encoding.UTF8.GetBytes(CanonicalSignature(signature)));

    /// <summary>"name(type,…)" with every type in canonical form (uint → uint256, spaces removed).</summary>
    /// <exception cref="EvmFormatException">Not of the form name(types).</exception>
    public static string CanonicalSignature(string signature)
    {
        var (name, types) = SplitSignature(signature);
        return name + "(" + string.Join(',', types.Select(t => t.CanonicalName)) + ")";
    }

    /// <summary>Splits "name(type,…)" into the name and parsed parameter types.</summary>
    public static (string Name, IReadOnlyList<AbiType> Types) SplitSignature(string signature)
    {
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || !signature.EndsWith(')'))
            throw new EvmFormatException("abi.signature", $"'{signature}' is not of the form name(type,…)");
        var name = signature[..open].Trim();
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$'))
            throw new EvmFormatException("abi.signature", $"'{name}' is not a valid function or event name");
        return (name, AbiType.ParseList(signature[(open + 1)..^1]));
    }

    /// <summary>Selector followed by the encoded arguments.</summary>
    public static byte[] EncodeCall(string signature, params object?[] args)
    {
        var (_, types) = SplitSignature(signature);
        var selector = Selector(signature);
        var body = Encode(types, args);
        return [.. selector, .. body];
    }

    /// <summary>Encodes <paramref name="values"/> as the tuple <paramref name="types"/> (no selector).</summary>
    /// <exception cref="EvmFormatException">Count mismatch, or a value that does not fit its type.</exception>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        using var buffer = new MemoryStream();
        EncodeTuple(types, values, buffer, "abi");
        return buffer.ToArray();
    }

    /// <summary>Encodes with types given by name, e.g. Encode(["uint256","address"], [1, addr]).</summary>
    public static byte[] Encode(IReadOnlyList<string> types, IReadOnlyList<object?> values) => Encode([.. types.Select(AbiType.Parse)], values);

    private static void EncodeTuple(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, Stream output, string field)
    {
        if (types.Count != values.Count)
            throw new EvmFormatException(field, $"expected {types.Count} values, found {values.Count}");
        var headSize = types.Sum(t => t.HeadSize);
        using var tails = new MemoryStream();
        using var head = new MemoryStream();
        for (var i = 0; i < types.Count; i++)
        {
            var f = $"{field}[{i}]";
            if (types[i].IsDynamic)
            {
                WriteWord(head, new BigInteger(headSize + tails.Length), f);
                EncodeValue(types[i], values[i], tails, f);
            }
            else
            {
                EncodeValue(types[i], values[i], head, f);
            }
        }
        head.WriteTo(output);
        tails.WriteTo(output);
    }

    private static void EncodeValue(AbiType type, object? value, Stream output, string field)
    {
        switch (type.Kind)
        {
            case AbiKind.UInt:
            case AbiKind.Int:
                WriteWord(output, CheckedInteger(type, value, field), field);
                break;
            case AbiKind.Address:
                if (value is not Address address)
                    throw new EvmFormatException(field, $"address expects an Address, found {Describe(value)}");
                output.Write(new byte[12]);
                output.Write(address.ToBytes());
                break;
            case AbiKind.Bool:
                if (value is not bool b)
                    throw new EvmFormatException(field, $"bool expects a bool, found {Describe(value)}");
                WriteWord(output, b ? BigInteger.One : BigInteger.Zero, field);
                break;
            case AbiKind.FixedBytes:
                var fixedBytes = AsBytes(value, field);
                if (fixedBytes.Length != type.Size)
                    throw new EvmFormatException(field, $"{type} expects exactly {type.Size} bytes, found {fixedBytes.Length}");
                WritePadded(output, fixedBytes);
                break;
            case AbiKind.Bytes:
                var bytes = AsBytes(value, field);
                WriteWord(output, bytes.Length, field);
                WritePadded(output, bytes);
                break;
            case AbiKind.String:
                if (value is not string s)
                    throw new EvmFormatException(field, $"string expects a string, found {Describe(value)}");
                var utf8 = Encoding.UTF8.GetBytes(s);
                WriteWord(output, utf8.Length, field);
                WritePadded(output, utf8);
                break;
            case AbiKind.FixedArray:
                var fixedItems = AsList(value, field);
                if (fixedItems.Count != type.Length)
                    throw new EvmFormatException(field, $"{type} expects {type.Length} elements, found {fixedItems.Count}");
                EncodeTuple(Enumerable.Repeat(type.Element!, type.Length).ToArray(), fixedItems, output, field);
                break;
            case AbiKind.Array:
                var items = AsList(value, field);
                WriteWord(output, items.Count, field);
                EncodeTuple(Enumerable.Repeat(type.Element!, items.Count).ToArray(), items, output, field);
                break;
            case AbiKind.Tuple:
                EncodeTuple(type.Components, AsList(value, field), output, field);
                break;
        }
    }

    private static string Describe(object? value) => value?.GetType().Name ?? "null";

    internal static BigInteger CheckedInteger(AbiType type, object? value, string field)
    {
        BigInteger v = value switch
        {
            BigInteger x => x,
            int x => x,
            long x => x,
            uint x => x,
            ulong x => x,
            short x => x,
            ushort x => x,
            byte x => x,
            sbyte x => x,
            _ => throw new EvmFormatException(field, $"{type} expects an integer, found {Describe(value)}"),
        };
        var (min, max) = type.Kind == AbiKind.UInt
            ? (BigInteger.Zero, (BigInteger.One << type.Size) - 1)
            : (-(BigInteger.One << (type.Size - 1)), (BigInteger.One << (type.Size - 1)) - 1);
        if (v < min || v > max)
            throw new EvmFormatException(field, $"{v} is out of range for {type}");
        return v;
    }

    private static byte[] AsBytes(object? value, string field) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
        Memory<byte> m => m.ToArray(),
        _ => throw new EvmFormatException(field, $"expects bytes (byte[]), found {Describe(value)}"),
    };

    private static IReadOnlyList<object?> AsList(object? value, string field) => value switch
    {
        IReadOnlyList<object?> list => list,
        IList list => list.Cast<object?>().ToArray(),
        _ => throw new EvmFormatException(field, $"expects a list of values, found {Describe(value)}"),
    };

    private static void WriteWord(Stream output, BigInteger value, string field)
    {
        Span<byte> word = stackalloc byte[32];
        WriteWord(word, value, field);
        output.Write(word);
    }

    private static void WriteWord(Span<byte> word, BigInteger value, string field)
    {
        // Two's complement in 32 bytes: negative values are sign-extended with 0xff.
        word.Fill(value.Sign < 0 ? (byte)0xff : (byte)0);
        var n = value.GetByteCount(isUnsigned: value.Sign >= 0);
        if (n > 32)
            throw new EvmFormatException(field, $"{value} does not fit in 32 bytes");
        value.TryWriteBytes(word[(32 - n)..], out _, isUnsigned: value.Sign >= 0, isBigEndian: true);
    }

    private static void WritePadded(Stream output, byte[] bytes)
    {
        output.Write(bytes);
        var pad = (32 - bytes.Length % 32) % 32;
        output.Write(new byte[pad]);
    }

    /// <summary>Decodes <paramref name="data"/> as the tuple <paramref name="types"/> (no selector), strictly: every offset and length in range, padding zero, bools 0/1, integers sign-/zero-extended.</summary>
    /// <exception cref="EvmFormatException">Malformed or non-canonical data.</exception>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        var array = data.ToArray();
        return DecodeTuple(types, array, 0, "abi");
    }

    /// <summary>Decodes with types given by name.</summary>
    public static object?[] Decode(IReadOnlyList<string> types, ReadOnlySpan<byte> data) => Decode([.. types.Select(AbiType.Parse)], data);

    private static object?[] DecodeTuple(IReadOnlyList<AbiType> types, byte[] data, int start, string field)
    {
        var result = new object?[types.Count];
        var headOffset = start;
        for (var i = 0; i < types.Count; i++)
        {
            var f = $"{field}[{i}]";
            if (types[i].IsDynamic)
            {
                var offset = ReadLength(data, headOffset, f + ".offset");
                var at = (long)start + offset;
                if (at > data.Length)
                    throw new EvmFormatException(f, $"offset {offset} points past the end of the data");
                result[i] = DecodeValue(types[i], data, (int)at, f);
                headOffset += 32;
            }
            else
            {
                result[i] = DecodeValue(types[i], data, headOffset, f);
                headOffset += types[i].HeadSize;
            }
        }
        return result;
    }

    private static ReadOnlySpan<byte> Word(byte[] data, int at, string field)
    {
        if (at < 0 || (long)at + 32 > data.Length)
            throw new EvmFormatException(field, $"needs 32 bytes at {at}, the data has {data.Length}");
        return data.AsSpan(at, 32);
    }

    private static int ReadLength(byte[] data, int at, string field)
    {
        var word = Word(data, at, field);
        if (word[..28].ContainsAnyExcept((byte)0) || word[28] >= 0x80)
            throw new EvmFormatException(field, "does not fit in a 31-bit length");
        return (word[28] << 24) | (word[29] << 16) | (word[30] << 8) | word[31];
    }

    private static object? DecodeValue(AbiType type, byte[] data, int at, string field)
    {
        switch (type.Kind)
        {
            case AbiKind.UInt:
            {
                var word = Word(data, at, field);
                var v = new BigInteger(word, isUnsigned: true, isBigEndian: true);
                if (v >> type.Size != 0)
                    throw new EvmFormatException(field, $"value has bits above {type}");
                return v;
            }
            case AbiKind.Int:
            {
                var word = Word(data, at, field);
                var v = new BigInteger(word, isUnsigned: false, isBigEndian: true);
                if (v < -(BigInteger.One << (type.Size - 1)) || v >= BigInteger.One << (type.Size - 1))
                    throw new EvmFormatException(field, $"value is not a sign-extended {type}");
                return v;
            }
            case AbiKind.Address:
            {
                var word = Word(data, at, field);
                if (word[..12].ContainsAnyExcept((byte)0))
                    throw new EvmFormatException(field, "address has non-zero bytes above its 20 bytes");
                return new Address(word[12..]);
            }
            case AbiKind.Bool:
            {
                var word = Word(data, at, field);
                if (word[..31].ContainsAnyExcept((byte)0) || word[31] > 1)
                    throw new EvmFormatException(field, "bool must be 0 or 1");
                return word[31] == 1;
            }
            case AbiKind.FixedBytes:
            {
                var word = Word(data, at, field);
                if (word[type.Size..].ContainsAnyExcept((byte)0))
                    throw new EvmFormatException(field, $"{type} has non-zero padding");
                return word[..type.Size].ToArray();
            }
            case AbiKind.Bytes:
                return ReadDynamicBytes(data, at, field);
            case AbiKind.String:
                try
                {
                    return StrictUtf8.GetString(ReadDynamicBytes(data, at, field));
                }
                catch (DecoderFallbackException e)
                {
                    throw new EvmFormatException(field, "string is not valid UTF-8", e);
                }
            case AbiKind.FixedArray:
                return DecodeTuple(Enumerable.Repeat(type.Element!, type.Length).ToArray(), data, at, field);
            case AbiKind.Array:
            {
                var count = ReadLength(data, at, field + ".length");
                if ((long)count * type.Element!.HeadSize > data.Length - at - 32)
                    throw new EvmFormatException(field, $"array length {count} exceeds the data");
                return DecodeTuple(Enumerable.Repeat(type.Element!, count).ToArray(), data, at + 32, field);
            }
            default:
                return DecodeTuple(type.Components, data, at, field);
        }
    }

    private static byte[] ReadDynamicBytes(byte[] data, int at, string field)
    {
        var length = ReadLength(data, at, field + ".length");
        var start = (long)at + 32;
        var padded = (length + 31L) / 32 * 32;
        if (start + padded > data.Length)
            throw new EvmFormatException(field, $"{length} bytes (padded to {padded}) run past the end of the data");
        if (data.AsSpan((int)(start + length), (int)(padded - length)).ContainsAnyExcept((byte)0))
            throw new EvmFormatException(field, "non-zero padding after the bytes");
        return data.AsSpan((int)start, length).ToArray();
    }

    /// <summary>
    /// Solidity's non-standard packed mode (<c>abi.encodePacked</c>): integers in their own width (two's complement),
    /// address 20 bytes, bool 1 byte, bytesN N bytes, bytes/string raw without length, array elements padded to 32 bytes.
    /// Tuples are not allowed (as in Solidity).
    /// </summary>
    public static byte[] EncodePacked(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        if (types.Count != values.Count)
            throw new EvmFormatException("abi.packed", $"expected {types.Count} values, found {values.Count}");
        using var output = new MemoryStream();
        for (var i = 0; i < types.Count; i++)
            EncodePackedValue(types[i], values[i], output, $"abi.packed[{i}]", inArray: false);
        return output.ToArray();
    }

    /// <summary>Packed encoding with types given by name.</summary>
    public static byte[] EncodePacked(IReadOnlyList<string> types, IReadOnlyList<object?> values) => EncodePacked([.. types.Select(AbiType.Parse)], values);

    private static void EncodePackedValue(AbiType type, object? value, Stream output, string field, bool inArray)
    {
        switch (type.Kind)
        {
            case AbiKind.UInt:
            case AbiKind.Int:
                var v = CheckedInteger(type, value, field);
                Span<byte> word = stackalloc byte[32];
                WriteWord(word, v, field);
                output.Write(inArray ? word : word[(32 - type.Size / 8)..]);
                break;
            case AbiKind.Address:
            case AbiKind.Bool:
            case AbiKind.FixedBytes:
                using (var tmp = new MemoryStream())
                {
                    EncodeValue(type, value, tmp, field);
                    var bytes = tmp.ToArray();
                    output.Write(inArray ? bytes : type.Kind switch
                    {
                        AbiKind.Address => bytes.AsSpan(12),
                        AbiKind.Bool => bytes.AsSpan(31),
                        _ => bytes.AsSpan(0, type.Size),
                    });
                }
                break;
            case AbiKind.Bytes:
            case AbiKind.String:
                if (inArray)
                    throw new EvmFormatException(field, $"{type}[] is not supported in packed mode");
                output.Write(value is string s && type.Kind == AbiKind.String ? Encoding.UTF8.GetBytes(s) : AsBytes(value, field));
                break;
            case AbiKind.Array:
            case AbiKind.FixedArray:
                var items = AsList(value, field);
                if (type.Kind == AbiKind.FixedArray && items.Count != type.Length)
                    throw new EvmFormatException(field, $"{type} expects {type.Length} elements, found {items.Count}");
                for (var i = 0; i < items.Count; i++)
                    EncodePackedValue(type.Element!, items[i], output, $"{field}[{i}]", inArray: true);
                break;
            default:
                throw new EvmFormatException(field, "tuples cannot be packed");
        }
    }
}
