using System.Security.Cryptography;
using System.Text;
using Ledger.Protocol.Merkle;

namespace Ledger.Protocol.Tests.Merkle;

internal static class TestSupport
{
    public static string VectorPath(string file) => Path.Combine(AppContext.BaseDirectory, "vectors", "merkle", file);

    public static Hash32 H(string hex) => Hash32.Parse(hex);

    public static Hash32 Sha(string text) => new(SHA256.HashData(Encoding.ASCII.GetBytes(text)));

    /// <summary>Distinct leaf data for a tree: SHA-256 of "seed/index", 32 bytes like a record id.</summary>
    public static byte[][] LeafData(int count, int seed) =>
        Enumerable.Range(0, count).Select(i => SHA256.HashData(Encoding.ASCII.GetBytes($"{seed}/{i}"))).ToArray();

    public static Hash32[] LeafHashes(byte[][] data) => data.Select(d => MerkleHash.Leaf(d)).ToArray();

    public static Hash32[] ToHashes(IEnumerable<byte[]> items) => items.Select(b => new Hash32(b)).ToArray();

    public static Hash32 FlipBit(Hash32 h, int bit)
    {
        var b = h.ToArray();
        b[bit / 8] ^= (byte)(1 << (bit % 8));
        return new Hash32(b);
    }

    /// <summary>How many path hashes RFC 9162 PATH(index, D[size]) has (from the naive oracle).</summary>
    public static int InclusionPathLength(long index, long size) =>
        Naive.Path((int)index, Enumerable.Range(0, (int)size).Select(_ => Array.Empty<byte>()).ToList()).Count;

    /// <summary>How many hashes RFC 9162 PROOF(old, D[new]) has, for 0 &lt; old &lt; new (from the naive oracle).</summary>
    public static int ConsistencyPathLength(long oldSize, long newSize) =>
        Naive.Proof((int)oldSize, Enumerable.Range(0, (int)newSize).Select(_ => Array.Empty<byte>()).ToList()).Count;

    /// <summary>The failure an inclusion proof with these parameters must get when its hashes do not match.</summary>
    public static MerkleProofFailure ExpectedInclusionFailure(long index, long size, int pathLength)
    {
        if (index < 0 || size < 0 || index >= size)
            return MerkleProofFailure.IndexOutOfRange;
        return InclusionPathLength(index, size) != pathLength ? MerkleProofFailure.WrongPathLength : MerkleProofFailure.RootMismatch;
    }

    /// <summary>The failures a consistency proof with these parameters may get when its hashes do not match.</summary>
    public static MerkleProofFailure[] ExpectedConsistencyFailures(long oldSize, long newSize, int pathLength)
    {
        if (oldSize < 0 || newSize < 0 || oldSize > newSize)
            return [MerkleProofFailure.InvalidTreeSize];
        if (oldSize == 0 || oldSize == newSize)
        {
            return pathLength != 0
                ? [MerkleProofFailure.WrongPathLength]
                : [oldSize == 0 ? MerkleProofFailure.OldRootMismatch : MerkleProofFailure.RootMismatch];
        }
        return ConsistencyPathLength(oldSize, newSize) != pathLength
            ? [MerkleProofFailure.WrongPathLength]
            : [MerkleProofFailure.OldRootMismatch, MerkleProofFailure.RootMismatch];
    }
}
