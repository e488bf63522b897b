using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ledger.Protocol;

/// <summary>
/// An immutable 32-byte hash (SHA-256 or Keccak-256 output). Rejects any other length.
/// Equality is by value; <see cref="ToString"/> is lowercase hex without a prefix.
/// </summary>
public readonly struct Hash32 : IEquatable<Hash32>, IComparable<Hash32>
{
    /// <summary>The number of bytes in a hash.</summary>
    public const int Length = 32;

    private readonly ulong _a, _b, _c, _d; // big-endian words, so ordering matches byte order

    /// <summary>All-zero hash. Used only as an explicit "none" marker in formats that say so (e.g. the first block's parent).</summary>
    public static readonly Hash32 Zero;

    /// <summary>Creates a hash from exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public Hash32(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"a hash is exactly {Length} bytes; got {bytes.Length}", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>True when every byte is zero.</summary>
    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>Writes the 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
            throw new ArgumentException($"destination needs {Length} bytes", nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>A new array holding the 32 bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Parses 64 hex digits, with or without a 0x prefix.</summary>
    /// <exception cref="FormatException">Not 64 hex digits.</exception>
    public static Hash32 Parse(string hex)
    {
        var bytes = Hex.Decode(hex);
        if (bytes.Length != Length)
            throw new FormatException($"a hash is exactly {Length} bytes (64 hex digits); got {bytes.Length} bytes");
        return new Hash32(bytes);
    }

    /// <summary>Tries to parse 64 hex digits, with or without a 0x prefix.</summary>
    public static bool TryParse(string? hex, out Hash32 hash)
    {
        hash = default;
        if (hex is null || !Hex.TryDecode(hex, out var bytes) || bytes.Length != Length)
            return false;
        hash = new Hash32(bytes);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(Hash32 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Hash32 other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    /// <inheritdoc/>
    public int CompareTo(Hash32 other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    /// <summary>Lowercase hex, 64 digits, no prefix.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);
    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);
    public static bool operator <(Hash32 left, Hash32 right) => left.CompareTo(right) < 0;
    public static bool operator >(Hash32 left, Hash32 right) => left.CompareTo(right) > 0;
    public static bool operator <=(Hash32 left, Hash32 right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Hash32 left, Hash32 right) => left.CompareTo(right) >= 0;

    /// <summary>Reads the hash's bytes without copying to the heap (for hashing into another buffer).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteTo(Span<byte> destination) => CopyTo(destination);
}
