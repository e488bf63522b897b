using System.Numerics;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// Managed secp256k1 on BouncyCastle's (BouncyCastle.Cryptography) custom curve (SecP256K1Curve): the fallback when libsecp256k1
/// cannot be loaded, and the test oracle for the native backend. RFC 6979 through HMacDsaKCalculator(SHA-256);
/// s is normalised to the low half and the recovery id follows R's y parity. Thread-safe (no shared mutable state).
/// </summary>
public sealed class BouncyCastleSecp256k1Backend : ISecp256k1Backend
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BcBigInteger N = Curve.N;
    private static readonly BcBigInteger HalfN = Curve.N.ShiftRight(1);
    private static readonly BcBigInteger P = Curve.Curve.Field.Characteristic;

    /// <summary>The shared instance.</summary>
    public static BouncyCastleSecp256k1Backend Instance { get; } = new();

    private BouncyCastleSecp256k1Backend() { }

    /// <inheritdoc/>
    public string Name => "bouncycastle";

    private static BcBigInteger ToBc(ReadOnlySpan<byte> bigEndian) => new(1, bigEndian.ToArray());

    private static bool TryScalar(ReadOnlySpan<byte> privateKey, out BcBigInteger k)
    {
        k = BcBigInteger.Zero;
        if (privateKey.Length != 32)
            return false;
        k = ToBc(privateKey);
        return k.SignValue > 0 && k.CompareTo(N) < 0;
    }

    /// <inheritdoc/>
    public bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey) => TryScalar(privateKey, out _);

    /// <inheritdoc/>
    public bool TryDerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        if (publicKey.Length < 64 || !TryScalar(privateKey, out var k))
            return false;
        var q = new FixedPointCombMultiplier().Multiply(Domain.G, k).Normalize();
        return Write(q, publicKey);
    }

    private static bool Write(ECPoint q, Span<byte> publicKey)
    {
        if (q.IsInfinity || publicKey.Length < 64)
            return false;
        q = q.Normalize();
        WriteFixed(q.AffineXCoord.ToBigInteger(), publicKey[..32]);
        WriteFixed(q.AffineYCoord.ToBigInteger(), publicKey[32..64]);
        return true;
    }

    private static void WriteFixed(BcBigInteger value, Span<byte> destination)
    {
        var bytes = value.ToByteArrayUnsigned();
        destination.Clear();
        bytes.CopyTo(destination[(destination.Length - bytes.Length)..]);
    }

    /// <inheritdoc/>
    public bool TryParsePublicKey(ReadOnlySpan<byte> encoded, Span<byte> publicKey)
    {
        if (publicKey.Length < 64 || !LibSecp256k1Backend.IsSec1Shape(encoded))
            return false;
        var q = Decode(encoded);
        return q is not null && Write(q, publicKey);
    }

    private static ECPoint? Decode(ReadOnlySpan<byte> encoded)
    {
        try
        {
            var q = Curve.Curve.DecodePoint(encoded.ToArray());
            return q.IsInfinity || !q.IsValid() ? null : q;
        }
        catch (ArgumentException)
        {
            return null; // not on the curve, x ≥ p, or no square root
        }
    }

    private static ECPoint? Load64(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != 64)
            return null;
        Span<byte> encoded = stackalloc byte[65];
        encoded[0] = 0x04;
        publicKey.CopyTo(encoded[1..]);
        return Decode(encoded);
    }

    /// <inheritdoc/>
    public Signature Sign(ReadOnlySpan<byte> privateKey, Hash32 digest)
    {
        if (!TryScalar(privateKey, out var d))
            throw new ArgumentException("private key must be 32 bytes with 0 < k < n", nameof(privateKey));
        var message = digest.ToArray();
        var e = new BcBigInteger(1, message).Mod(N);
        // ECDSA with the RFC 6979 nonce, done by hand so that R (and with it the recovery id) is known.
        var kCalculator = new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(N, d, message);
        var multiplier = new FixedPointCombMultiplier();
        while (true)
        {
            var k = kCalculator.NextK();
            var point = multiplier.Multiply(Domain.G, k).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(N);
            if (r.SignValue == 0)
                continue;
            var s = k.ModInverse(N).Multiply(e.Add(d.Multiply(r))).Mod(N);
            if (s.SignValue == 0)
                continue;
            var recoveryId = point.AffineYCoord.TestBitZero() ? 1 : 0;
            if (x.CompareTo(N) >= 0)
                throw new InvalidOperationException("R.x ≥ n: recovery id outside what Ethereum can encode"); // probability ~2^-127
            if (s.CompareTo(HalfN) > 0)
            {
                s = N.Subtract(s);
                recoveryId ^= 1;
            }
            return Signature.Create(ToSystem(r), ToSystem(s), recoveryId);
        }
    }

    private static BigInteger ToSystem(BcBigInteger value) => new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    private static bool TryCanonical(in Signature signature, out BcBigInteger r, out BcBigInteger s)
    {
        Span<byte> buffer = stackalloc byte[32];
        signature.WriteR(buffer);
        r = ToBc(buffer);
        signature.WriteS(buffer);
        s = ToBc(buffer);
        return r.SignValue > 0 && r.CompareTo(N) < 0 && s.SignValue > 0 && s.CompareTo(HalfN) <= 0;
    }

    /// <inheritdoc/>
    public bool Verify(ReadOnlySpan<byte> publicKey, Hash32 digest, in Signature signature)
    {
        if (!TryCanonical(signature, out var r, out var s))
            return false;
        var q = Load64(publicKey);
        if (q is null)
            return false;
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(q, Domain));
        return verifier.VerifySignature(digest.ToArray(), r, s);
    }

    /// <inheritdoc/>
    public bool TryRecover(Hash32 digest, in Signature signature, Span<byte> publicKey)
    {
        if (publicKey.Length < 64 || !TryCanonical(signature, out var r, out var s))
            return false;
        var q = RecoverPoint(digest.ToArray(), r, s, signature.RecoveryId);
        return q is not null && Write(q, publicKey);
    }

    // SEC 1 v2 §4.1.6 for recovery ids 0/1 (R.x = r): Q = r⁻¹ (s·R − e·G).
    private static ECPoint? RecoverPoint(byte[] message, BcBigInteger r, BcBigInteger s, int recoveryId)
    {
        if (r.CompareTo(P) >= 0)
            return null;
        var x = r.ToByteArrayUnsigned();
        var encoded = new byte[33];
        encoded[0] = (byte)(recoveryId == 0 ? 0x02 : 0x03);
        x.CopyTo(encoded, 33 - x.Length);
        var rPoint = Decode(encoded);
        if (rPoint is null)
            return null;
        var e = new BcBigInteger(1, message).Mod(N);
        var rInv = r.ModInverse(N);
        var u1 = N.Subtract(e).Multiply(rInv).Mod(N);
        var u2 = s.Multiply(rInv).Mod(N);
        var q = ECAlgorithms.SumOfTwoMultiplies(Domain.G, u1, rPoint, u2).Normalize();
        return q.IsInfinity ? null : q;
    }
}
