using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Merkle;
using Xunit;
using static Ledger.Protocol.Tests.Merkle.TestSupport;

namespace Ledger.Protocol.Tests.Merkle;

/// <summary>The fast RFC 9162 code against the naive oracle, and every single mutation of a valid proof.</summary>
public class MerkleTreePropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(100);

    /// <summary>A tree size in [min, max], a seed for its leaves, and a seed for choices made by the property.</summary>
    private static Arbitrary<(int Size, int Seed, int Choice)> Trees(int min, int max) =>
        Gen.Choose(min, max).SelectMany(size => Gen.Choose(0, int.MaxValue).SelectMany(seed => Gen.Choose(0, int.MaxValue).Select(c => (size, seed, c))))
            .ToArbitrary();

    [Fact]
    public void ComputeRoot_RandomSizesUpTo2000_EqualsNaiveMth()
    {
        Check.One(Config.WithMaxTest(40), Prop.ForAll(Trees(0, 2000), t =>
        {
            var data = LeafData(t.Size, t.Seed);
            Assert.Equal(new Hash32(Naive.Mth(data)), MerkleTree.ComputeRoot(LeafHashes(data)));
        }));
    }

    [Fact]
    public void MerkleHashLeaf_AnyData_EqualsSha256OfZeroPrefixedData()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), data =>
        {
            Assert.Equal(new Hash32(Naive.LeafHash(data)), MerkleHash.Leaf(data));
        }).QuickCheckThrowOnFailure();
        var big = new byte[5000]; // beyond the stack buffer
        big[4999] = 7;
        Assert.Equal(new Hash32(Naive.LeafHash(big)), MerkleHash.Leaf(big));
        var id = Sha("record");
        Assert.Equal(MerkleHash.Leaf(id.ToArray()), MerkleHash.Leaf(id));
    }

    [Fact]
    public void Proofs_AllIndicesAndSizesUpTo40_EqualNaiveAndLogAndVerify()
    {
        var data = LeafData(40, 7);
        var hashes = LeafHashes(data);
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(hashes);
        for (var n = 1; n <= 40; n++)
        {
            var prefix = data[..n];
            var root = MerkleTree.ComputeRoot(hashes.AsSpan(0, n));
            for (var m = 0; m < n; m++)
            {
                var proof = MerkleTree.CreateInclusionProof(hashes.AsSpan(0, n), m);
                Assert.Equal(ToHashes(Naive.Path(m, prefix)), proof.Path);
                Assert.Equal(proof, log.CreateInclusionProof(m, n));
                Assert.True(MerkleTree.VerifyInclusion(proof, hashes[m], root).IsValid, $"inclusion {m} of {n}");
            }
            for (var m = 0; m <= n; m++)
            {
                var proof = MerkleTree.CreateConsistencyProof(hashes.AsSpan(0, n), m);
                var naive = m == 0 || m == n ? [] : ToHashes(Naive.Proof(m, prefix));
                Assert.Equal(naive, proof.Path);
                Assert.Equal(proof, log.CreateConsistencyProof(m, n));
                var oldRoot = MerkleTree.ComputeRoot(hashes.AsSpan(0, m));
                Assert.True(MerkleTree.VerifyConsistency(proof, oldRoot, root).IsValid, $"consistency {m} to {n}");
            }
        }
    }

    [Fact]
    public void InclusionProof_RandomTrees_EqualsNaivePathAndVerifies()
    {
        Check.One(Config, Prop.ForAll(Trees(1, 300), t =>
        {
            var data = LeafData(t.Size, t.Seed);
            var hashes = LeafHashes(data);
            var index = t.Choice % t.Size;
            var proof = MerkleTree.CreateInclusionProof(hashes, index);
            Assert.Equal(ToHashes(Naive.Path(index, data)), proof.Path);
            Assert.True(MerkleTree.VerifyInclusion(proof, hashes[index], new Hash32(Naive.Mth(data))).IsValid);
        }));
    }

    [Fact]
    public void ConsistencyProof_RandomTrees_EqualsNaiveProofAndVerifies()
    {
        Check.One(Config.WithMaxTest(50), Prop.ForAll(Trees(1, 300), t =>
        {
            var data = LeafData(t.Size, t.Seed);
            var hashes = LeafHashes(data);
            var old = t.Choice % (t.Size + 1);
            var proof = MerkleTree.CreateConsistencyProof(hashes, old);
            var naive = old == 0 || old == t.Size ? [] : ToHashes(Naive.Proof(old, data));
            Assert.Equal(naive, proof.Path);
            var result = MerkleTree.VerifyConsistency(proof, new Hash32(Naive.Mth(data[..old])), new Hash32(Naive.Mth(data)));
            Assert.True(result.IsValid, result.Reason);
        }));
    }

    [Fact]
    public void Proofs_AgainstAnotherTreesRoot_FailWithRootMismatch()
    {
        Check.One(Config, Prop.ForAll(Trees(2, 200), t =>
        {
            var mine = LeafHashes(LeafData(t.Size, t.Seed));
            var other = LeafHashes(LeafData(t.Size, t.Seed ^ 0x5a5a5a5a));
            var otherRoot = MerkleTree.ComputeRoot(other);
            var index = t.Choice % t.Size;
            var inclusion = MerkleTree.VerifyInclusion(MerkleTree.CreateInclusionProof(mine, index), mine[index], otherRoot);
            Assert.Equal(MerkleProofFailure.RootMismatch, inclusion.Failure);
            Assert.Equal(otherRoot, inclusion.Expected);
            Assert.Equal(MerkleTree.ComputeRoot(mine), inclusion.Computed);

            var old = 1 + t.Choice % (t.Size - 1); // 0 < old < size
            var proof = MerkleTree.CreateConsistencyProof(mine, old);
            var consistency = MerkleTree.VerifyConsistency(proof, MerkleTree.ComputeRoot(other.AsSpan(0, old)), otherRoot);
            Assert.False(consistency.IsValid);
            Assert.Contains(consistency.Failure, new[] { MerkleProofFailure.OldRootMismatch, MerkleProofFailure.RootMismatch });
        }));
    }

    [Fact]
    public void InclusionProof_AnySingleMutation_FailsWithTheRightKind()
    {
        Check.One(Config, Prop.ForAll(Trees(1, 200), t =>
        {
            var hashes = LeafHashes(LeafData(t.Size, t.Seed));
            var rnd = new Random(t.Choice);
            var index = rnd.Next(t.Size);
            var root = MerkleTree.ComputeRoot(hashes);
            var proof = MerkleTree.CreateInclusionProof(hashes, index);
            var leaf = hashes[index];
            var path = proof.Path;

            void Expect(InclusionProof p, MerkleProofFailure want, string what)
            {
                var r = MerkleTree.VerifyInclusion(p, leaf, root);
                Assert.Equal(want == MerkleProofFailure.None, r.IsValid);
                Assert.True(want == r.Failure, $"{what}: got {r.Failure}, expected {want}: {r.Reason}");
            }

            // The proof does not bind the index and size by itself (the signed header binds size and root): another
            // (index, size) whose path has the same length and the same left/right sides recomputes the same root.
            MerkleProofFailure Predict(long i, long n)
            {
                var kind = ExpectedInclusionFailure(i, n, path.Length);
                return kind == MerkleProofFailure.RootMismatch && Naive.PathSides((int)i, (int)n).SequenceEqual(Naive.PathSides(index, t.Size))
                    ? MerkleProofFailure.None
                    : kind;
            }

            for (var i = 0; i < path.Length; i++)
            {
                var wrong = (Hash32[])path.Clone();
                wrong[i] = FlipBit(wrong[i], rnd.Next(256));
                Expect(proof with { Path = wrong }, MerkleProofFailure.RootMismatch, $"flipped bit in path[{i}]");
            }
            var otherIndex = rnd.Next(-2, t.Size + 2);
            if (otherIndex != index)
                Expect(proof with { LeafIndex = otherIndex }, Predict(otherIndex, t.Size), $"index {otherIndex}");
            var otherSize = rnd.Next(0, 2 * t.Size + 2);
            if (otherSize != t.Size)
                Expect(proof with { TreeSize = otherSize }, Predict(index, otherSize), $"size {otherSize}");
            if (path.Length > 0)
            {
                var drop = rnd.Next(path.Length);
                Expect(proof with { Path = [.. path[..drop], .. path[(drop + 1)..]] }, MerkleProofFailure.WrongPathLength, $"dropped path[{drop}]");
            }
            var at = rnd.Next(path.Length + 1);
            Expect(proof with { Path = [.. path[..at], Sha("extra"), .. path[at..]] }, MerkleProofFailure.WrongPathLength, $"added at {at}");
            var garbage = new byte[1 + rnd.Next(40)];
            rnd.NextBytes(garbage);
            var encoded = MerkleTree.VerifyInclusion([.. proof.Encode(), .. garbage], leaf, root);
            Assert.Equal(MerkleProofFailure.MalformedEncoding, encoded.Failure);
        }));
    }

    [Fact]
    public void ConsistencyProof_AnySingleMutation_FailsWithTheRightKind()
    {
        Check.One(Config, Prop.ForAll(Trees(2, 200), t =>
        {
            var hashes = LeafHashes(LeafData(t.Size, t.Seed));
            var rnd = new Random(t.Choice);
            var old = 1 + rnd.Next(t.Size - 1);
            var oldRoot = MerkleTree.ComputeRoot(hashes.AsSpan(0, old));
            var newRoot = MerkleTree.ComputeRoot(hashes);
            var proof = MerkleTree.CreateConsistencyProof(hashes, old);
            var path = proof.Path;

            void Expect(ConsistencyProof p, MerkleProofFailure[] want, string what, bool sizeChanged = false)
            {
                var r = MerkleTree.VerifyConsistency(p, oldRoot, newRoot);
                // As with inclusion, the proof does not bind the sizes by themselves: a changed size that needs a path
                // of the same length may recompute the same roots. Only then may it verify.
                if (r.IsValid && sizeChanged && want.Contains(MerkleProofFailure.RootMismatch) && want.Contains(MerkleProofFailure.OldRootMismatch))
                    return;
                Assert.False(r.IsValid, what);
                Assert.True(want.Contains(r.Failure), $"{what}: got {r.Failure}, expected {string.Join("/", want)}: {r.Reason}");
            }

            MerkleProofFailure[] hashFailure = [MerkleProofFailure.OldRootMismatch, MerkleProofFailure.RootMismatch];
            for (var i = 0; i < path.Length; i++)
            {
                var wrong = (Hash32[])path.Clone();
                wrong[i] = FlipBit(wrong[i], rnd.Next(256));
                Expect(proof with { Path = wrong }, hashFailure, $"flipped bit in path[{i}]");
            }
            var otherOld = rnd.Next(-1, t.Size + 2);
            if (otherOld != old)
                Expect(proof with { OldSize = otherOld }, ExpectedConsistencyFailures(otherOld, t.Size, path.Length), $"old size {otherOld}", sizeChanged: true);
            var otherNew = rnd.Next(0, 2 * t.Size + 2);
            if (otherNew != t.Size)
                Expect(proof with { NewSize = otherNew }, ExpectedConsistencyFailures(old, otherNew, path.Length), $"new size {otherNew}", sizeChanged: true);
            var drop = rnd.Next(path.Length);
            Expect(proof with { Path = [.. path[..drop], .. path[(drop + 1)..]] }, [MerkleProofFailure.WrongPathLength], $"dropped path[{drop}]");
            var at = rnd.Next(path.Length + 1);
            Expect(proof with { Path = [.. path[..at], Sha("extra"), .. path[at..]] }, [MerkleProofFailure.WrongPathLength], $"added at {at}");
            var garbage = new byte[1 + rnd.Next(40)];
            rnd.NextBytes(garbage);
            Assert.Equal(MerkleProofFailure.MalformedEncoding, MerkleTree.VerifyConsistency([.. proof.Encode(), .. garbage], oldRoot, newRoot).Failure);
        }));
    }

    [Fact]
    public void VerifyConsistency_EdgeSizes_FollowTheDocumentedRules()
    {
        var hashes = LeafHashes(LeafData(3, 1));
        var r1 = MerkleTree.ComputeRoot(hashes.AsSpan(0, 1));
        var r3 = MerkleTree.ComputeRoot(hashes);
        Assert.True(MerkleTree.VerifyConsistency(new ConsistencyProof(0, 0, []), MerkleHash.EmptyRoot, MerkleHash.EmptyRoot).IsValid);
        Assert.True(MerkleTree.VerifyConsistency(new ConsistencyProof(0, 3, []), MerkleHash.EmptyRoot, r3).IsValid);
        Assert.Equal(MerkleProofFailure.OldRootMismatch, MerkleTree.VerifyConsistency(new ConsistencyProof(0, 3, []), r1, r3).Failure);
        Assert.True(MerkleTree.VerifyConsistency(new ConsistencyProof(3, 3, []), r3, r3).IsValid);
        Assert.Equal(MerkleProofFailure.RootMismatch, MerkleTree.VerifyConsistency(new ConsistencyProof(3, 3, []), r1, r3).Failure);
        Assert.Equal(MerkleProofFailure.WrongPathLength, MerkleTree.VerifyConsistency(new ConsistencyProof(3, 3, [r3]), r3, r3).Failure);
        Assert.Equal(MerkleProofFailure.WrongPathLength, MerkleTree.VerifyConsistency(new ConsistencyProof(0, 0, [MerkleHash.EmptyRoot]), MerkleHash.EmptyRoot, MerkleHash.EmptyRoot).Failure);
        Assert.Equal(MerkleProofFailure.InvalidTreeSize, MerkleTree.VerifyConsistency(new ConsistencyProof(3, 1, []), r3, r1).Failure);
        Assert.Equal(MerkleProofFailure.WrongPathLength, MerkleTree.VerifyConsistency(new ConsistencyProof(1, 3, []), r1, r3).Failure);
        Assert.Equal(MerkleProofFailure.IndexOutOfRange, MerkleTree.VerifyInclusion(new InclusionProof(0, 0, []), r1, MerkleHash.EmptyRoot).Failure);
    }

    [Fact]
    public void CreateProofs_ProgrammerErrors_ThrowArgumentOutOfRange()
    {
        var hashes = LeafHashes(LeafData(4, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.CreateInclusionProof(hashes, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.CreateInclusionProof(hashes, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.CreateConsistencyProof(hashes, 5));
        Assert.Throws<ArgumentException>(() => new InclusionProof(-1, 4, []).Encode());
    }

    [Fact]
    public void ProofEncoding_RoundTrips_AndRejectsTruncationTrailingBytesAndBadTag()
    {
        Check.One(Config, Prop.ForAll(Trees(1, 300), t =>
        {
            var hashes = LeafHashes(LeafData(t.Size, t.Seed));
            var inclusion = MerkleTree.CreateInclusionProof(hashes, t.Choice % t.Size);
            var consistency = MerkleTree.CreateConsistencyProof(hashes, t.Choice % (t.Size + 1));
            var a = inclusion.Encode();
            var b = consistency.Encode();
            Assert.Equal(18 + 32 * inclusion.Path.Length, a.Length);
            Assert.Equal(inclusion, InclusionProof.Decode(a));
            Assert.Equal(consistency, ConsistencyProof.Decode(b));
            var cut = t.Choice % a.Length;
            Assert.Throws<MerkleFormatException>(() => InclusionProof.Decode(a.AsSpan(0, cut)));
            Assert.False(InclusionProof.TryDecode([.. a, 1], out _));
            Assert.Throws<MerkleFormatException>(() => ConsistencyProof.Decode(b.AsSpan(0, t.Choice % b.Length)));
            Assert.False(ConsistencyProof.TryDecode([.. b, 1], out _));
            Assert.Throws<MerkleFormatException>(() => InclusionProof.Decode(b)); // wrong tag
        }));
        var big = new InclusionProof(0, 1, []).Encode();
        big[1] = 0x80; // index >= 2^63
        var e = Assert.Throws<MerkleFormatException>(() => InclusionProof.Decode(big));
        Assert.Equal("inclusion proof leaf index", e.Field);
    }
}
