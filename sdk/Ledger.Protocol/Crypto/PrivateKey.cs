using System.Security.Cryptography;

namespace Ledger.Protocol.Crypto;

/// <summary>A secp256k1 private key: 32 bytes big-endian with 0 &lt; k &lt; n.</summary>
public sealed class PrivateKey
{
    private readonly byte[] _bytes;
    private PublicKey? _publicKey;

    private PrivateKey(byte[] bytes) => _bytes = bytes;

    /// <summary>A new random key from the operating system's CSPRNG (the library's only source of randomness).</summary>
    public static PrivateKey Generate()
    {
        var backend = Secp256k1.Default;
        while (true)
        {
            var bytes = RandomNumberGenerator.GetBytes(32);
            if (backend.IsValidPrivateKey(bytes))
                return new PrivateKey(bytes);
        }
    }

    /// <summary>The key from its 32 bytes.</summary>
    /// <exception cref="CryptoFormatException">Not 32 bytes, zero, or ≥ n.</exception>
    public static PrivateKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 32)
            throw new CryptoFormatException("privateKey", $"must be 32 bytes, found {bytes.Length}");
        if (!BouncyCastleSecp256k1Backend.Instance.IsValidPrivateKey(bytes))
            throw new CryptoFormatException("privateKey", "must satisfy 0 < k < n (secp256k1 group order)");
        return new PrivateKey(bytes.ToArray());
    }

    /// <summary>The key from 64 hex digits, with or without 0x.</summary>
    /// <exception cref="CryptoFormatException">Not hex, not 32 bytes, zero, or ≥ n.</exception>
    public static PrivateKey Parse(string hex)
    {
        if (!Hex.TryDecode(hex, out var bytes))
            throw new CryptoFormatException("privateKey", "must be 64 hex digits (optionally 0x-prefixed)");
        return FromBytes(bytes);
    }

    /// <summary>A copy of the 32 key bytes.</summary>
    public byte[] ToBytes() => (byte[])_bytes.Clone();

    /// <summary>The key bytes, for the backends.</summary>
    internal ReadOnlySpan<byte> Span => _bytes;

    /// <summary>k·G.</summary>
    public PublicKey PublicKey
    {
        get
        {
            if (_publicKey is null)
            {
                Span<byte> xy = stackalloc byte[64];
                if (!Secp256k1.Default.TryDerivePublicKey(_bytes, xy))
                    throw new InvalidOperationException("public key derivation failed for a validated key");
                _publicKey = new PublicKey(xy);
            }
            return _publicKey;
        }
    }

    /// <summary>The Ethereum address of <see cref="PublicKey"/>.</summary>
    public Address Address => PublicKey.ToAddress();

    /// <summary>Signs <paramref name="digest"/>: RFC 6979, low s, recovery id 0/1.</summary>
    public Signature Sign(Hash32 digest) => Secp256k1.Default.Sign(_bytes, digest);

    /// <summary>Signs with a specific backend (tests, benchmarks).</summary>
    public Signature Sign(Hash32 digest, ISecp256k1Backend backend) => backend.Sign(_bytes, digest);

    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"PrivateKey({Address})";
}
