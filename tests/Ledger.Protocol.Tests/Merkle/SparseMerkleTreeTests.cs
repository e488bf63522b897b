using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Merkle;
using Xunit;
using static Ledger.Protocol.Tests.Merkle.TestSupport;

namespace Ledger.Protocol.Tests.Merkle;

public class SparseMerkleTreeTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(40);

    private static Arbitrary<int> Seeds => Gen.Choose(0, int.MaxValue).ToArbitrary();

    /// <summary>
    /// A small key pool with long shared prefixes: a random base key, copies of it with one bit flipped (anywhere,
    /// including bit 0 and bit 255, so leaves end up as deep as 256), and unrelated random keys.
    /// </summary>
    private static Hash32[] KeyPool(Random rnd)
    {
        var baseKey = new byte[32];
        rnd.NextBytes(baseKey);
        var keys = new HashSet<Hash32> { new(baseKey) };
        foreach (var bit in new[] { 255, 0, rnd.Next(256), rnd.Next(256), rnd.Next(256) })
        {
            var k = (byte[])baseKey.Clone();
            k[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            keys.Add(new Hash32(k));
        }
        for (var i = 0; i < 6; i++)
        {
            var k = new byte[32];
            rnd.NextBytes(k);
            keys.Add(new Hash32(k));
        }
        return [.. keys];
    }

    private static Hash32 RandomHash(Random rnd)
    {
        var b = new byte[32];
        rnd.NextBytes(b);
        return new Hash32(b);
    }

    [Fact]
    public void Update_RandomBatches_RootEqualsNaiveAndGetEqualsModel()
    {
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var rnd = new Random(seed);
            var pool = KeyPool(rnd);
            var model = new Dictionary<Hash32, Hash32>();
            var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
            for (var batch = 0; batch < 6; batch++)
            {
                var updates = new List<(Hash32, Hash32?)>();
                for (var j = rnd.Next(1, 8); j > 0; j--)
                {
                    var key = pool[rnd.Next(pool.Length)];
                    Hash32? value = rnd.Next(4) == 0 ? null : RandomHash(rnd);
                    updates.Add((key, value)); // the last entry for a key wins, in the model too
                    if (value is { } v)
                        model[key] = v;
                    else
                        model.Remove(key);
                }
                var root = tree.Update(updates);
                Assert.Equal(new Hash32(Naive.SparseRoot(model)), root);
                foreach (var key in pool)
                    Assert.Equal(model.TryGetValue(key, out var v) ? v : null, tree.Get(key));
            }
        }));
    }

    /// <summary>Tracks the current tree the way a caching store does: Put adds, Replaced removes, in call order.</summary>
    private sealed class TrackingStore : ISparseMerkleNodeStore
    {
        private readonly InMemorySparseMerkleNodeStore _all = new();

        public HashSet<Hash32> Current { get; } = [];

        public bool TryGet(Hash32 hash, out SparseMerkleNode node) => _all.TryGet(hash, out node);

        public void Put(Hash32 hash, SparseMerkleNode node)
        {
            _all.Put(hash, node);
            Current.Add(hash);
        }

        public void Replaced(Hash32 hash) => Current.Remove(hash);

        public HashSet<Hash32> Reachable(Hash32 root)
        {
            var seen = new HashSet<Hash32>();
            var stack = new Stack<Hash32>();
            if (root != SparseMerkleTree.EmptyHash)
                stack.Push(root);
            while (stack.TryPop(out var h))
            {
                seen.Add(h);
                Assert.True(_all.TryGet(h, out var node));
                if (node.Kind == SparseMerkleNodeKind.Internal)
                {
                    if (node.First != SparseMerkleTree.EmptyHash)
                        stack.Push(node.First);
                    if (node.Second != SparseMerkleTree.EmptyHash)
                        stack.Push(node.Second);
                }
            }
            return seen;
        }
    }

    [Fact]
    public void Update_ReplacedNodes_LeaveExactlyTheNewRootsTree()
    {
        // What was stored minus what was replaced, in call order, is exactly the new root's tree: a store caching the
        // current tree through Put/Replaced neither loses a node of it nor keeps a superseded one. Batches mix inserts,
        // deletes, re-setting the same value (a replaced node stored again) and keys sharing long prefixes.
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var rnd = new Random(seed);
            var pool = KeyPool(rnd);
            var store = new TrackingStore();
            var tree = new SparseMerkleTree(store);
            var model = new Dictionary<Hash32, Hash32>();
            for (var batch = 0; batch < 8; batch++)
            {
                var updates = new List<(Hash32, Hash32?)>();
                for (var j = rnd.Next(1, 8); j > 0; j--)
                {
                    var key = pool[rnd.Next(pool.Length)];
                    Hash32? value = rnd.Next(4) switch
                    {
                        0 => null,
                        1 when model.TryGetValue(key, out var same) => same,
                        _ => RandomHash(rnd),
                    };
                    updates.Add((key, value));
                    if (value is { } v)
                        model[key] = v;
                    else
                        model.Remove(key);
                }
                var root = tree.Update(updates);
                Assert.True(store.Reachable(root).SetEquals(store.Current),
                    $"batch {batch}: {store.Current.Count} tracked nodes, {store.Reachable(root).Count} in the tree");
            }
        }));
    }

    [Fact]
    public void Prove_EveryPoolKey_MembershipAndNonMembershipVerifyAndRoundTrip()
    {
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var rnd = new Random(seed);
            var pool = KeyPool(rnd);
            var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
            var present = pool.Where(_ => rnd.Next(2) == 0).ToDictionary(k => k, _ => RandomHash(rnd));
            var root = tree.Update(present.Select(kv => (kv.Key, (Hash32?)kv.Value)));
            foreach (var key in pool)
            {
                Hash32? value = present.TryGetValue(key, out var v) ? v : null;
                var proof = tree.Prove(key);
                var result = SparseMerkleTree.Verify(root, key, value, proof);
                Assert.True(result.IsValid, result.Reason);
                var encoded = proof.Encode();
                Assert.Equal(proof, SparseMerkleProof.Decode(encoded));
                Assert.True(SparseMerkleTree.Verify(root, key, value, encoded).IsValid);
                Assert.Equal(MerkleProofFailure.MalformedEncoding, SparseMerkleTree.Verify(root, key, value, [.. encoded, 0x00]).Failure);
                Assert.Throws<MerkleFormatException>(() => SparseMerkleProof.Decode(encoded.AsSpan(0, rnd.Next(encoded.Length))));
            }
        }));
    }

    [Fact]
    public void Verify_ProofForOneKeyOrValue_NeverProvesAnotherKeyOrValue()
    {
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var rnd = new Random(seed);
            var pool = KeyPool(rnd);
            var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
            var present = pool.Where(_ => rnd.Next(3) > 0).ToDictionary(k => k, _ => RandomHash(rnd));
            var root = tree.Update(present.Select(kv => (kv.Key, (Hash32?)kv.Value)));
            foreach (var key in pool)
            {
                var proof = tree.Prove(key);
                if (present.TryGetValue(key, out var value))
                {
                    Assert.Equal(MerkleProofFailure.ValueMismatch, SparseMerkleTree.Verify(root, key, RandomHash(rnd), proof).Failure);
                    Assert.Equal(MerkleProofFailure.KeyPresent, SparseMerkleTree.Verify(root, key, null, proof).Failure);
                }
                else
                {
                    Assert.Equal(MerkleProofFailure.KeyAbsent, SparseMerkleTree.Verify(root, key, RandomHash(rnd), proof).Failure);
                }
                foreach (var other in pool.Where(k => k != key))
                {
                    // A membership proof for one key never shows another key's membership, whatever the value.
                    // (A non-membership proof that ends in another key's leaf does prove that key's membership, truthfully.)
                    var actual = present.TryGetValue(other, out var ov) ? ov : (Hash32?)null;
                    if (proof.Leaf?.Key == key)
                        Assert.False(SparseMerkleTree.Verify(root, other, actual ?? RandomHash(rnd), proof).IsValid);
                    Assert.False(SparseMerkleTree.Verify(root, other, RandomHash(rnd), proof).IsValid);
                    if (actual is { } a && SparseMerkleTree.Verify(root, other, a, proof).IsValid)
                        Assert.Equal(other, proof.Leaf?.Key);
                    // Absence of another key may be shown (the paths can coincide), but only when it is really absent.
                    if (SparseMerkleTree.Verify(root, other, null, proof).IsValid)
                        Assert.False(present.ContainsKey(other));
                }
                // A proof never verifies against another tree's root.
                var otherRoot = new SparseMerkleTree(new InMemorySparseMerkleNodeStore()).Update([(key, RandomHash(rnd)), (RandomHash(rnd), RandomHash(rnd))]);
                Assert.Equal(MerkleProofFailure.RootMismatch, SparseMerkleTree.Verify(otherRoot, key, present.TryGetValue(key, out var pv) ? pv : null, proof).Failure);
            }
        }));
    }

    [Fact]
    public void Verify_MutatedProof_Fails()
    {
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var rnd = new Random(seed);
            var pool = KeyPool(rnd);
            var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
            var present = pool.ToDictionary(k => k, _ => RandomHash(rnd));
            var root = tree.Update(present.Select(kv => (kv.Key, (Hash32?)kv.Value)));
            var key = pool[rnd.Next(pool.Length)];
            var proof = tree.Prove(key);
            var siblings = proof.Siblings;
            // Every non-empty sibling and a sample of empty ones (a 256-deep proof has ~250 empty siblings).
            var positions = Enumerable.Range(0, siblings.Length).Where(i => siblings[i] != SparseMerkleTree.EmptyHash || rnd.Next(16) == 0);
            foreach (var i in positions)
            {
                var wrong = (Hash32[])siblings.Clone();
                wrong[i] = FlipBit(wrong[i], rnd.Next(256));
                Assert.Equal(MerkleProofFailure.RootMismatch, SparseMerkleTree.Verify(root, key, present[key], proof with { Siblings = wrong }).Failure);
            }
            Assert.False(SparseMerkleTree.Verify(root, key, present[key], proof with { Siblings = [.. siblings, Hash32.Zero] }).IsValid);
            if (siblings.Length > 0)
                Assert.False(SparseMerkleTree.Verify(root, key, present[key], proof with { Siblings = siblings[..^1] }).IsValid);
            Assert.Equal(MerkleProofFailure.RootMismatch,
                SparseMerkleTree.Verify(root, key, present[key], proof with { Leaf = new SparseMerkleLeaf(key, FlipBit(present[key], 0)) }).Failure);
        }));
    }

    [Fact]
    public void Update_AnyInsertionOrderOrBatching_GivesTheSameRoot()
    {
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var rnd = new Random(seed);
            var entries = KeyPool(rnd).Concat(Enumerable.Range(0, 20).Select(_ => RandomHash(rnd)))
                .Select(k => (Key: k, Value: (Hash32?)RandomHash(rnd))).ToArray();
            var oneBatch = new SparseMerkleTree(new InMemorySparseMerkleNodeStore()).Update(entries);
            var shuffled = entries.OrderBy(_ => rnd.Next()).ToArray();
            var single = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
            foreach (var (k, v) in shuffled)
                single.Set(k, v);
            var chunked = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
            foreach (var chunk in shuffled.Chunk(1 + rnd.Next(7)))
                chunked.Update(chunk);
            Assert.Equal(oneBatch, single.Root);
            Assert.Equal(oneBatch, chunked.Root);
        }));
    }

    [Fact]
    public void Update_DeleteEverything_ReturnsToEmptyRoot_AndAbsentDeleteChangesNothing()
    {
        var rnd = new Random(11);
        var keys = KeyPool(rnd);
        var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
        Assert.Equal(SparseMerkleTree.EmptyHash, tree.Root);
        var full = tree.Update(keys.Select(k => (k, (Hash32?)RandomHash(rnd))));
        Assert.Equal(full, tree.Set(Sha("never inserted"), null));
        foreach (var k in keys.Skip(1))
            tree.Set(k, null);
        Assert.Equal(new Hash32(Naive.SparseRoot(new Dictionary<Hash32, Hash32> { [keys[0]] = tree.Get(keys[0])!.Value })), tree.Root);
        tree.Set(keys[0], null);
        Assert.Equal(SparseMerkleTree.EmptyHash, tree.Root);
        var proof = tree.Prove(keys[0]);
        Assert.Empty(proof.Siblings);
        Assert.True(SparseMerkleTree.Verify(SparseMerkleTree.EmptyHash, keys[0], null, proof).IsValid);
    }

    [Fact]
    public void GetAndProve_OlderRoot_StillAnswerForThatRoot()
    {
        var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
        var key = Sha("item");
        var v1 = Sha("record 1");
        var v2 = Sha("record 2");
        var root1 = tree.Set(key, v1);
        var root2 = tree.Update([(key, v2), (Sha("other"), Sha("x"))]);
        Assert.Equal(v1, tree.Get(key, root1));
        Assert.Equal(v2, tree.Get(key));
        Assert.True(SparseMerkleTree.Verify(root1, key, v1, tree.Prove(key, root1)).IsValid);
        Assert.True(SparseMerkleTree.Verify(root2, key, v2, tree.Prove(key, root2)).IsValid);
        var reopened = new SparseMerkleTree(new InMemorySparseMerkleNodeStore(), root2);
        Assert.Throws<InvalidOperationException>(() => reopened.Get(key));
    }

    [Fact]
    public void Prove_KeysDifferingOnlyInTheLastBit_Has256SiblingsAndVerifies()
    {
        var a = new byte[32];
        var b = new byte[32];
        b[31] = 1;
        var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
        var root = tree.Update([(new Hash32(a), Sha("a")), (new Hash32(b), Sha("b"))]);
        var proof = tree.Prove(new Hash32(b));
        Assert.Equal(256, proof.Siblings.Length);
        var encoded = proof.Encode();
        Assert.Equal(2 + 64 + 2 + 32 + 32, encoded.Length); // one non-empty sibling
        Assert.True(SparseMerkleTree.Verify(root, new Hash32(b), Sha("b"), encoded).IsValid);
        Assert.Equal(new Hash32(Naive.SparseRoot(new Dictionary<Hash32, Hash32> { [new Hash32(a)] = Sha("a"), [new Hash32(b)] = Sha("b") })), root);
    }

    [Fact]
    public void SparseMerkleProofDecode_NonCanonicalOrMalformed_Throws()
    {
        var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
        tree.Update([(Sha("a"), Sha("1")), (Sha("b"), Sha("2")), (Sha("c"), Sha("3"))]);
        var encoded = tree.Prove(Sha("a")).Encode();
        Assert.Equal("sparse merkle proof tag", Assert.Throws<MerkleFormatException>(() => SparseMerkleProof.Decode([0x01, .. encoded[1..]])).Field);
        Assert.Equal("sparse merkle proof terminal", Assert.Throws<MerkleFormatException>(() => SparseMerkleProof.Decode([0x03, 0x02, .. encoded[2..]])).Field);
        var tooDeep = new byte[] { 0x03, 0x00, 0x01, 0x01 }; // depth 257
        Assert.Equal("sparse merkle proof depth", Assert.Throws<MerkleFormatException>(() => SparseMerkleProof.Decode(tooDeep)).Field);
        var padding = new byte[] { 0x03, 0x00, 0x00, 0x01, 0x40 }; // depth 1, padding bit set
        Assert.Equal("sparse merkle proof bitmap", Assert.Throws<MerkleFormatException>(() => SparseMerkleProof.Decode(padding)).Field);
        var zeroSibling = new byte[5 + 32];
        zeroSibling[0] = 0x03;
        zeroSibling[3] = 0x01;
        zeroSibling[4] = 0x80; // depth 1, sibling present but all zero
        Assert.Equal("sparse merkle proof sibling", Assert.Throws<MerkleFormatException>(() => SparseMerkleProof.Decode(zeroSibling)).Field);
        Assert.False(SparseMerkleProof.TryDecode([.. encoded, 0xFF], out _));
    }

    [Fact]
    public void SparseMerkleNode_EncodeDecode_RoundTripsAndRejectsBadKind()
    {
        var leaf = SparseMerkleNode.Leaf(Sha("k"), Sha("v"));
        var node = SparseMerkleNode.Internal(Sha("l"), Sha("r"));
        Assert.Equal(leaf, SparseMerkleNode.Decode(leaf.Encode()));
        Assert.Equal(node, SparseMerkleNode.Decode(node.Encode()));
        Assert.Equal(SparseMerkleTree.LeafHash(Sha("k"), Sha("v")), leaf.Hash());
        Assert.Equal(new Hash32(Naive.Sha256([0x03], Sha("l").ToArray(), Sha("r").ToArray())), node.Hash());
        var bad = leaf.Encode();
        bad[0] = 3;
        Assert.Throws<MerkleFormatException>(() => SparseMerkleNode.Decode(bad));
        Assert.Throws<MerkleFormatException>(() => SparseMerkleNode.Decode(bad.AsSpan(1)));
    }
}
