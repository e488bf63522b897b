using Ledger.Protocol.Crypto;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Records;
using Ledger.Protocol.Tests.Blocks;
using Xunit;

namespace Ledger.Protocol.Tests.Records;

/// <summary>
/// Golden "format unchanged" test: the v1 encodings, ids, hashes and signatures of fixed inputs must stay byte for
/// byte what tests/vectors/records/v1.json says. To regenerate after a deliberate format change (which needs a
/// new version, docs/spec/records.md): run with LEDGER_WRITE_GOLDEN=&lt;path of tests/vectors/records/v1.json&gt;.
/// </summary>
public class FormatUnchangedTests
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "vectors", "records", "v1.json");

    internal static JsonObject Compute()
    {
        var records = new JsonArray();
        foreach (var r in RecordSamples.OneOfEachKind())
        {
            records.Add(new JsonObject
            {
                ["kind"] = r.Kind.ToString(),
                ["encoding"] = Hex.Encode(r.Encoded),
                ["id"] = r.Id.ToString(),
            });
        }
        var block = BlockTests.SampleBlock(RecordSamples.Node, out _);
        var batches = new JsonArray();
        foreach (var b in block.Batches)
        {
            batches.Add(new JsonObject
            {
                ["author"] = b.Header.Author.ToString(),
                ["headerEncoding"] = Hex.Encode(Ledger.Protocol.Rlp.Rlp.Encode(b.Header.ToRlp())),
                ["batchHash"] = b.Header.Hash().ToString(),
                ["signature"] = Hex.Encode(b.Signature.ToBytes()),
                ["seal0"] = Hex.Encode(Ledger.Protocol.Rlp.Rlp.Encode(b.SealFor(b.Records.Count - 1).ToRlp())),
            });
        }
        var header = block.SignedHeader;
        var cosign = Cosignature.Create(header.Header, RecordSamples.Key("ledger-test/node-2"));
        return new JsonObject
        {
            ["format"] = "ledger records/blocks v1 (docs/spec/records.md)",
            ["keys"] = new JsonObject
            {
                ["note"] = "private key = SHA-256(ASCII label)",
                ["ledger-test/manufacturer"] = RecordSamples.Manufacturer.Address.ToString(),
                ["ledger-test/wholesaler"] = RecordSamples.Wholesaler.Address.ToString(),
                ["ledger-test/node-1"] = RecordSamples.Node.Address.ToString(),
            },
            ["itemStateKey"] = new JsonObject
            {
                ["item"] = RecordSamples.Pack("1001").ToString(),
                ["encoding"] = Hex.Encode(RecordSamples.Pack("1001").Encode()),
                ["stateKey"] = RecordSamples.Pack("1001").StateKey().ToString(),
            },
            ["records"] = records,
            ["batches"] = batches,
            ["block"] = new JsonObject
            {
                ["headerEncoding"] = Hex.Encode(header.Header.Encode()),
                ["headerHash"] = header.Hash().ToString(),
                ["headerSignature"] = Hex.Encode(header.Signature.ToBytes()),
                ["blockEncodingSha256"] = Sha256.Hash(block.Encode()).ToString(),
                ["cosignStatement"] = Cosignature.Statement(header.Header.Lane, header.Header.Height, header.Hash()).ToString(),
                ["cosignatureByNode2"] = Hex.Encode(cosign.Signature.ToBytes()),
            },
        };
    }

    [Fact]
    public void V1Vectors_AreReproducedByteForByte()
    {
        var computed = Compute();
        var target = Environment.GetEnvironmentVariable("LEDGER_WRITE_GOLDEN");
        if (!string.IsNullOrEmpty(target))
            File.WriteAllText(target, computed.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        var golden = JsonNode.Parse(File.ReadAllText(GoldenPath))!;
        Assert.True(JsonNode.DeepEquals(golden, computed),
            $"v1 encoding changed. Expected (golden):\n{golden}\nComputed:\n{computed}");
    }

    [Fact]
    public void V1Vectors_DecodeAndVerifyIndependentlyOfTheSamples()
    {
        // Reads the committed bytes only: every record decodes to its id, every batch signature recovers its author.
        var golden = JsonNode.Parse(File.ReadAllText(GoldenPath))!;
        foreach (var r in golden["records"]!.AsArray())
        {
            var record = LedgerRecord.Decode(Hex.Decode(r!["encoding"]!.GetValue<string>()));
            Assert.Equal(r["id"]!.GetValue<string>(), record.Id.ToString());
            Assert.Equal(r["kind"]!.GetValue<string>(), record.Kind.ToString());
        }
        var headerBytes = Hex.Decode(golden["block"]!["headerEncoding"]!.GetValue<string>());
        var header = BlockHeader.Decode(headerBytes);
        Assert.Equal(golden["block"]!["headerHash"]!.GetValue<string>(), header.Hash().ToString());
        var signed = new SignedHeader(header, Signature.FromBytes(Hex.Decode(golden["block"]!["headerSignature"]!.GetValue<string>())));
        Assert.True(signed.Verify().IsValid);
    }
}
