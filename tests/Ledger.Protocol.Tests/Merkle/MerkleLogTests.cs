using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Merkle;
using Xunit;
using static Ledger.Protocol.Tests.Merkle.TestSupport;

namespace Ledger.Protocol.Tests.Merkle;

public class MerkleLogTests
{
    /// <summary>Counts reads so a test can check the O(log n) bound (a count, not a timing).</summary>
    private sealed class CountingStore : IMerkleNodeStore
    {
        public InMemoryMerkleNodeStore Inner { get; } = new();

        public int Reads { get; set; }

        public bool TryGet(int level, long index, out Hash32 hash)
        {
            Reads++;
            return Inner.TryGet(level, index, out hash);
        }

        public void Put(int level, long index, Hash32 hash) => Inner.Put(level, index, hash);
    }

    [Fact]
    public void Append_EachSizeUpTo300_RootEqualsComputeRootAndFrontierIsPopcount()
    {
        var hashes = LeafHashes(LeafData(300, 3));
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        Assert.Equal(MerkleHash.EmptyRoot, log.Root);
        for (var n = 1; n <= hashes.Length; n++)
        {
            log.Append(hashes[n - 1]);
            Assert.Equal(n, log.Size);
            Assert.Equal(MerkleTree.ComputeRoot(hashes.AsSpan(0, n)), log.Root);
            Assert.Equal(System.Numerics.BitOperations.PopCount((ulong)n), log.Frontier.Count);
        }
    }

    [Fact]
    public void GetRoot_EveryPastSize_EqualsComputeRootOfPrefix()
    {
        var hashes = LeafHashes(LeafData(257, 4));
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(hashes);
        for (var n = 0; n <= hashes.Length; n++)
            Assert.Equal(MerkleTree.ComputeRoot(hashes.AsSpan(0, n)), log.GetRoot(n));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.GetRoot(258));
    }

    [Fact]
    public void Proofs_RandomPastSizes_EqualListBasedProofs()
    {
        var hashes = LeafHashes(LeafData(1000, 5));
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        // Batches of varying length, so batch and single appends are both exercised.
        var at = 0;
        for (var step = 1; at < hashes.Length; step++)
        {
            var len = Math.Min(step % 7 == 0 ? 1 : step, hashes.Length - at);
            log.Append(hashes.AsSpan(at, len));
            at += len;
        }
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(
            Gen.Choose(1, 1000).SelectMany(size => Gen.Choose(0, size - 1).SelectMany(i => Gen.Choose(0, size).Select(old => (size, i, old)))).ToArbitrary(),
            c =>
            {
                Assert.Equal(MerkleTree.CreateInclusionProof(hashes.AsSpan(0, c.size), c.i), log.CreateInclusionProof(c.i, c.size));
                Assert.Equal(MerkleTree.CreateConsistencyProof(hashes.AsSpan(0, c.size), c.old), log.CreateConsistencyProof(c.old, c.size));
            }));
    }

    [Fact]
    public void Proofs_LargeLog_UseLogarithmicStoreReads()
    {
        var store = new CountingStore();
        var log = new MerkleLog(store);
        var hashes = LeafHashes(LeafData(5000, 6));
        log.Append(hashes);
        const int bound = 2 * 13 + 2; // log2(5000) < 13
        foreach (var (i, n) in new[] { (0L, 5000L), (4999L, 5000L), (1234L, 4097L), (4096L, 4097L), (17L, 3333L) })
        {
            store.Reads = 0;
            var proof = log.CreateInclusionProof(i, n);
            Assert.InRange(store.Reads, 0, bound);
            Assert.True(MerkleTree.VerifyInclusion(proof, hashes[i], log.GetRoot(n)).IsValid);
        }
        foreach (var (m, n) in new[] { (1L, 5000L), (4999L, 5000L), (1234L, 4097L), (3333L, 4999L) })
        {
            store.Reads = 0;
            var proof = log.CreateConsistencyProof(m, n);
            Assert.InRange(store.Reads, 0, 2 * bound);
            Assert.True(MerkleTree.VerifyConsistency(proof, log.GetRoot(m), log.GetRoot(n)).IsValid);
        }
    }

    [Fact]
    public void Frontier_EncodeRestore_ContinuesExactlyAsTheOriginal()
    {
        var hashes = LeafHashes(LeafData(200, 8));
        foreach (var cut in new[] { 0, 1, 2, 7, 64, 100, 127 })
        {
            var store = new InMemoryMerkleNodeStore();
            var first = new MerkleLog(store);
            first.Append(hashes.AsSpan(0, cut));
            var frontier = first.EncodeFrontier();
            Assert.Equal(9 + 32 * System.Numerics.BitOperations.PopCount((ulong)cut), frontier.Length);

            var restored = MerkleLog.Restore(store, frontier);
            var reopened = MerkleLog.Open(store, cut);
            Assert.Equal(first.Root, restored.Root);
            Assert.Equal(first.Frontier, reopened.Frontier);
            restored.Append(hashes.AsSpan(cut));
            Assert.Equal(MerkleTree.ComputeRoot(hashes), restored.Root);
            Assert.Equal(MerkleTree.CreateInclusionProof(hashes, 5), restored.CreateInclusionProof(5, 200));
        }
    }

    [Fact]
    public void Restore_MalformedFrontier_ThrowsNamingTheField()
    {
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(LeafHashes(LeafData(5, 1)));
        var good = log.EncodeFrontier();
        Assert.Equal("merkle log frontier version", Assert.Throws<MerkleFormatException>(() => MerkleLog.Restore(new InMemoryMerkleNodeStore(), [0x02, .. good[1..]])).Field);
        Assert.Throws<MerkleFormatException>(() => MerkleLog.Restore(new InMemoryMerkleNodeStore(), good.AsSpan(0, good.Length - 1)));
        Assert.Throws<MerkleFormatException>(() => MerkleLog.Restore(new InMemoryMerkleNodeStore(), [.. good, 0]));
    }

    [Fact]
    public void Open_StoreMissingNodes_ThrowsInvalidOperation()
    {
        var store = new InMemoryMerkleNodeStore();
        new MerkleLog(store).Append(LeafHashes(LeafData(3, 1)));
        Assert.Throws<InvalidOperationException>(() => MerkleLog.Open(store, 4));
    }

    [Fact]
    public void InMemoryStore_OverwriteWithDifferentHash_Throws()
    {
        var store = new InMemoryMerkleNodeStore();
        store.Put(0, 0, Sha("a"));
        store.Put(0, 0, Sha("a"));
        Assert.Throws<InvalidOperationException>(() => store.Put(0, 0, Sha("b")));
        Assert.Equal(1, store.Count);
    }
}
