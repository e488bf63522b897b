using System.Security.Cryptography;

namespace Ledger.Protocol.Tests.Merkle;

/// <summary>
/// The test oracle: RFC 9162 §2.1 written as literally as possible (recursive MTH, PATH, PROOF/SUBPROOF over the
/// data entries, byte-array concatenation), and the sparse Merkle tree root computed from its definition. Shares
/// no code with the implementation under test.
/// </summary>
internal static class Naive
{
    public static byte[] Sha256(params byte[][] parts) => SHA256.HashData(parts.SelectMany(p => p).ToArray());

    public static byte[] LeafHash(byte[] data) => Sha256([0x00], data);

    /// <summary>MTH(D[n]).</summary>
    public static byte[] Mth(IReadOnlyList<byte[]> d)
    {
        var n = d.Count;
        if (n == 0)
            return Sha256();
        if (n == 1)
            return LeafHash(d[0]);
        var k = K(n);
        return Sha256([0x01], Mth(Slice(d, 0, k)), Mth(Slice(d, k, n)));
    }

    /// <summary>PATH(m, D[n]).</summary>
    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> d)
    {
        var n = d.Count;
        if (n == 1)
            return [];
        var k = K(n);
        if (m < k)
        {
            var p = Path(m, Slice(d, 0, k));
            p.Add(Mth(Slice(d, k, n)));
            return p;
        }
        var q = Path(m - k, Slice(d, k, n));
        q.Add(Mth(Slice(d, 0, k)));
        return q;
    }

    /// <summary>For each element of PATH(m, D[n]), leaf first: true when that sibling is on the left.</summary>
    public static List<bool> PathSides(int m, int n)
    {
        if (n == 1)
            return [];
        var k = K(n);
        if (m < k)
        {
            var p = PathSides(m, k);
            p.Add(false);
            return p;
        }
        var q = PathSides(m - k, n - k);
        q.Add(true);
        return q;
    }

    /// <summary>PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 &lt; m &lt; n.</summary>
    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d) => SubProof(m, d, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, bool b)
    {
        var n = d.Count;
        if (m == n)
            return b ? [] : [Mth(d)];
        var k = K(n);
        if (m <= k)
        {
            var p = SubProof(m, Slice(d, 0, k), b);
            p.Add(Mth(Slice(d, k, n)));
            return p;
        }
        var q = SubProof(m - k, Slice(d, k, n), false);
        q.Add(Mth(Slice(d, 0, k)));
        return q;
    }

    /// <summary>The largest power of two smaller than n.</summary>
    private static int K(int n)
    {
        var k = 1;
        while (k * 2 < n)
            k *= 2;
        return k;
    }

    private static List<byte[]> Slice(IReadOnlyList<byte[]> d, int from, int to) => d.Skip(from).Take(to - from).ToList();

    /// <summary>Sparse Merkle tree root from the definition: empty → 32 zero bytes; one leaf → SHA-256(0x02||k||v); else SHA-256(0x03||L||R).</summary>
    public static byte[] SparseRoot(IReadOnlyDictionary<Hash32, Hash32> map) =>
        SparseRoot(map.Select(kv => (kv.Key.ToArray(), kv.Value.ToArray())).ToList(), 0);

    private static byte[] SparseRoot(List<(byte[] Key, byte[] Value)> entries, int depth)
    {
        if (entries.Count == 0)
            return new byte[32];
        if (entries.Count == 1)
            return Sha256([0x02], entries[0].Key, entries[0].Value);
        var left = entries.Where(e => KeyBit(e.Key, depth) == 0).ToList();
        var right = entries.Where(e => KeyBit(e.Key, depth) == 1).ToList();
        return Sha256([0x03], SparseRoot(left, depth + 1), SparseRoot(right, depth + 1));
    }

    private static int KeyBit(byte[] key, int i) => (key[i / 8] >> (7 - i % 8)) & 1;
}
