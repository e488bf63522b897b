using BenchmarkDotNet.Attributes;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Benchmarks;

/// <summary>secp256k1 sign / verify / recover on each backend (one operation per invocation, single thread).</summary>
[MemoryDiagnoser]
public class CryptoSignatureBenchmarks
{
    private byte[] _key = [];
    private readonly byte[] _publicKey = new byte[64];
    private Hash32 _digest;
    private Signature _signature;
    private ISecp256k1Backend _backend = BouncyCastleSecp256k1Backend.Instance;
    private readonly byte[] _recovered = new byte[64];

    /// <summary>"libsecp256k1" (P/Invoke) or "bouncycastle" (managed).</summary>
    [Params("libsecp256k1", "bouncycastle")]
    public string Backend { get; set; } = "libsecp256k1";

    [GlobalSetup]
    public void Setup()
    {
        _backend = Backend == "libsecp256k1" ? LibSecp256k1Backend.Load() : BouncyCastleSecp256k1Backend.Instance;
        _key = Hex.Decode("4646464646464646464646464646464646464646464646464646464646464646");
        _digest = Keccak256.Hash("ledger benchmark"u8);
        if (!_backend.TryDerivePublicKey(_key, _publicKey))
            throw new InvalidOperationException("key derivation failed");
        _signature = _backend.Sign(_key, _digest);
    }

    [Benchmark]
    public Signature Sign() => _backend.Sign(_key, _digest);

    [Benchmark]
    public bool Verify() => _backend.Verify(_publicKey, _digest, _signature);

    [Benchmark]
    public bool Recover() => _backend.TryRecover(_digest, _signature, _recovered);
}

/// <summary>SHA-256 (the protocol's: libcrypto's low-level calls; and .NET's one-shot through EVP) and Keccak-256 (managed) on 32 B, 65 B (a Merkle node), 256 B and 4 KiB.</summary>
[MemoryDiagnoser]
public class CryptoHashBenchmarks
{
    private byte[] _data = [];

    [Params(32, 65, 256, 4096)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        for (var i = 0; i < _data.Length; i++)
            _data[i] = (byte)(i * 31 + 7);
    }

    [Benchmark(Baseline = true)]
    public Hash32 Sha256Hash() => Sha256.Hash(_data);

    [Benchmark]
    public Hash32 DotNetSha256HashData() => new(System.Security.Cryptography.SHA256.HashData(_data));

    [Benchmark]
    public Hash32 Keccak256Hash() => Keccak256.Hash(_data);
}
