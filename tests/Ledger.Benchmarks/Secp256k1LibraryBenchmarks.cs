using BenchmarkDotNet.Attributes;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using NBitcoin.Secp256k1;

namespace Ledger.Benchmarks;

/// <summary>
/// Recoverable sign, verify and recover with each secp256k1 implementation on offer (docs/adr/0004): the protocol's own
/// function-pointer binding of the bundled libsecp256k1, the Secp256k1.Net package's API over the same library,
/// NBitcoin.Secp256k1 (a managed port) and BouncyCastle (the protocol's managed fallback). Every operation starts from
/// bytes (32-byte key, 64-byte public key, 64-byte compact signature and recovery id), as the ledger holds them.
/// </summary>
[MemoryDiagnoser]
public class Secp256k1LibraryBenchmarks
{
    private readonly byte[] _key = Hex.Decode("4646464646464646464646464646464646464646464646464646464646464646");
    private readonly byte[] _publicKey = new byte[64];
    private readonly byte[] _publicKey65 = new byte[65];
    private readonly byte[] _compact = new byte[64];
    private readonly byte[] _recovered = new byte[64];
    private Hash32 _digest;
    private byte[] _digestBytes = [];
    private Signature _signature;
    private ISecp256k1Backend _backend = BouncyCastleSecp256k1Backend.Instance;

    [Params("own binding", "Secp256k1.Net", "NBitcoin.Secp256k1", "BouncyCastle")]
    public string Library { get; set; } = "own binding";

    [GlobalSetup]
    public void Setup()
    {
        _backend = Library == "BouncyCastle" ? BouncyCastleSecp256k1Backend.Instance : LibSecp256k1Backend.Load();
        _digest = Keccak256.Hash("ledger benchmark"u8);
        _digestBytes = _digest.ToArray();
        if (!_backend.TryDerivePublicKey(_key, _publicKey))
            throw new InvalidOperationException("key derivation failed");
        _publicKey65[0] = 4;
        _publicKey.CopyTo(_publicKey65, 1);
        _signature = _backend.Sign(_key, _digest);
        _signature.WriteCompact(_compact);
        if (Recover() != 64 || !Verify() || Sign() != _signature.RecoveryId)
            throw new InvalidOperationException($"{Library}: the operations do not agree with the protocol's signature");
    }

    /// <summary>Signs (recoverable, RFC 6979) and returns the recovery id.</summary>
    [Benchmark]
    public int Sign()
    {
        switch (Library)
        {
            case "Secp256k1.Net":
                return Secp256k1Net.Secp256k1.SignRecoverable(_digestBytes, _key).RecoveryId;
            case "NBitcoin.Secp256k1":
                if (!ECPrivKey.Create(_key).TrySignRecoverable(_digestBytes, out var sig) || sig is null)
                    return -1;
                sig.WriteToSpanCompact(_compact, out var recid);
                return recid;
            default:
                return _backend.Sign(_key, _digest).RecoveryId;
        }
    }

    [Benchmark]
    public bool Verify()
    {
        switch (Library)
        {
            case "Secp256k1.Net":
                return Secp256k1Net.Secp256k1.Verify(_compact, _digestBytes, _publicKey65);
            case "NBitcoin.Secp256k1":
                return ECPubKey.TryCreate(_publicKey65, Context.Instance, out _, out var pub)
                    && SecpECDSASignature.TryCreateFromCompact(_compact, out var sig)
                    && pub.SigVerify(sig, _digestBytes);
            default:
                return _backend.Verify(_publicKey, _digest, _signature);
        }
    }

    /// <summary>Recovers the signer's public key and returns its length (64 when it worked).</summary>
    [Benchmark]
    public int Recover()
    {
        switch (Library)
        {
            case "Secp256k1.Net":
                return Secp256k1Net.Secp256k1.RecoverPublicKey(_compact, (byte)_signature.RecoveryId, _digestBytes, compressed: false).Length - 1;
            case "NBitcoin.Secp256k1":
                if (!SecpRecoverableECDSASignature.TryCreateFromCompact(_compact, _signature.RecoveryId, out var sig)
                    || !ECPubKey.TryRecover(Context.Instance, sig, _digestBytes, out var pub))
                    return 0;
                pub.WriteToSpan(compressed: false, _publicKey65, out var length);
                return length - 1;
            default:
                return _backend.TryRecover(_digest, _signature, _recovered) ? 64 : 0;
        }
    }
}
