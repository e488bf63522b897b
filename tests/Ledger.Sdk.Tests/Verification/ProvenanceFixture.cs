using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Node.Tests;
using Ledger.Node.Tests.Network;
using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>
/// A real provenance answer from a real node, fetched once: the maker commissions two packs, packs them in a case at its
/// dock and ships the case to the wholesaler, who receives and unpacks it and ships one pack on to the pharmacy; the
/// pharmacy receives it, the wholesaler scans it after it left (a scan-by-non-custodian alert), the pharmacy dispenses it.
/// Saved as files (answer, consortium) for the CLI, with a second node's header and an answer about another item.
/// </summary>
public sealed class ProvenanceFixture : IAsyncLifetime
{
    public const string Gtin = "00300010123455";
    private const string Line = "0300011111116", Dock = "0300011111215", WholesalerGln = "0399993456780", PharmacyGln = "0398880000013";

    private readonly TempFolder _folder = new();
    private TestConsortium? _consortium;
    private ulong _nonce;
    private long _time = DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeMilliseconds();

    public ItemId Item { get; } = ItemId.Sgtin(Gtin, "VA" + Guid.NewGuid().ToString("N")[..8]);
    public ItemId Sibling { get; private set; } = null!;
    public ItemId Case { get; private set; } = null!;

    /// <summary>The answer about <see cref="Item"/> exactly as the node sent it.</summary>
    public string AnswerJson { get; private set; } = "";

    /// <summary>An item of lot LOTR, which the maker recalled: its answer carries the lot's Recall record.</summary>
    public ItemId RecalledItem { get; } = ItemId.Sgtin(Gtin, "VR" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The answer about <see cref="RecalledItem"/>.</summary>
    public string RecalledAnswerJson { get; private set; } = "";

    /// <summary>The answer about <see cref="Sibling"/> (same header).</summary>
    public string SiblingAnswerJson { get; private set; } = "";

    /// <summary>The consortium file from the node's data folder.</summary>
    public string ConsortiumJson { get; private set; } = "";
    public ConsortiumDefinition Consortium { get; private set; } = null!;

    /// <summary>The head header JSON of a second, unrelated node (another lane, another consortium).</summary>
    public string OtherLaneHeaderJson { get; private set; } = "";

    /// <summary>An earlier header of the lane (the anchor's size and root) and the consistency proof to the answer's header.</summary>
    public long AnchorSize { get; private set; }
    public Hash32 AnchorRoot { get; private set; }
    public string AnchorProofHex { get; private set; } = "";

    public string AnswerPath => Path.Combine(_folder.Path, "answer.json");
    public string ConsortiumPath => Path.Combine(_folder.Path, "consortium.json");
    public string Folder => _folder.Path;

    public async Task InitializeAsync()
    {
        Sibling = ItemId.Sgtin(Gtin, Item.Serial + "B");
        var ref17 = "0030001" + Guid.NewGuid().ToString("N").Select(c => (char)('0' + c % 10)).Take(10).Aggregate("", (s, c) => s + c);
        Case = ItemId.Sscc(ref17 + CheckDigit.Compute(ref17));
        _consortium = await TestConsortium.CreateAsync();
        await using var node = await _consortium.StartNodeAsync();
        var maker = _consortium.Maker;
        var wholesaler = _consortium.Wholesaler;
        var pharmacy = _consortium.Pharmacy;

        var commission = await SubmitAsync(node, maker, new CommissionPayload(Gtin, "LOTV1", "301231", Line, [Item.Serial, Sibling.Serial]), []);
        var pack = await SubmitAsync(node, maker, new PackPayload(Case, [Item, Sibling], Dock), [commission]);
        var ship = await SubmitAsync(node, maker, new ShipPayload([Case], Dock, wholesaler.Address, WholesalerGln), [pack]);
        var receive = await SubmitAsync(node, wholesaler, new ReceivePayload(ship, [Case], WholesalerGln), [ship]);
        var unpack = await SubmitAsync(node, wholesaler, new UnpackPayload(Case, [], WholesalerGln), [receive]);
        var ship2 = await SubmitAsync(node, wholesaler, new ShipPayload([Item], WholesalerGln, pharmacy.Address, PharmacyGln), [unpack]);
        var receive2 = await SubmitAsync(node, pharmacy, new ReceivePayload(ship2, [Item], PharmacyGln), [ship2]);
        var scan = await SubmitAsync(node, wholesaler, new VerifyPayload(Item, "LOTV1", "301231", "dscsaSaleableReturn", WholesalerGln, null), [receive2]);
        await SubmitAsync(node, pharmacy, new DecommissionPayload([Item], DecommissionState.Supplied, PharmacyGln), [scan]);
        await SubmitAsync(node, maker, new CommissionPayload(Gtin, "LOTR", "301231", Line, [RecalledItem.Serial]), []);
        await SubmitAsync(node, maker, new RecallPayload(Gtin, "LOTR", null, "contamination"), []);

        using var regulator = TestConsortium.ClientFor(node, _consortium.Regulator);
        AnswerJson = await GetStringAsync(regulator, ProvenancePath(Item));
        SiblingAnswerJson = await GetStringAsync(regulator, ProvenancePath(Sibling));
        RecalledAnswerJson = await GetStringAsync(regulator, ProvenancePath(RecalledItem));
        var header = JsonNode.Parse(AnswerJson)!["header"]!;
        using (var early = JsonDocument.Parse(await GetStringAsync(regulator, "/v1/headers/2")))
        {
            AnchorSize = early.RootElement.GetProperty("logSize").GetInt64();
            AnchorRoot = Hash32.Parse(early.RootElement.GetProperty("logRoot").GetString()!);
        }
        using (var proof = JsonDocument.Parse(await GetStringAsync(regulator, $"/v1/proofs/consistency?from={AnchorSize}&to={(long)header["logSize"]!}")))
            AnchorProofHex = proof.RootElement.GetProperty("proof").GetString()!;
        ConsortiumJson = await File.ReadAllTextAsync(Path.Combine(_consortium.DataDirectory, ConsortiumFile.FileName));
        Consortium = ConsortiumFile.Parse(ConsortiumJson);
        await File.WriteAllTextAsync(AnswerPath, AnswerJson);
        await File.WriteAllTextAsync(ConsortiumPath, ConsortiumJson);

        using var other = await TestConsortium.CreateAsync();
        await using var otherNode = await other.StartNodeAsync();
        _nonce = 100;
        await SubmitAsync(otherNode, other.Maker, new CommissionPayload(Gtin, "LOTV2", "301231", Line, ["OTHER" + Item.Serial]), []);
        using var otherClient = TestConsortium.ClientFor(otherNode, other.Regulator);
        OtherLaneHeaderJson = await GetStringAsync(otherClient, "/v1/head");
    }

    public Task DisposeAsync()
    {
        _consortium?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>An anchor member for the answer: the lane's root at an earlier size and the proof to the header.</summary>
    public JsonObject AnchorJson(JsonNode answer) => new()
    {
        ["lane"] = (string)answer["header"]!["lane"]!,
        ["size"] = AnchorSize,
        ["root"] = AnchorRoot.ToString(),
        ["consistencyProof"] = AnchorProofHex,
        ["unverified"] = new JsonObject
        {
            ["chainId"] = 31337,
            ["contract"] = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            ["txHash"] = new Hash32(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()).ToString(),
            ["blockNumber"] = 7,
            ["blockHash"] = new Hash32(new byte[32].Select((_, i) => (byte)(200 - i)).ToArray()).ToString(),
        },
    };

    private static string ProvenancePath(ItemId item) => "/v1/provenance?id=" + Uri.EscapeDataString($"(01){item.Key}(21){item.Serial}");

    private async Task<Hash32> SubmitAsync(NodeProcess node, TestParty party, RecordPayload payload, IReadOnlyList<Hash32> deps)
    {
        _time += 1000;
        var record = new LedgerRecord(party.Address, ++_nonce, _time, payload, deps);
        using var client = TestConsortium.ClientFor(node, party);
        using var body = new ByteArrayContent(SignedBatch.Sign([record], party.Key).Encode());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.ledger.batch");
        using var response = await client.PostAsync("/v1/batches", body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{payload.Kind} by {party.Name} answered {(int)response.StatusCode}: {text}");
        return record.Id;
    }

    private static async Task<string> GetStringAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? text : throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {text}");
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ledger-verifier-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>One real node flow shared by every verifier test class.</summary>
[CollectionDefinition(Name)]
public sealed class ProvenanceFixtureGroup : ICollectionFixture<ProvenanceFixture>
{
    public const string Name = "provenance-verifier";
}
