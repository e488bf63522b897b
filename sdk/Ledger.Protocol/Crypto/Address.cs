using System.Buffers.Binary;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// A 20-byte Ethereum address (a party's id). <see cref="ToString"/> is the EIP-55 mixed-case checksummed form;
/// <see cref="Parse"/> requires 0x and 40 hex digits and checks the EIP-55 checksum when the digits are mixed case.
/// </summary>
public readonly struct Address : IEquatable<Address>, IComparable<Address>
{
    /// <summary>The number of bytes in an address.</summary>
    public const int Length = 20;

    private readonly ulong _a, _b; // big-endian, so ordering matches byte order
    private readonly uint _c;

    /// <summary>The all-zero address.</summary>
    public static readonly Address Zero;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    /// <exception cref="CryptoFormatException">Not 20 bytes.</exception>
    public Address(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new CryptoFormatException("address", $"must be 20 bytes, found {bytes.Length}");
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    /// <summary>The address of a 64-byte X || Y public key: the last 20 bytes of keccak256(X || Y).</summary>
    /// <exception cref="ArgumentException">Not 64 bytes.</exception>
    public static Address FromPublicKey(ReadOnlySpan<byte> publicKeyXY)
    {
        if (publicKeyXY.Length != 64)
            throw new ArgumentException("an uncompressed public key without its 0x04 prefix is 64 bytes", nameof(publicKeyXY));
        Span<byte> digest = stackalloc byte[32];
        Keccak256.Hash(publicKeyXY, digest);
        return new Address(digest[12..]);
    }

    /// <summary>The address of <paramref name="key"/>.</summary>
    public static Address FromPublicKey(PublicKey key) => key.ToAddress();

    /// <summary>Writes the 20 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
            throw new ArgumentException("destination must hold 20 bytes", nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    /// <summary>A new array holding the 20 bytes.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Parses "0x" + 40 hex digits. All-lowercase and all-uppercase digits are accepted as is; mixed case must match the EIP-55 checksum.</summary>
    /// <exception cref="CryptoFormatException">Missing 0x, wrong length, non-hex, or a failed checksum.</exception>
    public static Address Parse(string text)
    {
        var error = TryParseCore(text, out var address);
        return error is null ? address : throw new CryptoFormatException("address", error);
    }

    /// <summary>Like <see cref="Parse"/> but returns false instead of throwing.</summary>
    public static bool TryParse(string? text, out Address address) => TryParseCore(text, out address) is null;

    private static string? TryParseCore(string? text, out Address address)
    {
        address = default;
        if (text is null || !text.StartsWith("0x", StringComparison.Ordinal))
            return "must start with 0x";
        var digits = text.AsSpan(2);
        if (digits.Length != 40)
            return $"must have 40 hex digits after 0x, found {digits.Length}";
        Span<byte> bytes = stackalloc byte[Length];
        bool hasLower = false, hasUpper = false;
        for (var i = 0; i < 40; i++)
        {
            var c = digits[i];
            if (!char.IsAsciiHexDigit(c))
                return $"character {i + 2} '{c}' is not a hex digit";
            hasLower |= char.IsAsciiLetterLower(c);
            hasUpper |= char.IsAsciiLetterUpper(c);
        }
        if (Convert.FromHexString(digits, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
            return "is not hex";
        var candidate = new Address(bytes);
        if (hasLower && hasUpper)
        {
            var expected = candidate.ToString();
            if (!text.Equals(expected, StringComparison.Ordinal))
                return $"EIP-55 checksum mismatch (mixed case must be exactly {expected})";
        }
        address = candidate;
        return null;
    }

    /// <summary>The EIP-55 checksummed form: "0x" + 40 hex digits, a letter uppercase when the matching nibble of keccak256(lowercase hex) is ≥ 8.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        Span<char> lower = stackalloc char[40];
        Convert.TryToHexStringLower(bytes, lower, out _);
        Span<byte> ascii = stackalloc byte[40];
        for (var i = 0; i < 40; i++)
            ascii[i] = (byte)lower[i];
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(ascii, hash);
        Span<char> result = stackalloc char[42];
        result[0] = '0';
        result[1] = 'x';
        for (var i = 0; i < 40; i++)
        {
            var nibble = (i % 2 == 0 ? hash[i / 2] >> 4 : hash[i / 2]) & 0xf;
            result[i + 2] = nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i];
        }
        return new string(result);
    }

    /// <summary>"0x" + 40 lowercase hex digits (no checksum).</summary>
    public string ToLowerHex() => Hex.Encode0x(ToBytes());

    /// <inheritdoc/>
    public bool Equals(Address other) => _a == other._a && _b == other._b && _c == other._c;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    /// <inheritdoc/>
    public int CompareTo(Address other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
            return c;
        c = _b.CompareTo(other._b);
        return c != 0 ? c : _c.CompareTo(other._c);
    }

    /// <summary>Equality.</summary>
    public static bool operator ==(Address left, Address right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Address left, Address right) => !left.Equals(right);

    /// <summary>Ordering by bytes.</summary>
    public static bool operator <(Address left, Address right) => left.CompareTo(right) < 0;

    /// <summary>Ordering by bytes.</summary>
    public static bool operator >(Address left, Address right) => left.CompareTo(right) > 0;

    /// <summary>Ordering by bytes.</summary>
    public static bool operator <=(Address left, Address right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering by bytes.</summary>
    public static bool operator >=(Address left, Address right) => left.CompareTo(right) >= 0;
}
