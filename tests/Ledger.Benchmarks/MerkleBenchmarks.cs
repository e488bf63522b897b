using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Ledger.Protocol;
using Ledger.Protocol.Merkle;

namespace Ledger.Benchmarks;

internal static class MerkleInputs
{
    public static Hash32 Data(long i) => new(SHA256.HashData(Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture))));

    public static Hash32[] LeafHashes(int n) => Enumerable.Range(0, n).Select(i => MerkleHash.Leaf(Data(i))).ToArray();
}

/// <summary>RFC 9162 tree heads; results are per leaf (OperationsPerInvoke = leaf count).</summary>
[MemoryDiagnoser]
public class MerkleRootBenchmarks
{
    private Hash32[] _leaves1K = [];
    private Hash32[] _leaves100K = [];

    [GlobalSetup]
    public void Setup()
    {
        _leaves1K = MerkleInputs.LeafHashes(1_000);
        _leaves100K = MerkleInputs.LeafHashes(100_000);
    }

    /// <summary>Baseline: one interior-node hash (SHA-256 of 65 bytes); a root costs about one of these per leaf.</summary>
    [Benchmark(Baseline = true)]
    public Hash32 NodeHash_Sha256Of65Bytes() => MerkleHash.Node(_leaves1K[0], _leaves1K[1]);

    [Benchmark(OperationsPerInvoke = 1_000)]
    public Hash32 ComputeRoot_1K_PerLeaf() => MerkleTree.ComputeRoot(_leaves1K);

    [Benchmark(OperationsPerInvoke = 100_000)]
    public Hash32 ComputeRoot_100K_PerLeaf() => MerkleTree.ComputeRoot(_leaves100K);

    [Benchmark(OperationsPerInvoke = 10_000)]
    public Hash32 MerkleLogAppend_PerLeaf()
    {
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(_leaves100K.AsSpan(0, 10_000));
        return log.Root;
    }
}

/// <summary>Proof verification in a 1,000,000-leaf log.</summary>
[MemoryDiagnoser]
public class MerkleProofBenchmarks
{
    private const int Size = 1_000_000;
    private MerkleLog _log = null!;
    private InclusionProof _inclusion = null!;
    private ConsistencyProof _consistency = null!;
    private Hash32 _leaf;
    private Hash32 _oldRoot;
    private Hash32 _root;

    [GlobalSetup]
    public void Setup()
    {
        _log = new MerkleLog(new InMemoryMerkleNodeStore());
        for (var i = 0; i < Size; i++)
            _log.Append(MerkleHash.Leaf(MerkleInputs.Data(i)));
        _root = _log.Root;
        _leaf = MerkleHash.Leaf(MerkleInputs.Data(123_456));
        _inclusion = _log.CreateInclusionProof(123_456, Size);
        _consistency = _log.CreateConsistencyProof(654_321, Size);
        _oldRoot = _log.GetRoot(654_321);
    }

    [Benchmark]
    public bool VerifyInclusion_1M() => MerkleTree.VerifyInclusion(_inclusion, _leaf, _root).IsValid;

    [Benchmark]
    public bool VerifyConsistency_654321To1M() => MerkleTree.VerifyConsistency(_consistency, _oldRoot, _root).IsValid;

    [Benchmark]
    public InclusionProof MerkleLogInclusionProof_1M() => _log.CreateInclusionProof(987_654, Size);
}

/// <summary>Sparse Merkle tree (state root) with 100,000 keys.</summary>
[MemoryDiagnoser]
public class SparseMerkleBenchmarks
{
    private InMemorySparseMerkleNodeStore _store = null!;
    private Hash32 _baseRoot;
    private (Hash32 Key, Hash32? Value)[] _batch = [];
    private SparseMerkleProof _proof = null!;
    private Hash32 _provenKey;
    private Hash32 _provenValue;

    private static Hash32 Key(int i) => new(SHA256.HashData(Encoding.ASCII.GetBytes("key-" + i.ToString(CultureInfo.InvariantCulture))));

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemorySparseMerkleNodeStore();
        var tree = new SparseMerkleTree(_store);
        _baseRoot = tree.Update(Enumerable.Range(0, 100_000).Select(i => (Key(i), (Hash32?)MerkleInputs.Data(i))));
        // Half new keys, half updates of existing keys.
        _batch = Enumerable.Range(0, 1_000)
            .Select(i => (Key(i % 2 == 0 ? 100_000 + i : i * 97), (Hash32?)MerkleInputs.Data(-i)))
            .ToArray();
        _provenKey = Key(4242);
        _provenValue = MerkleInputs.Data(4242);
        _proof = tree.Prove(_provenKey);
    }

    /// <summary>Applies the same 1,000-key batch to the 100k-key root each time (nodes are content-addressed, so the store does not grow).</summary>
    [Benchmark]
    public Hash32 BatchUpdate_1KInto100K() => new SparseMerkleTree(_store, _baseRoot).Update(_batch);

    [Benchmark]
    public bool VerifyProof_100K() => SparseMerkleTree.Verify(_baseRoot, _provenKey, _provenValue, _proof).IsValid;

    [Benchmark]
    public SparseMerkleProof Prove_100K() => new SparseMerkleTree(_store, _baseRoot).Prove(_provenKey);
}
