#:project ../node/Ledger.Engine/Ledger.Engine.csproj
// Writes the upgrade fixture tests/vectors/upgrade/lane-rocksdb-7.8: a node data folder whose ledger/ holds three blocks
// written by the real engine. Blocks 1 and 2 are flushed into the index's SST files, block 3 is only in its write-ahead
// log, so an upgrade reads both kinds of file. Run from the repository root with the release whose store the fixture must represent:
//   dotnet run scripts/make-upgrade-fixture.cs -- tests/vectors/upgrade/lane-rocksdb-7.8
// Keys, party and timestamps are fixed, so the records are the same on every run (RocksDB's own files are not
// byte-identical between runs: they carry file numbers, session ids and times).
using Ledger.Engine.Lane;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Storage.RocksDb;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet run scripts/make-upgrade-fixture.cs -- <output folder (must not exist)>");
    return 2;
}
var output = Path.GetFullPath(args[0]);
if (Directory.Exists(output))
{
    Console.Error.WriteLine($"output: {output} exists; remove it first");
    return 2;
}

var nodeKey = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x31, 32)]);
var maker = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x32, 32)]);
const string MakerGln = "0614141000005";
const long Time = 1_796_000_000_000; // fixed record times (milliseconds since 1970), so every run signs the same records

var consortium = new ConsortiumDirectory(new ConsortiumDefinition("upgrade-fixture", 1, [new ConsortiumNode("node-1", nodeKey.Address, "")],
    [new Party("maker", maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], nodeKey.Address)]));
var ledger = Path.Combine(output, "ledger");
if (await SubmitAsync(1, 2) is var refused and not 0)
    return refused;
using (var index = RocksDb.Open(Path.Combine(ledger, "index"), new RocksDbOptions { CreateIfMissing = false }, LaneStore.FamilyNames))
    index.Flush();
if (await SubmitAsync(3, 3) is var refused3 and not 0)
    return refused3;
// RocksDB's info log is text about this run (paths, times): not part of the store.
foreach (var log in Directory.EnumerateFiles(Path.Combine(ledger, "index"), "LOG*"))
    File.Delete(log);
Console.WriteLine($"wrote {output} (node key 0x31..31 address {nodeKey.Address}, maker 0x32..32 address {maker.Address})");
return 0;

async Task<int> SubmitAsync(int first, int last)
{
    var engine = LedgerEngine.Open(ledger, nodeKey, consortium);
    try
    {
        for (var i = first; i <= last; i++)
        {
            var record = new LedgerRecord(maker.Address, (ulong)i, Time + i,
                new CommissionPayload("00614141123452", "LOT1", "281231", MakerGln, [$"UPG{i}", $"UPH{i}"]), []);
            var result = await engine.SubmitAsync(SignedBatch.Sign([record], maker));
            if (!result.Accepted)
            {
                Console.Error.WriteLine($"record {i}: refused: {result.Outcomes[0].Message}");
                return 1;
            }
        }
        return 0;
    }
    finally
    {
        await engine.DisposeAsync();
    }
}
