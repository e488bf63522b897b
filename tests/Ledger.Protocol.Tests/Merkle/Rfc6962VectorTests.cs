using System.Text.Json;
using Ledger.Protocol.Merkle;
using Xunit;
using static Ledger.Protocol.Tests.Merkle.TestSupport;

namespace Ledger.Protocol.Tests.Merkle;

/// <summary>
/// Replays the RFC 6962 reference vectors of transparency-dev/merkle (tests/vectors/merkle/rfc6962.json) and, for each
/// valid proof, the same corruption probes that upstream's verify_test.go applies, by the same names; here each
/// probe must fail with a specific <see cref="MerkleProofFailure"/>.
/// </summary>
public class Rfc6962VectorTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse(File.ReadAllText(VectorPath("rfc6962.json"))).RootElement;

    /// <summary>Upstream entries that do not apply, with the reason (never skipped silently).</summary>
    private static readonly Dictionary<string, string> Excluded = new()
    {
        ["inclusion leaf=0 size=0"] = "upstream placeholder: its own test starts at entry 1 because leaf 0 (1-based) of an empty tree is not a proof",
    };

    private static readonly Hash32 SomeHash = H("abacaba000000000000000000000000000000000000000000060061e00123456"); // upstream sha256SomeHash

    private static byte[][] Leaves => Doc.GetProperty("leaves").EnumerateArray().Select(e => Hex.Decode(e.GetString()!)).ToArray();

    private static Hash32 RootOfSize(int size) =>
        size == 0 ? H(Doc.GetProperty("emptyTreeRoot").GetString()!) : H(Doc.GetProperty("roots")[size - 1].GetString()!);

    private static Hash32[] Path(JsonElement e) => e.GetProperty("proof").EnumerateArray().Select(p => H(p.GetString()!)).ToArray();

    public static TheoryData<int> RootSizes() => [.. Enumerable.Range(0, 9)];

    public static TheoryData<string> InclusionCases()
    {
        var data = new TheoryData<string>();
        foreach (var e in Doc.GetProperty("inclusionProofs").EnumerateArray())
        {
            var name = $"inclusion leaf={e.GetProperty("leaf").GetInt64()} size={e.GetProperty("size").GetInt64()}";
            if (!Excluded.ContainsKey(name))
                data.Add(name);
        }
        return data;
    }

    public static TheoryData<string> ConsistencyCases()
    {
        var data = new TheoryData<string>();
        foreach (var e in Doc.GetProperty("consistencyProofs").EnumerateArray())
            data.Add($"consistency size1={e.GetProperty("size1").GetInt64()} size2={e.GetProperty("size2").GetInt64()}");
        return data;
    }

    private static JsonElement Find(string array, string name, Func<JsonElement, string> naming) =>
        Doc.GetProperty(array).EnumerateArray().Single(e => naming(e) == name);

    [Fact]
    public void Exclusions_NameExistingVectors()
    {
        var all = Doc.GetProperty("inclusionProofs").EnumerateArray()
            .Select(e => $"inclusion leaf={e.GetProperty("leaf").GetInt64()} size={e.GetProperty("size").GetInt64()}").ToHashSet();
        Assert.All(Excluded.Keys, k => Assert.Contains(k, all));
    }

    [Fact]
    public void EmptyRoot_IsSha256OfEmptyString_AsUpstream()
    {
        Assert.Equal(RootOfSize(0), MerkleHash.EmptyRoot);
        Assert.Equal(RootOfSize(0), MerkleTree.ComputeRoot([]));
    }

    [Theory]
    [MemberData(nameof(RootSizes))]
    public void ComputeRoot_ReferenceLeaves_MatchesUpstreamRoot(int size)
    {
        var hashes = LeafHashes(Leaves[..size]);
        Assert.Equal(RootOfSize(size), MerkleTree.ComputeRoot(hashes));
        Assert.Equal(RootOfSize(size), new Hash32(Naive.Mth(Leaves[..size])));
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(hashes);
        Assert.Equal(RootOfSize(size), log.Root);
    }

    [Theory]
    [MemberData(nameof(InclusionCases))]
    public void InclusionVector_GeneratedAndVerified_MatchesUpstreamAndRejectsProbes(string name)
    {
        var e = Find("inclusionProofs", name, x => $"inclusion leaf={x.GetProperty("leaf").GetInt64()} size={x.GetProperty("size").GetInt64()}");
        var index = e.GetProperty("leaf").GetInt64() - 1; // upstream numbers leaves from 1
        var size = e.GetProperty("size").GetInt64();
        var path = Path(e);
        var root = RootOfSize((int)size);
        var leafHash = MerkleHash.Leaf(Leaves[index]);
        var hashes = LeafHashes(Leaves[..(int)size]);

        var expected = new InclusionProof(index, size, path);
        Assert.Equal(expected, MerkleTree.CreateInclusionProof(hashes, index));
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(LeafHashes(Leaves));
        Assert.Equal(expected, log.CreateInclusionProof(index, size));

        var ok = MerkleTree.VerifyInclusion(expected, leafHash, root);
        Assert.True(ok.IsValid, ok.Reason);
        Assert.True(MerkleTree.VerifyInclusion(expected.Encode(), leafHash, root).IsValid);

        foreach (var (probe, proof, leaf, r, want) in InclusionProbes(index, size, path, root, leafHash))
        {
            var result = MerkleTree.VerifyInclusion(proof, leaf, r);
            Assert.False(result.IsValid, $"{name}: probe '{probe}' verified");
            Assert.True(want == result.Failure, $"{name}: probe '{probe}' failed with {result.Failure}, expected {want} ({result.Reason})");
        }
        var garbage = MerkleTree.VerifyInclusion([.. expected.Encode(), 0x00], leafHash, root);
        Assert.Equal(MerkleProofFailure.MalformedEncoding, garbage.Failure);
    }

    [Theory]
    [MemberData(nameof(ConsistencyCases))]
    public void ConsistencyVector_GeneratedAndVerified_MatchesUpstreamAndRejectsProbes(string name)
    {
        var e = Find("consistencyProofs", name, x => $"consistency size1={x.GetProperty("size1").GetInt64()} size2={x.GetProperty("size2").GetInt64()}");
        var size1 = e.GetProperty("size1").GetInt64();
        var size2 = e.GetProperty("size2").GetInt64();
        var path = Path(e);
        Hash32 root1 = RootOfSize((int)size1), root2 = RootOfSize((int)size2);

        var expected = new ConsistencyProof(size1, size2, path);
        Assert.Equal(expected, MerkleTree.CreateConsistencyProof(LeafHashes(Leaves[..(int)size2]), size1));
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(LeafHashes(Leaves));
        Assert.Equal(expected, log.CreateConsistencyProof(size1, size2));

        var ok = MerkleTree.VerifyConsistency(expected, root1, root2);
        Assert.True(ok.IsValid, ok.Reason);
        Assert.True(MerkleTree.VerifyConsistency(expected.Encode(), root1, root2).IsValid);
        if (path.Length == 0)
            return; // upstream probes only non-trivial proofs

        foreach (var (probe, proof, r1, r2, want) in ConsistencyProbes(size1, size2, path, root1, root2))
        {
            var result = MerkleTree.VerifyConsistency(proof, r1, r2);
            Assert.False(result.IsValid, $"{name}: probe '{probe}' verified");
            Assert.True(want.Contains(result.Failure), $"{name}: probe '{probe}' failed with {result.Failure}, expected one of {string.Join(", ", want)} ({result.Reason})");
        }
        var garbage = MerkleTree.VerifyConsistency([.. expected.Encode(), 0x00], root1, root2);
        Assert.Equal(MerkleProofFailure.MalformedEncoding, garbage.Failure);
    }

    private static IEnumerable<(string, InclusionProof, Hash32, Hash32, MerkleProofFailure)> InclusionProbes(
        long index, long size, Hash32[] path, Hash32 root, Hash32 leafHash)
    {
        (string, InclusionProof, Hash32, Hash32, MerkleProofFailure) Probe(string name, long i, long s, Hash32[] p, Hash32 leaf, Hash32 r) =>
            (name, new InclusionProof(i, s, p), leaf, r, ExpectedInclusionFailure(i, s, p.Length));

        yield return Probe("leafIndex - 1", index - 1, size, path, leafHash, root);
        yield return Probe("leafIndex + 1", index + 1, size, path, leafHash, root);
        yield return Probe("leafIndex ^ 2", index ^ 2, size, path, leafHash, root);
        yield return Probe("treeSize * 2", index, size * 2, path, leafHash, root);
        yield return Probe("treeSize / 2", index, size / 2, path, leafHash, root);
        yield return Probe("wrong leaf", index, size, path, MerkleHash.Leaf("WrongLeaf"u8), root);
        yield return Probe("empty root", index, size, path, leafHash, MerkleHash.EmptyRoot);
        yield return Probe("random root", index, size, path, leafHash, SomeHash);
        yield return Probe("trailing garbage", index, size, [.. path, Hash32.Zero], leafHash, root);
        yield return Probe("trailing root", index, size, [.. path, root], leafHash, root);
        yield return Probe("preceding garbage", index, size, [Hash32.Zero, .. path], leafHash, root);
        yield return Probe("preceding root", index, size, [root, .. path], leafHash, root);
        for (var i = 0; i < path.Length; i++)
        {
            var wrong = (Hash32[])path.Clone();
            wrong[i] = FlipBit(wrong[i], 3);
            yield return Probe($"modified proof[{i}] bit 3", index, size, wrong, leafHash, root);
        }
        if (path.Length > 0)
            yield return Probe("removed component", index, size, path[..^1], leafHash, root);
        if (path.Length > 1)
            yield return Probe("inserted component", index, size, [path[0], SomeHash, .. path[1..]], leafHash, root);
    }

    private static IEnumerable<(string, ConsistencyProof, Hash32, Hash32, MerkleProofFailure[])> ConsistencyProbes(
        long size1, long size2, Hash32[] path, Hash32 root1, Hash32 root2)
    {
        (string, ConsistencyProof, Hash32, Hash32, MerkleProofFailure[]) Probe(string name, long s1, long s2, Hash32[] p, Hash32 r1, Hash32 r2) =>
            (name, new ConsistencyProof(s1, s2, p), r1, r2, ExpectedConsistencyFailures(s1, s2, p.Length));

        var wrongRoot = Sha("WrongRoot");
        yield return Probe("size1 - 1", size1 - 1, size2, path, root1, root2);
        yield return Probe("size1 + 1", size1 + 1, size2, path, root1, root2);
        yield return Probe("size1 ^ 2", size1 ^ 2, size2, path, root1, root2);
        yield return Probe("size2 * 2", size1, size2 * 2, path, root1, root2);
        yield return Probe("size2 / 2", size1, size2 / 2, path, root1, root2);
        // When size1 is a power of two the RFC algorithm starts from the given old root (step 2), so a wrong old root
        // shows up in the recomputed new root instead.
        var oldRootFailure = System.Numerics.BitOperations.IsPow2(size1) ? MerkleProofFailure.RootMismatch : MerkleProofFailure.OldRootMismatch;
        yield return ("wrong root1", new ConsistencyProof(size1, size2, path), wrongRoot, root2, [oldRootFailure]);
        yield return ("wrong root2", new ConsistencyProof(size1, size2, path), root1, wrongRoot, [MerkleProofFailure.RootMismatch]);
        yield return ("swapped roots", new ConsistencyProof(size1, size2, path), root2, root1, [oldRootFailure]);
        yield return Probe("empty proof", size1, size2, [], root1, root2);
        yield return Probe("trailing garbage", size1, size2, [.. path, Hash32.Zero], root1, root2);
        yield return Probe("trailing root1", size1, size2, [.. path, root1], root1, root2);
        yield return Probe("trailing root2", size1, size2, [.. path, root2], root1, root2);
        yield return Probe("preceding garbage", size1, size2, [Hash32.Zero, .. path], root1, root2);
        yield return Probe("preceding root1", size1, size2, [root1, .. path], root1, root2);
        yield return Probe("preceding root2", size1, size2, [root2, .. path], root1, root2);
        yield return Probe("preceding proof[0]", size1, size2, [path[0], .. path], root1, root2);
        yield return Probe("truncated proof", size1, size2, path[..^1], root1, root2);
        for (var i = 0; i < path.Length; i++)
        {
            var wrong = (Hash32[])path.Clone();
            wrong[i] = FlipBit(wrong[i], 4);
            yield return Probe($"modified proof[{i}] bit 4", size1, size2, wrong, root1, root2);
        }
    }
}
