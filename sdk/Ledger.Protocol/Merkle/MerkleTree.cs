using System.Buffers;
using System.Numerics;

namespace Ledger.Protocol.Merkle;

/// <summary>
/// RFC 9162 §2.1 Merkle tree over a list of leaf hashes: root (MTH), inclusion proofs (§2.1.3) and consistency
/// proofs (§2.1.4), generation and verification. Verification follows the RFC's algorithms step by step
/// (§2.1.3.2, §2.1.4.2) and never throws for a bad proof. Specified in docs/spec/merkle.md §2-§3.
/// </summary>
public static class MerkleTree
{
    /// <summary>
    /// The tree head MTH(D[n]) of the given leaf hashes (already hashed with <see cref="MerkleHash.Leaf(ReadOnlySpan{byte})"/>).
    /// Iterative and in place over a pooled buffer: each level pairs neighbours and carries an odd last node up
    /// unchanged, which yields the RFC's split at the largest power of two below n.
    /// </summary>
    public static Hash32 ComputeRoot(ReadOnlySpan<Hash32> leafHashes)
    {
        var n = leafHashes.Length;
        if (n == 0)
            return MerkleHash.EmptyRoot;
        if (n == 1)
            return leafHashes[0];
        var buffer = ArrayPool<Hash32>.Shared.Rent(n / 2 + 1);
        try
        {
            // First level reads from the input, later levels work in place.
            var half = n / 2;
            for (var i = 0; i < half; i++)
                buffer[i] = MerkleHash.Node(leafHashes[2 * i], leafHashes[2 * i + 1]);
            if ((n & 1) == 1)
                buffer[half] = leafHashes[n - 1];
            n = (n + 1) / 2;
            while (n > 1)
            {
                half = n / 2;
                for (var i = 0; i < half; i++)
                    buffer[i] = MerkleHash.Node(buffer[2 * i], buffer[2 * i + 1]);
                if ((n & 1) == 1)
                    buffer[half] = buffer[n - 1];
                n = (n + 1) / 2;
            }
            return buffer[0];
        }
        finally
        {
            ArrayPool<Hash32>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The inclusion proof (RFC 9162 §2.1.3.1, PATH) for leaf <paramref name="leafIndex"/> in the tree made of all of
    /// <paramref name="leafHashes"/>. Slice the span to prove against an earlier tree size.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not in [0, leafHashes.Length).</exception>
    public static InclusionProof CreateInclusionProof(ReadOnlySpan<Hash32> leafHashes, long leafIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, leafHashes.Length);
        var path = new List<Hash32>();
        long start = 0, n = leafHashes.Length, m = leafIndex;
        while (n > 1)
        {
            var k = LargestPowerOfTwoBelow(n);
            if (m < k)
            {
                path.Add(ComputeRoot(leafHashes.Slice((int)(start + k), (int)(n - k))));
                n = k;
            }
            else
            {
                path.Add(ComputeRoot(leafHashes.Slice((int)start, (int)k)));
                start += k;
                m -= k;
                n -= k;
            }
        }
        path.Reverse();
        return new InclusionProof(leafIndex, leafHashes.Length, [.. path]);
    }

    /// <summary>
    /// The consistency proof (RFC 9162 §2.1.4.1, PROOF/SUBPROOF) from the first <paramref name="oldSize"/> leaves to
    /// all of <paramref name="leafHashes"/>. The path is empty when oldSize is 0 or equals the new size.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">oldSize is negative or larger than leafHashes.Length.</exception>
    public static ConsistencyProof CreateConsistencyProof(ReadOnlySpan<Hash32> leafHashes, long oldSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, leafHashes.Length);
        var newSize = leafHashes.Length;
        if (oldSize == 0 || oldSize == newSize)
            return new ConsistencyProof(oldSize, newSize, []);
        var path = new List<Hash32>();
        long start = 0, n = newSize, m = oldSize;
        var complete = true; // the RFC's b flag
        while (m != n)
        {
            var k = LargestPowerOfTwoBelow(n);
            if (m <= k)
            {
                path.Add(ComputeRoot(leafHashes.Slice((int)(start + k), (int)(n - k))));
                n = k;
            }
            else
            {
                path.Add(ComputeRoot(leafHashes.Slice((int)start, (int)k)));
                start += k;
                m -= k;
                n -= k;
                complete = false;
            }
        }
        if (!complete)
            path.Add(ComputeRoot(leafHashes.Slice((int)start, (int)m)));
        path.Reverse();
        return new ConsistencyProof(oldSize, newSize, [.. path]);
    }

    /// <summary>
    /// Verifies an inclusion proof for <paramref name="leafHash"/> against the trusted <paramref name="root"/>
    /// exactly as RFC 9162 §2.1.3.2 describes.
    /// </summary>
    public static MerkleProofResult VerifyInclusion(InclusionProof proof, Hash32 leafHash, Hash32 root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        // Step 1.
        if (proof.LeafIndex < 0 || proof.TreeSize < 0 || proof.LeafIndex >= proof.TreeSize)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.IndexOutOfRange,
                $"inclusion proof: leaf index {proof.LeafIndex} is not in [0, {proof.TreeSize})", expected: root);
        }
        // Steps 2-3.
        var fn = (ulong)proof.LeafIndex;
        var sn = (ulong)proof.TreeSize - 1;
        var r = leafHash;
        // Step 4.
        foreach (var p in proof.Path)
        {
            if (sn == 0)
                return TooLong("inclusion", proof.Path.Length, root);
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        // Step 5.
        if (sn != 0)
            return TooShort("inclusion", proof.Path.Length, root);
        if (r != root)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.RootMismatch,
                $"inclusion proof: computed root {r} for leaf {proof.LeafIndex} of {proof.TreeSize}, expected {root}", root, r);
        }
        return MerkleProofResult.Valid(root);
    }

    /// <summary>Decodes <paramref name="encodedProof"/> and verifies it; a malformed encoding is <see cref="MerkleProofFailure.MalformedEncoding"/>.</summary>
    public static MerkleProofResult VerifyInclusion(ReadOnlySpan<byte> encodedProof, Hash32 leafHash, Hash32 root)
    {
        InclusionProof proof;
        try
        {
            proof = InclusionProof.Decode(encodedProof);
        }
        catch (MerkleFormatException e)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.MalformedEncoding, e.Message, expected: root);
        }
        return VerifyInclusion(proof, leafHash, root);
    }

    /// <summary>
    /// Verifies that the tree with head <paramref name="oldRoot"/> is a prefix of the tree with head
    /// <paramref name="newRoot"/>, exactly as RFC 9162 §2.1.4.2 describes for 0 &lt; old &lt; new. The cases the RFC
    /// leaves out are decided as follows: old = new needs an empty path and equal roots; old = 0 needs an empty path
    /// and <paramref name="oldRoot"/> equal to <see cref="MerkleHash.EmptyRoot"/>; old &gt; new is
    /// <see cref="MerkleProofFailure.InvalidTreeSize"/>.
    /// </summary>
    public static MerkleProofResult VerifyConsistency(ConsistencyProof proof, Hash32 oldRoot, Hash32 newRoot)
    {
        ArgumentNullException.ThrowIfNull(proof);
        long first = proof.OldSize, second = proof.NewSize;
        var path = proof.Path;
        if (first < 0 || second < 0 || first > second)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.InvalidTreeSize,
                $"consistency proof: old size {first} and new size {second} must satisfy 0 <= old <= new", expected: newRoot);
        }
        if (first == second || first == 0)
        {
            if (path.Length != 0)
            {
                return MerkleProofResult.Fail(MerkleProofFailure.WrongPathLength,
                    $"consistency proof: from size {first} to {second} the path must be empty; got {path.Length} hashes", expected: newRoot);
            }
            if (first == 0)
            {
                return oldRoot == MerkleHash.EmptyRoot
                    ? MerkleProofResult.Valid(newRoot)
                    : MerkleProofResult.Fail(MerkleProofFailure.OldRootMismatch,
                        $"consistency proof: the old tree is empty, so its root must be {MerkleHash.EmptyRoot}; got {oldRoot}", MerkleHash.EmptyRoot, oldRoot);
            }
            return oldRoot == newRoot
                ? MerkleProofResult.Valid(newRoot)
                : MerkleProofResult.Fail(MerkleProofFailure.RootMismatch,
                    $"consistency proof: equal sizes {first} need equal roots; old {oldRoot}, new {newRoot}", newRoot, oldRoot);
        }
        // Step 1.
        if (path.Length == 0)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.WrongPathLength,
                $"consistency proof: the path from size {first} to {second} must not be empty", expected: newRoot);
        }
        // Step 2: prepend first_hash when first is a power of two (done by index instead of copying).
        var prepend = BitOperations.IsPow2((ulong)first);
        var total = path.Length + (prepend ? 1 : 0);
        Hash32 At(int i) => prepend ? (i == 0 ? oldRoot : path[i - 1]) : path[i];
        // Steps 3-4.
        var fn = (ulong)first - 1;
        var sn = (ulong)second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        // Step 5.
        var fr = At(0);
        var sr = fr;
        // Step 6.
        for (var i = 1; i < total; i++)
        {
            var c = At(i);
            if (sn == 0)
                return TooLong("consistency", path.Length, newRoot);
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        // Step 7.
        if (sn != 0)
            return TooShort("consistency", path.Length, newRoot);
        if (fr != oldRoot)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.OldRootMismatch,
                $"consistency proof: computed old root {fr} for size {first}, expected {oldRoot}", oldRoot, fr);
        }
        if (sr != newRoot)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.RootMismatch,
                $"consistency proof: computed new root {sr} for size {second}, expected {newRoot}", newRoot, sr);
        }
        return MerkleProofResult.Valid(newRoot);
    }

    /// <summary>Decodes <paramref name="encodedProof"/> and verifies it; a malformed encoding is <see cref="MerkleProofFailure.MalformedEncoding"/>.</summary>
    public static MerkleProofResult VerifyConsistency(ReadOnlySpan<byte> encodedProof, Hash32 oldRoot, Hash32 newRoot)
    {
        ConsistencyProof proof;
        try
        {
            proof = ConsistencyProof.Decode(encodedProof);
        }
        catch (MerkleFormatException e)
        {
            return MerkleProofResult.Fail(MerkleProofFailure.MalformedEncoding, e.Message, expected: newRoot);
        }
        return VerifyConsistency(proof, oldRoot, newRoot);
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n &gt;= 2): the RFC's split point k.</summary>
    internal static long LargestPowerOfTwoBelow(long n) => (long)BitOperations.RoundUpToPowerOf2((ulong)n) >> 1;

    private static MerkleProofResult TooLong(string kind, int length, Hash32 root) =>
        MerkleProofResult.Fail(MerkleProofFailure.WrongPathLength, $"{kind} proof: the path has too many hashes ({length})", expected: root);

    private static MerkleProofResult TooShort(string kind, int length, Hash32 root) =>
        MerkleProofResult.Fail(MerkleProofFailure.WrongPathLength, $"{kind} proof: the path has too few hashes ({length})", expected: root);
}
