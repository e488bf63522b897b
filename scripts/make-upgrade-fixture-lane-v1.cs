#:project ../node/Ledger.Engine/Ledger.Engine.csproj
// Writes the upgrade fixture tests/vectors/upgrade/lane-v1: a node data folder whose ledger/ holds a one-lane store of
// the layout before stores were keyed by lane (index format 1: no meta/format-version entry), written by the real engine.
// Five blocks: a commissioning of three packs, a ship of two of them to a wholesaler, its receive, a dispense, and a
// recall of one serial by the brand owner. Run from the repository root with the release whose store the fixture must
// represent:
//   dotnet run scripts/make-upgrade-fixture-lane-v1.cs -- tests/vectors/upgrade/lane-v1
// Keys, parties and timestamps are fixed, so the records are the same on every run (RocksDB's own files are not
// byte-identical between runs: they carry file numbers, session ids and times).
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run scripts/make-upgrade-fixture-lane-v1.cs -- <output folder (must not exist)>");
    return 2;
}
var output = Path.GetFullPath(args[0]);
if (Directory.Exists(output))
{
    Console.Error.WriteLine($"output: {output} exists; remove it first");
    return 2;
}

var nodeKey = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x41, 32)]);
var maker = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x42, 32)]);
var wholesaler = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x43, 32)]);
const string MakerGln = "0614141000005";
const string WholesalerGln = "0614141000012";
const string Gtin = "00614141123452";
const long Time = 1_796_000_000_000; // fixed record times (milliseconds since 1970), so every run signs the same records

var consortium = new ConsortiumDirectory(new ConsortiumDefinition("upgrade-fixture-lane-v1", 1, [new ConsortiumNode("node-1", nodeKey.Address, "")],
[
    new Party("maker", maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], nodeKey.Address),
    new Party("wholesaler", wholesaler.Address, PartyRoles.Wholesaler, [WholesalerGln], [], [], nodeKey.Address),
]));
var ledger = Path.Combine(output, "ledger");
var engine = LedgerEngine.Open(ledger, nodeKey, consortium);
ulong nonce = 0;
try
{
    ItemId Pack(string serial) => ItemId.Sgtin(Gtin, serial);
    async Task<Hash32> Submit(PrivateKey author, RecordPayload payload)
    {
        nonce++;
        var deps = payload.Items.Select(engine.Store.GetItem).OfType<ItemState>().Select(s => s.LatestRecord).Distinct().ToList();
        var record = new LedgerRecord(author.Address, nonce, Time + (long)nonce * 1000, payload, deps);
        var result = await engine.SubmitAsync(SignedBatch.Sign([record], author));
        if (!result.Accepted)
            throw new InvalidOperationException($"record {nonce} ({payload.Kind}): refused: {result.Outcomes[0].Code} {result.Outcomes[0].Message}");
        return record.Id;
    }
    await Submit(maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["V1", "V2", "V3"]));
    var ship = await Submit(maker, new ShipPayload([Pack("V1"), Pack("V2")], MakerGln, wholesaler.Address, WholesalerGln));
    await Submit(wholesaler, new ReceivePayload(ship, [Pack("V1"), Pack("V2")], WholesalerGln));
    await Submit(wholesaler, new DecommissionPayload([Pack("V1")], DecommissionState.Supplied, WholesalerGln));
    await Submit(maker, new RecallPayload(Gtin, "", [Pack("V3")], "fixture recall"));
}
finally
{
    await engine.DisposeAsync();
}
// RocksDB's info log is text about this run (paths, times): not part of the store.
foreach (var log in Directory.EnumerateFiles(Path.Combine(ledger, "index"), "LOG*"))
    File.Delete(log);
Console.WriteLine($"wrote {output} (node key 0x41..41 address {nodeKey.Address}, maker 0x42..42, wholesaler 0x43..43)");
return 0;
