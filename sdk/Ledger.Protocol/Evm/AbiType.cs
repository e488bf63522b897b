using System.Globalization;

namespace Ledger.Protocol.Evm;

/// <summary>The kind of an ABI type.</summary>
public enum AbiKind
{
    /// <summary>uintN (8 ≤ N ≤ 256, N % 8 == 0).</summary>
    UInt,
    /// <summary>intN, two's complement.</summary>
    Int,
    /// <summary>address (20 bytes).</summary>
    Address,
    /// <summary>bool.</summary>
    Bool,
    /// <summary>bytesN (1 ≤ N ≤ 32), right-padded.</summary>
    FixedBytes,
    /// <summary>bytes (dynamic).</summary>
    Bytes,
    /// <summary>string (dynamic, UTF-8).</summary>
    String,
    /// <summary>T[] (dynamic length).</summary>
    Array,
    /// <summary>T[k].</summary>
    FixedArray,
    /// <summary>(T1,…,Tn).</summary>
    Tuple,
}

/// <summary>
/// A Solidity ABI type, parsed from its canonical name ("uint256", "bytes3[2]", "(address,uint256)[]").
/// "uint" and "int" are accepted as aliases of uint256 and int256.
/// </summary>
public sealed class AbiType
{
    private AbiType(AbiKind kind, int size = 0, int length = 0, AbiType? element = null, IReadOnlyList<AbiType>? components = null)
    {
        Kind = kind;
        Size = size;
        Length = length;
        Element = element;
        Components = components ?? [];
        IsDynamic = kind switch
        {
            AbiKind.Bytes or AbiKind.String or AbiKind.Array => true,
            AbiKind.FixedArray => element!.IsDynamic,
            AbiKind.Tuple => Components.Any(c => c.IsDynamic),
            _ => false,
        };
        CanonicalName = kind switch
        {
            AbiKind.UInt => string.Create(CultureInfo.InvariantCulture, $"uint{size}"),
            AbiKind.Int => string.Create(CultureInfo.InvariantCulture, $"int{size}"),
            AbiKind.Address => "address",
            AbiKind.Bool => "bool",
            AbiKind.FixedBytes => string.Create(CultureInfo.InvariantCulture, $"bytes{size}"),
            AbiKind.Bytes => "bytes",
            AbiKind.String => "string",
            AbiKind.Array => element!.CanonicalName + "[]",
            AbiKind.FixedArray => string.Create(CultureInfo.InvariantCulture, $"{element!.CanonicalName}[{length}]"),
            _ => "(" + string.Join(',', Components.Select(c => c.CanonicalName)) + ")",
        };
    }

    /// <summary>The kind.</summary>
    public AbiKind Kind { get; }

    /// <summary>Bits for uintN/intN, bytes for bytesN, otherwise 0.</summary>
    public int Size { get; }

    /// <summary>k for T[k], otherwise 0.</summary>
    public int Length { get; }

    /// <summary>T for T[] and T[k].</summary>
    public AbiType? Element { get; }

    /// <summary>The component types of a tuple.</summary>
    public IReadOnlyList<AbiType> Components { get; }

    /// <summary>True when the encoding is referenced by an offset (bytes, string, T[], and anything containing them).</summary>
    public bool IsDynamic { get; }

    /// <summary>The canonical name used in function signatures.</summary>
    public string CanonicalName { get; }

    /// <summary>The size of this type's head in an enclosing tuple: 32 for dynamic types, else the full static size.</summary>
    public int HeadSize => IsDynamic ? 32 : Kind switch
    {
        AbiKind.FixedArray => Length * Element!.HeadSize,
        AbiKind.Tuple => Components.Sum(c => c.HeadSize),
        _ => 32,
    };

    /// <summary>A tuple of <paramref name="components"/>.</summary>
    public static AbiType Tuple(IEnumerable<AbiType> components) => new(AbiKind.Tuple, components: [.. components]);

    /// <summary>Parses a type name.</summary>
    /// <exception cref="EvmFormatException">Not a supported ABI type.</exception>
    public static AbiType Parse(string name)
    {
        var text = name.Trim();
        var pos = 0;
        var type = ParseAt(text, ref pos);
        if (pos != text.Length)
            throw new EvmFormatException("abi.type", $"unexpected '{text[pos..]}' in '{name}'");
        return type;
    }

    /// <summary>Parses a comma-separated list of types, e.g. "uint256,address[]" (empty for "").</summary>
    public static IReadOnlyList<AbiType> ParseList(string list)
    {
        var text = list.Trim();
        if (text.Length == 0)
            return [];
        var tuple = Parse("(" + text + ")");
        return tuple.Components;
    }

    private static AbiType ParseAt(string s, ref int pos)
    {
        AbiType type;
        if (pos < s.Length && s[pos] == '(')
        {
            pos++;
            var components = new List<AbiType>();
            if (pos < s.Length && s[pos] == ')')
            {
                pos++;
            }
            else
            {
                while (true)
                {
                    SkipSpaces(s, ref pos);
                    components.Add(ParseAt(s, ref pos));
                    SkipSpaces(s, ref pos);
                    if (pos >= s.Length)
                        throw new EvmFormatException("abi.type", $"unclosed '(' in '{s}'");
                    if (s[pos] == ')')
                    {
                        pos++;
                        break;
                    }
                    if (s[pos] != ',')
                        throw new EvmFormatException("abi.type", $"expected ',' or ')' at {pos} in '{s}'");
                    pos++;
                }
            }
            type = new AbiType(AbiKind.Tuple, components: components);
        }
        else
        {
            var start = pos;
            while (pos < s.Length && char.IsAsciiLetterOrDigit(s[pos]))
                pos++;
            type = Elementary(s[start..pos]);
        }
        while (pos < s.Length && s[pos] == '[')
        {
            var close = s.IndexOf(']', pos);
            if (close < 0)
                throw new EvmFormatException("abi.type", $"unclosed '[' in '{s}'");
            var inner = s[(pos + 1)..close];
            if (inner.Length == 0)
            {
                type = new AbiType(AbiKind.Array, element: type);
            }
            else
            {
                if (!int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k <= 0 || inner[0] == '0')
                    throw new EvmFormatException("abi.type", $"array length '{inner}' must be a positive integer in '{s}'");
                type = new AbiType(AbiKind.FixedArray, length: k, element: type);
            }
            pos = close + 1;
        }
        return type;
    }

    private static void SkipSpaces(string s, ref int pos)
    {
        while (pos < s.Length && s[pos] == ' ')
            pos++;
    }

    private static AbiType Elementary(string name)
    {
        switch (name)
        {
            case "address": return new AbiType(AbiKind.Address);
            case "bool": return new AbiType(AbiKind.Bool);
            case "bytes": return new AbiType(AbiKind.Bytes);
            case "string": return new AbiType(AbiKind.String);
            case "uint": return new AbiType(AbiKind.UInt, 256);
            case "int": return new AbiType(AbiKind.Int, 256);
        }
        if (name.StartsWith("uint", StringComparison.Ordinal) && TryBits(name[4..], out var ub))
            return new AbiType(AbiKind.UInt, ub);
        if (name.StartsWith("int", StringComparison.Ordinal) && TryBits(name[3..], out var ib))
            return new AbiType(AbiKind.Int, ib);
        if (name.StartsWith("bytes", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 32 && name[5] != '0')
            return new AbiType(AbiKind.FixedBytes, n);
        throw new EvmFormatException("abi.type", $"'{name}' is not a supported ABI type (uintN, intN, address, bool, bytesN, bytes, string, T[], T[k], tuples)");
    }

    private static bool TryBits(string digits, out int bits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out bits) && bits is >= 8 and <= 256 && bits % 8 == 0 && digits[0] != '0';

    /// <inheritdoc/>
    public override string ToString() => CanonicalName;
}
