namespace Ledger.Protocol.Crypto;

/// <summary>
/// A secp256k1 implementation. Public keys cross this interface as 64 bytes X || Y (big-endian, no prefix).
/// Every implementation must give byte-identical results: RFC 6979 deterministic nonces (HMAC-SHA-256),
/// low-s signatures, and rejection of high-s signatures in <see cref="Verify"/> and <see cref="TryRecover"/>.
/// Implementations are thread-safe. Bad signatures and keys are reported as false, never as exceptions.
/// </summary>
public interface ISecp256k1Backend
{
    /// <summary>A short name for logs and benchmarks ("libsecp256k1", "bouncycastle").</summary>
    string Name { get; }

    /// <summary>True when <paramref name="privateKey"/> is 32 bytes with 0 &lt; k &lt; n.</summary>
    bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey);

    /// <summary>Computes k·G as 64 bytes X || Y into <paramref name="publicKey"/>; false for an invalid key.</summary>
    bool TryDerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey);

    /// <summary>Parses a 33-byte compressed (02/03) or 65-byte uncompressed (04) SEC 1 key into X || Y; false if not on the curve.</summary>
    bool TryParsePublicKey(ReadOnlySpan<byte> encoded, Span<byte> publicKey);

    /// <summary>Signs a 32-byte digest: RFC 6979 nonce, low s, recovery id 0 or 1.</summary>
    /// <exception cref="ArgumentException">The private key is not valid.</exception>
    Signature Sign(ReadOnlySpan<byte> privateKey, Hash32 digest);

    /// <summary>True when <paramref name="signature"/> (r, s; the recovery id is ignored) is a valid low-s signature of <paramref name="digest"/> by <paramref name="publicKey"/> (64 bytes X || Y).</summary>
    bool Verify(ReadOnlySpan<byte> publicKey, Hash32 digest, in Signature signature);

    /// <summary>Recovers the signer's public key (64 bytes X || Y) from a low-s signature with its recovery id; false on any failure.</summary>
    bool TryRecover(Hash32 digest, in Signature signature, Span<byte> publicKey);
}
