using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Protocol.Merkle;
using Xunit;
using static Ledger.Protocol.Tests.Merkle.TestSupport;

namespace Ledger.Protocol.Tests.Merkle;

/// <summary>
/// "Format unchanged": recomputes tests/vectors/merkle/golden.json (generated once by this code, committed
/// deliberately) and compares entry by entry. To regenerate after an intended format change, set
/// LEDGER_MERKLE_GOLDEN_OUT to a file path and run this test; it writes the fresh document there (see the README).
/// </summary>
public class GoldenVectorTests
{
    private static readonly long[] RootSizes = [0, 1, 2, 3, 4, 5, 7, 8, 16, 17, 100, 999, 1000];
    private static readonly (long Index, long Size)[] InclusionCases = [(0, 1), (0, 2), (1, 3), (5, 8), (6, 7), (99, 100), (500, 1000), (999, 1000)];
    private static readonly (long Old, long New)[] ConsistencyCases = [(1, 2), (3, 7), (4, 8), (7, 100), (100, 1000), (999, 1000)];
    private static readonly long[] FrontierSizes = [0, 7, 1000];

    private static Hash32 LeafData(long i) => Sha(i.ToString(CultureInfo.InvariantCulture));

    private static Hash32 SmtKey(int i) => Sha("key-" + i.ToString(CultureInfo.InvariantCulture));

    private static Hash32 SmtValue(int i) => Sha("value-" + i.ToString(CultureInfo.InvariantCulture));

    internal static JsonObject Build()
    {
        var leafHashes = Enumerable.Range(0, 1000).Select(i => MerkleHash.Leaf(LeafData(i))).ToArray();
        var log = new MerkleLog(new InMemoryMerkleNodeStore());
        log.Append(leafHashes);

        var leaves = new JsonArray();
        foreach (var i in new[] { 0, 1, 999 })
            leaves.Add(new JsonObject { ["index"] = i, ["data"] = LeafData(i).ToString(), ["leafHash"] = leafHashes[i].ToString() });
        var roots = new JsonArray();
        foreach (var n in RootSizes)
            roots.Add(new JsonObject { ["size"] = n, ["root"] = MerkleTree.ComputeRoot(leafHashes.AsSpan(0, (int)n)).ToString() });
        var inclusion = new JsonArray();
        foreach (var (i, n) in InclusionCases)
            inclusion.Add(new JsonObject { ["index"] = i, ["size"] = n, ["proof"] = Hex.Encode(MerkleTree.CreateInclusionProof(leafHashes.AsSpan(0, (int)n), i).Encode()) });
        var consistency = new JsonArray();
        foreach (var (m, n) in ConsistencyCases)
            consistency.Add(new JsonObject { ["oldSize"] = m, ["newSize"] = n, ["proof"] = Hex.Encode(MerkleTree.CreateConsistencyProof(leafHashes.AsSpan(0, (int)n), m).Encode()) });
        var frontiers = new JsonArray();
        foreach (var n in FrontierSizes)
        {
            var partial = new MerkleLog(new InMemoryMerkleNodeStore());
            partial.Append(leafHashes.AsSpan(0, (int)n));
            frontiers.Add(new JsonObject { ["size"] = n, ["frontier"] = Hex.Encode(partial.EncodeFrontier()) });
        }

        var tree = new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
        var full = tree.Update(Enumerable.Range(0, 100).Select(i => (SmtKey(i), (Hash32?)SmtValue(i))));
        var odd = tree.Update(Enumerable.Range(0, 50).Select(i => (SmtKey(2 * i), (Hash32?)null)));
        var states = new JsonArray
        {
            new JsonObject { ["name"] = "empty", ["root"] = SparseMerkleTree.EmptyHash.ToString() },
            new JsonObject { ["name"] = "keys 0..99", ["root"] = full.ToString() },
            new JsonObject { ["name"] = "keys 0..99, then even keys deleted", ["root"] = odd.ToString() },
        };
        var proofs = new JsonArray();
        void Proof(string name, string state, Hash32 root, Hash32 key, Hash32? value) =>
            proofs.Add(new JsonObject
            {
                ["name"] = name,
                ["state"] = state,
                ["key"] = key.ToString(),
                ["value"] = value?.ToString(),
                ["proof"] = Hex.Encode(tree.Prove(key, root).Encode()),
            });
        Proof("member key-1", "keys 0..99", full, SmtKey(1), SmtValue(1));
        Proof("member key-42", "keys 0..99", full, SmtKey(42), SmtValue(42));
        Proof("absent key-1000", "keys 0..99", full, SmtKey(1000), null);
        Proof("deleted key-0", "keys 0..99, then even keys deleted", odd, SmtKey(0), null);
        Proof("member key-3 after deletes", "keys 0..99, then even keys deleted", odd, SmtKey(3), SmtValue(3));

        return new JsonObject
        {
            ["description"] = "Golden 'format unchanged' vectors for docs/spec/merkle.md, generated once by GoldenVectorTests.Build; see README.md.",
            ["log"] = new JsonObject
            {
                ["leafRule"] = "leaf i data = SHA-256(ASCII decimal i); leaf hash = SHA-256(0x00 || data); the log holds leaves 0..999",
                ["leaves"] = leaves,
                ["roots"] = roots,
                ["inclusion"] = inclusion,
                ["consistency"] = consistency,
                ["frontiers"] = frontiers,
            },
            ["sparse"] = new JsonObject
            {
                ["keyRule"] = "key i = SHA-256(ASCII 'key-' + decimal i); value i = SHA-256(ASCII 'value-' + decimal i)",
                ["leafHashKey0Value0"] = SparseMerkleTree.LeafHash(SmtKey(0), SmtValue(0)).ToString(),
                ["states"] = states,
                ["proofs"] = proofs,
            },
        };
    }

    [Fact]
    public void GoldenJson_Recomputed_IsUnchanged()
    {
        var built = Build();
        var outPath = Environment.GetEnvironmentVariable("LEDGER_MERKLE_GOLDEN_OUT");
        if (!string.IsNullOrEmpty(outPath))
            File.WriteAllText(outPath, built.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

        var golden = JsonNode.Parse(File.ReadAllText(VectorPath("golden.json")))!;
        foreach (var section in new[] { "log", "sparse" })
        {
            foreach (var (name, value) in built[section]!.AsObject())
            {
                var expected = golden[section]?[name];
                if (value is JsonArray items)
                {
                    var expectedItems = expected!.AsArray();
                    Assert.True(items.Count == expectedItems.Count, $"{section}.{name}: {items.Count} entries, golden has {expectedItems.Count}");
                    for (var i = 0; i < items.Count; i++)
                        Assert.True(JsonNode.DeepEquals(expectedItems[i], items[i]), $"{section}.{name}[{i}] changed: golden {expectedItems[i]?.ToJsonString()}, now {items[i]?.ToJsonString()}");
                }
                else
                {
                    Assert.True(JsonNode.DeepEquals(expected, value), $"{section}.{name} changed: golden {expected?.ToJsonString()}, now {value?.ToJsonString()}");
                }
            }
        }
        Assert.True(JsonNode.DeepEquals(golden, built), "golden.json has entries this code no longer produces");
    }

    [Fact]
    public void GoldenJson_EveryProof_VerifiesFromTheFileAlone()
    {
        var golden = JsonNode.Parse(File.ReadAllText(VectorPath("golden.json")))!;
        var roots = golden["log"]!["roots"]!.AsArray().ToDictionary(r => (long)r!["size"]!, r => H((string)r!["root"]!));
        foreach (var c in golden["log"]!["inclusion"]!.AsArray())
        {
            var index = (long)c!["index"]!;
            var leaf = MerkleHash.Leaf(LeafData(index));
            var result = MerkleTree.VerifyInclusion(Hex.Decode((string)c["proof"]!), leaf, roots[(long)c["size"]!]);
            Assert.True(result.IsValid, $"inclusion {index}/{c["size"]}: {result.Reason}");
        }
        foreach (var c in golden["log"]!["consistency"]!.AsArray())
        {
            var result = MerkleTree.VerifyConsistency(Hex.Decode((string)c!["proof"]!), roots[(long)c["oldSize"]!], roots[(long)c["newSize"]!]);
            Assert.True(result.IsValid, $"consistency {c["oldSize"]}->{c["newSize"]}: {result.Reason}");
        }
        var states = golden["sparse"]!["states"]!.AsArray().ToDictionary(s => (string)s!["name"]!, s => H((string)s!["root"]!));
        foreach (var p in golden["sparse"]!["proofs"]!.AsArray())
        {
            var value = (string?)p!["value"];
            var result = SparseMerkleTree.Verify(states[(string)p["state"]!], H((string)p["key"]!), value is null ? null : H(value), Hex.Decode((string)p["proof"]!));
            Assert.True(result.IsValid, $"{p["name"]}: {result.Reason}");
        }
    }
}
