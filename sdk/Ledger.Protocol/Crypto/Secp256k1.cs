using System.Globalization;
using System.Numerics;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// The protocol's signature scheme (docs/spec/crypto.md): ECDSA over secp256k1 on a 32-byte digest,
/// RFC 6979 deterministic nonces, low s only, recovery id 0/1.
/// <see cref="Default"/> is libsecp256k1 when it loads, else BouncyCastle; set the environment variable
/// <c>LEDGER_SECP256K1_BACKEND</c> to <c>bouncycastle</c> (or <c>libsecp256k1</c>) to force one.
/// </summary>
public static class Secp256k1
{
    /// <summary>The environment variable that forces the default backend ("libsecp256k1" or "bouncycastle").</summary>
    public const string BackendVariable = "LEDGER_SECP256K1_BACKEND";

    /// <summary>The group order n.</summary>
    public static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>⌊n / 2⌋: the largest s the protocol accepts.</summary>
    public static readonly BigInteger HalfN = N / 2;

    private static readonly Lazy<ISecp256k1Backend> DefaultBackend = new(ChooseDefault, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The backend used by the static operations and by <see cref="PrivateKey"/>, <see cref="PublicKey"/>.</summary>
    public static ISecp256k1Backend Default => DefaultBackend.Value;

    private static ISecp256k1Backend ChooseDefault()
    {
        var forced = Environment.GetEnvironmentVariable(BackendVariable);
        if (string.Equals(forced, "bouncycastle", StringComparison.OrdinalIgnoreCase))
            return BouncyCastleSecp256k1Backend.Instance;
        if (string.Equals(forced, "libsecp256k1", StringComparison.OrdinalIgnoreCase))
            return LibSecp256k1Backend.Load();
        return (ISecp256k1Backend?)LibSecp256k1Backend.TryLoad() ?? BouncyCastleSecp256k1Backend.Instance;
    }

    /// <summary>Signs <paramref name="digest"/> (RFC 6979, low s).</summary>
    public static Signature Sign(PrivateKey key, Hash32 digest) => key.Sign(digest);

    /// <summary>True when <paramref name="signature"/> is a valid low-s signature of <paramref name="digest"/> by <paramref name="key"/>.</summary>
    public static bool Verify(PublicKey key, Hash32 digest, Signature signature) => Default.Verify(key.XY, digest, signature);

    /// <summary>Verify against a 64-byte X || Y public key, allocation-free.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, Hash32 digest, in Signature signature) => Default.Verify(publicKey, digest, signature);

    /// <summary>The public key that produced <paramref name="signature"/> over <paramref name="digest"/>, or null (bad or high-s signature).</summary>
    public static PublicKey? Recover(Hash32 digest, Signature signature)
    {
        Span<byte> xy = stackalloc byte[64];
        return Default.TryRecover(digest, signature, xy) ? new PublicKey(xy) : null;
    }

    /// <summary>Recovers into a 64-byte X || Y buffer, allocation-free; false on failure.</summary>
    public static bool TryRecover(Hash32 digest, in Signature signature, Span<byte> publicKey) => Default.TryRecover(digest, signature, publicKey);

    /// <summary>The address of the signer, or null when recovery fails.</summary>
    public static Address? RecoverAddress(Hash32 digest, Signature signature)
    {
        Span<byte> xy = stackalloc byte[64];
        return Default.TryRecover(digest, signature, xy) ? Address.FromPublicKey(xy) : null;
    }
}
