namespace Ledger.Protocol.Crypto;

/// <summary>A secp256k1 public key, validated to be on the curve. Equality is by value.</summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _xy; // 64 bytes X || Y

    internal PublicKey(ReadOnlySpan<byte> xy) => _xy = xy[..64].ToArray();

    /// <summary>X || Y, 64 bytes.</summary>
    internal ReadOnlySpan<byte> XY => _xy;

    /// <summary>Parses 33-byte compressed (02/03 || X) or 65-byte uncompressed (04 || X || Y) SEC 1 encoding.</summary>
    /// <exception cref="CryptoFormatException">Another length or prefix, or not a point on secp256k1.</exception>
    public static PublicKey Parse(ReadOnlySpan<byte> encoded)
    {
        if (!LibSecp256k1Backend.IsSec1Shape(encoded))
            throw new CryptoFormatException("publicKey", $"must be 33 bytes starting 02/03 or 65 bytes starting 04, found {encoded.Length} bytes");
        Span<byte> xy = stackalloc byte[64];
        if (!Secp256k1.Default.TryParsePublicKey(encoded, xy))
            throw new CryptoFormatException("publicKey", "is not a point on secp256k1");
        return new PublicKey(xy);
    }

    /// <summary>Parses hex (with or without 0x) of either SEC 1 encoding.</summary>
    /// <exception cref="CryptoFormatException">Not hex, or see <see cref="Parse(ReadOnlySpan{byte})"/>.</exception>
    public static PublicKey Parse(string hex)
    {
        if (!Hex.TryDecode(hex, out var bytes))
            throw new CryptoFormatException("publicKey", "must be hex");
        return Parse(bytes);
    }

    /// <summary>False instead of an exception.</summary>
    public static bool TryParse(ReadOnlySpan<byte> encoded, out PublicKey? key)
    {
        key = null;
        Span<byte> xy = stackalloc byte[64];
        if (!LibSecp256k1Backend.IsSec1Shape(encoded) || !Secp256k1.Default.TryParsePublicKey(encoded, xy))
            return false;
        key = new PublicKey(xy);
        return true;
    }

    /// <summary>65 bytes 04 || X || Y.</summary>
    public byte[] ToUncompressed()
    {
        var bytes = new byte[65];
        bytes[0] = 0x04;
        _xy.CopyTo(bytes, 1);
        return bytes;
    }

    /// <summary>33 bytes (02 if Y is even, 03 if odd) || X.</summary>
    public byte[] ToCompressed()
    {
        var bytes = new byte[33];
        bytes[0] = (byte)(0x02 | (_xy[63] & 1));
        _xy.AsSpan(0, 32).CopyTo(bytes.AsSpan(1));
        return bytes;
    }

    /// <summary>Writes X || Y (64 bytes) into <paramref name="destination"/>.</summary>
    public void WriteXY(Span<byte> destination) => _xy.CopyTo(destination);

    /// <summary>The Ethereum address: last 20 bytes of keccak256(X || Y).</summary>
    public Address ToAddress() => Address.FromPublicKey(_xy);

    /// <inheritdoc/>
    public bool Equals(PublicKey? other) => other is not null && _xy.AsSpan().SequenceEqual(other._xy);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    /// <inheritdoc/>
    public override int GetHashCode() => BitConverter.ToInt32(_xy, 0);

    /// <summary>Compressed form as 0x-hex.</summary>
    public override string ToString() => Hex.Encode0x(ToCompressed());
}
