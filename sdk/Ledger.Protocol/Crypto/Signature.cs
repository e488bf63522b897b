using System.Numerics;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// A recoverable secp256k1 ECDSA signature: r, s (each 32 bytes big-endian) and the recovery id (0 or 1).
/// Wire form (<see cref="ToBytes"/>): 65 bytes r || s || v with v = recovery id (0/1), not 27/28.
/// The protocol accepts only canonical signatures: 0 &lt; r &lt; n and 0 &lt; s ≤ n/2 (low s).
/// </summary>
public readonly struct Signature : IEquatable<Signature>
{
    /// <summary>The encoded length: r (32) || s (32) || v (1).</summary>
    public const int Length = 65;

    private readonly Hash32 _r;
    private readonly Hash32 _s;
    private readonly byte _recoveryId;

    private Signature(Hash32 r, Hash32 s, byte recoveryId)
    {
        _r = r;
        _s = s;
        _recoveryId = recoveryId;
    }

    /// <summary>Creates a signature from 32-byte big-endian r and s and a recovery id 0 or 1. Does not check the ranges; see <see cref="IsCanonical"/>.</summary>
    /// <exception cref="CryptoFormatException">Wrong lengths or a recovery id other than 0/1.</exception>
    public Signature(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, int recoveryId)
    {
        if (r.Length != 32)
            throw new CryptoFormatException("signature.r", $"must be 32 bytes, found {r.Length}");
        if (s.Length != 32)
            throw new CryptoFormatException("signature.s", $"must be 32 bytes, found {s.Length}");
        if (recoveryId is not (0 or 1))
            throw new CryptoFormatException("signature.v", $"recovery id must be 0 or 1, found {recoveryId}");
        _r = new Hash32(r);
        _s = new Hash32(s);
        _recoveryId = (byte)recoveryId;
    }

    /// <summary>Creates a signature from integers r, s (each 0 ≤ x &lt; 2^256) and a recovery id 0 or 1. Does not check the ranges against n.</summary>
    /// <exception cref="CryptoFormatException">r or s negative or wider than 256 bits, or a recovery id other than 0/1.</exception>
    public static Signature Create(BigInteger r, BigInteger s, int recoveryId)
    {
        Span<byte> rb = stackalloc byte[32];
        Span<byte> sb = stackalloc byte[32];
        WriteUInt256(r, rb, "signature.r");
        WriteUInt256(s, sb, "signature.s");
        return new Signature(rb, sb, recoveryId);
    }

    internal static void WriteUInt256(BigInteger value, Span<byte> destination, string field)
    {
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > 32)
            throw new CryptoFormatException(field, "must be an unsigned 256-bit integer");
        destination.Clear();
        var n = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(destination[(32 - n)..], out _, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>r as an unsigned integer.</summary>
    public BigInteger R => ToInteger(_r);

    /// <summary>s as an unsigned integer.</summary>
    public BigInteger S => ToInteger(_s);

    /// <summary>The recovery id: 0 or 1 (the parity of R's y coordinate).</summary>
    public int RecoveryId => _recoveryId;

    private static BigInteger ToInteger(Hash32 h)
    {
        Span<byte> b = stackalloc byte[32];
        h.CopyTo(b);
        return new BigInteger(b, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>Writes r (32 bytes big-endian) into <paramref name="destination"/>.</summary>
    public void WriteR(Span<byte> destination) => _r.CopyTo(destination);

    /// <summary>Writes s (32 bytes big-endian) into <paramref name="destination"/>.</summary>
    public void WriteS(Span<byte> destination) => _s.CopyTo(destination);

    /// <summary>Writes r || s (64 bytes, the "compact" form) into <paramref name="destination"/>.</summary>
    public void WriteCompact(Span<byte> destination)
    {
        _r.CopyTo(destination);
        _s.CopyTo(destination[32..]);
    }

    /// <summary>True when 0 &lt; r &lt; n and 0 &lt; s ≤ n/2: the only form the protocol accepts.</summary>
    public bool IsCanonical
    {
        get
        {
            var r = R;
            var s = S;
            return !r.IsZero && r < Secp256k1.N && !s.IsZero && s <= Secp256k1.HalfN;
        }
    }

    /// <summary>True when s ≤ n/2.</summary>
    public bool IsLowS => S <= Secp256k1.HalfN;

    /// <summary>The 65-byte wire form r || s || v, v = recovery id (0/1).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Writes the 65-byte wire form into <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Length)
            throw new ArgumentException("destination must hold 65 bytes", nameof(destination));
        WriteCompact(destination);
        destination[64] = _recoveryId;
    }

    /// <summary>Reads the 65-byte wire form r || s || v (v = 0/1). Does not check r and s against n; see <see cref="IsCanonical"/>.</summary>
    /// <exception cref="CryptoFormatException">Not 65 bytes, or v is not 0 or 1 (27/28 is Ethereum's form: use <see cref="FromEthereumV"/>).</exception>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new CryptoFormatException("signature", $"must be 65 bytes r || s || v, found {bytes.Length}");
        if (bytes[64] > 1)
            throw new CryptoFormatException("signature.v", $"recovery id must be 0 or 1, found {bytes[64]}");
        return new Signature(new Hash32(bytes[..32]), new Hash32(bytes[32..64]), bytes[64]);
    }

    /// <summary>Like <see cref="FromBytes"/> but returns false instead of throwing.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Signature signature)
    {
        if (bytes.Length != Length || bytes[64] > 1)
        {
            signature = default;
            return false;
        }
        signature = new Signature(new Hash32(bytes[..32]), new Hash32(bytes[32..64]), bytes[64]);
        return true;
    }

    /// <summary>The same r with s' = n − s and the recovery id flipped: the other valid signature of the same digest (high s if this one is low s).</summary>
    public Signature Malleate() => Create(R, (Secp256k1.N - S) % Secp256k1.N, _recoveryId ^ 1);

    /// <summary>Ethereum's pre-EIP-155 v: 27 + recovery id.</summary>
    public int ToLegacyV() => 27 + _recoveryId;

    /// <summary>Ethereum's EIP-155 v: chainId · 2 + 35 + recovery id.</summary>
    public BigInteger ToEip155V(ulong chainId) => new BigInteger(chainId) * 2 + 35 + _recoveryId;

    /// <summary>
    /// Splits an Ethereum legacy v into the recovery id and the chain id: 27/28 → (0/1, no chain id),
    /// v ≥ 35 → ((v − 35) mod 2, (v − 35) / 2). False for any other v or a chain id above 2^64 − 1.
    /// </summary>
    public static bool TryParseLegacyV(BigInteger v, out int recoveryId, out ulong? chainId)
    {
        recoveryId = 0;
        chainId = null;
        if (v == 27 || v == 28)
        {
            recoveryId = (int)(v - 27);
            return true;
        }
        if (v < 35)
            return false;
        var id = (v - 35) / 2;
        if (id > ulong.MaxValue)
            return false;
        recoveryId = (int)((v - 35) % 2);
        chainId = (ulong)id;
        return true;
    }

    /// <summary>A signature from r, s and an Ethereum legacy v (27/28 or EIP-155).</summary>
    /// <exception cref="CryptoFormatException">v is neither 27/28 nor ≥ 35, or r/s do not fit 256 bits.</exception>
    public static Signature FromEthereumV(BigInteger r, BigInteger s, BigInteger v)
    {
        if (!TryParseLegacyV(v, out var recoveryId, out _))
            throw new CryptoFormatException("signature.v", $"Ethereum v must be 27, 28 or chainId·2+35/36, found {v}");
        return Create(r, s, recoveryId);
    }

    /// <inheritdoc/>
    public bool Equals(Signature other) => _r == other._r && _s == other._s && _recoveryId == other._recoveryId;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Signature other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_r, _s, _recoveryId);

    /// <summary>The wire form as 0x-hex (130 hex digits).</summary>
    public override string ToString() => Hex.Encode0x(ToBytes());

    /// <summary>Equality.</summary>
    public static bool operator ==(Signature left, Signature right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Signature left, Signature right) => !left.Equals(right);
}
