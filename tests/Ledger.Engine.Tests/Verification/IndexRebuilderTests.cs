using System.Text;
using Ledger.Engine.Lane;
using Ledger.Engine.Tests.Lane;
using Ledger.Engine.Verification;
using Ledger.Protocol.Records;
using Ledger.Storage.RocksDb;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Verification;

public sealed class IndexRebuilderTests : IDisposable
{
    private static readonly DateTimeOffset AsOf = DateTimeOffset.Parse("2026-11-02T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ledger-rebuild-" + Guid.NewGuid().ToString("N"));
    private static readonly ItemId Sscc = ItemId.Sscc("106141412345678908");
    private static readonly ItemId[] Probed = [Pack("RB01"), Pack("RB02"), Pack("RB03"), Pack("RB04"), Pack("RB09"), Sscc];

    private string Index => Path.Combine(_directory, "index");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Commission, pack, ship, receive, a verification, a lot recall and a refused record (an alert); the provenance answers at the end.</summary>
    private async Task<Dictionary<ItemId, string>> BuildAsync()
    {
        var f = new LaneFixture(directory: _directory);
        try
        {
            Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["RB01", "RB02", "RB03"]))).Accepted);
            Assert.True((await f.Submit(Maker, new PackPayload(Sscc, [Pack("RB01"), Pack("RB02")], MakerGln))).Accepted);
            var ship = await f.Submit(Maker, new ShipPayload([Sscc], MakerGln, Wholesaler.Address, WholesalerGln));
            Assert.True(ship.Accepted);
            Assert.True((await f.Submit(Wholesaler, new ReceivePayload(ship.Outcomes[0].RecordIds[0], [Sscc], WholesalerGln))).Accepted);
            Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT2", "281231", MakerGln, ["RB04"]))).Accepted);
            Assert.True((await f.Submit(Pharmacy, new VerifyPayload(Pack("RB03"), "LOT1", "281231", "test", PharmacyGln, null))).Accepted);
            Assert.True((await f.Submit(Regulator, new RecallPayload(Gtin, "LOT2", null, "contamination"))).Accepted);
            // A second commissioning of RB01 is refused and raises an alert (not in the blocks: carried over).
            Assert.False((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["RB01"]))).Accepted);
            Assert.NotEmpty(f.Engine.Store.GetAlerts());
            return Answers(f.Engine);
        }
        finally
        {
            await f.Engine.DisposeAsync();
        }
    }

    /// <summary>Every part of the provenance answers a verifier checks, as text.</summary>
    private static Dictionary<ItemId, string> Answers(LedgerEngine engine) => Probed.ToDictionary(i => i, i => Describe(engine.GetProvenance(i, AsOf)));

    private static string Describe(ProvenanceAnswer a)
    {
        var s = new StringBuilder();
        s.Append(a.State).Append('|').Append(a.Status).Append('|').Append(Convert.ToHexString(a.Header!.Encode())).Append('|')
            .Append(Convert.ToHexString(a.Certificate!.Encode())).Append('|').Append(a.StateProof!.Leaf).Append(string.Join(",", a.StateProof.Siblings));
        foreach (var e in a.Records)
            s.Append('|').Append(Convert.ToHexString(e.Record.Encode())).Append(e.Height).Append(',').Append(e.LogIndex).Append(',')
                .Append(string.Join(",", e.Proof.Path)).Append(',').Append(string.Join(",", e.Seal.Proof.Path)).Append(e.Seal.Signature);
        foreach (var lot in new[] { a.Lot, a.Product })
            if (lot is not null)
                s.Append("|lot ").Append(string.Join(",", lot.Records.Select(r => r.Record.Id))).Append(string.Join(",", lot.Proof.Siblings));
        s.Append("|alerts ").Append(string.Join(",", a.Alerts.Select(x => x.Sequence + ":" + x.Kind)));
        return s.ToString();
    }

    /// <summary>Every family's entries (key and value, hex), "default" left out.</summary>
    private static Dictionary<string, List<string>> Contents(string index)
    {
        using var db = RocksDb.OpenReadOnly(index, new RocksDbOptions(), [.. RocksDb.ListColumnFamilies(index)]);
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, cf) in db.ColumnFamilies)
        {
            if (name == RocksDb.DefaultColumnFamilyName)
                continue;
            var entries = new List<string>();
            using var it = db.NewIterator(cf);
            for (it.SeekToFirst(); it.Valid(); it.Next())
                entries.Add(Convert.ToHexString(it.Key()) + "=" + Convert.ToHexString(it.Value()));
            result[name] = entries;
        }
        return result;
    }

    private async Task<Dictionary<ItemId, string>> AnswersAfterReopenAsync()
    {
        var f = new LaneFixture(directory: _directory);
        try
        {
            return Answers(f.Engine);
        }
        finally
        {
            await f.Engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task Rebuild_CorruptedIndex_RestoresEveryEntryAndTheSameProvenance()
    {
        var answers = await BuildAsync();
        var original = Contents(Index);
        // Damage derived families: records gone, an item state and a batch tree changed, the log's chunk removed.
        using (var db = RocksDb.Open(Index, new RocksDbOptions { CreateIfMissing = false }, LaneStore.FamilyNames))
        {
            foreach (var family in new[] { LaneStore.Records, LaneStore.History, LaneStore.Smt })
            {
                using var it = db.NewIterator(db.GetColumnFamily(family));
                var keys = new List<byte[]>();
                for (it.SeekToFirst(); it.Valid(); it.Next())
                    keys.Add(it.Key().ToArray());
                foreach (var key in keys)
                    db.Delete(db.GetColumnFamily(family), key, sync: true);
            }
            db.Put(db.GetColumnFamily(LaneStore.Items), Pack("RB01").StateKey().ToArray(), [0xC0], sync: true);
        }
        Assert.False(StoreVerifier.Verify(_directory).Ok);

        var report = IndexRebuilder.Rebuild(_directory, LaneFixture.Consortium, NodeKey);
        Assert.True(report.Ok, report.Failure?.ToString());
        Assert.Equal(7, report.Blocks);
        Assert.Equal(original, Contents(Index));
        Assert.False(Directory.Exists(Path.Combine(_directory, IndexRebuilder.RebuildDirectoryName)));
        Assert.False(Directory.Exists(Index + ".old"));
        var verified = StoreVerifier.Verify(_directory, consortium: LaneFixture.Consortium);
        Assert.True(verified.Ok, verified.FirstFailure?.ToString());
        Assert.Equal(answers, await AnswersAfterReopenAsync());
    }

    [Fact]
    public async Task Open_IndexDeleted_RefusesAndKeepsTheBlocks_RebuildRestoresTheLedger()
    {
        var answers = await BuildAsync();
        var original = Contents(Index);
        var segments = Directory.GetFiles(Path.Combine(_directory, "blocks")).ToDictionary(p => p, File.ReadAllBytes);
        Directory.Delete(Index, recursive: true);

        // Without its index a node would cut every block; it refuses to start instead and changes nothing.
        var e = Assert.Throws<InvalidOperationException>(() => LedgerEngine.Open(_directory, NodeKey, LaneFixture.Consortium));
        Assert.Contains("rebuild-indexes", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Index));
        Assert.All(segments, s => Assert.Equal(s.Value, File.ReadAllBytes(s.Key)));

        var report = IndexRebuilder.Rebuild(_directory, LaneFixture.Consortium, NodeKey);
        Assert.True(report.Ok, report.Failure?.ToString());
        Assert.Contains(report.Warnings, w => w.Contains("not carried over", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("certificate(s) were made again", StringComparison.Ordinal));
        var rebuilt = Contents(Index);
        // What the blocks hold comes back byte for byte, certificates included (deterministic signatures).
        foreach (var family in new[] { LaneStore.Headers, LaneStore.Certs, LaneStore.Blocks, LaneStore.Records, LaneStore.Batches, LaneStore.BatchTrees,
                     LaneStore.Items, LaneStore.History, LaneStore.Scans, LaneStore.Log, LaneStore.Smt })
            Assert.True(original[family].SequenceEqual(rebuilt[family]), family);
        var verified = StoreVerifier.Verify(_directory, consortium: LaneFixture.Consortium);
        Assert.True(verified.Ok, verified.FirstFailure?.ToString());
        var after = await AnswersAfterReopenAsync();
        // The alert of the refused record was in the lost index only.
        Assert.Equal(answers.ToDictionary(kv => kv.Key, kv => kv.Value[..kv.Value.IndexOf("|alerts", StringComparison.Ordinal)]),
            after.ToDictionary(kv => kv.Key, kv => kv.Value[..kv.Value.IndexOf("|alerts", StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task Rebuild_StoreOfARunningNode_RefusedAndNothingChanges()
    {
        await BuildAsync();
        var before = Contents(Index);
        var f = new LaneFixture(directory: _directory);
        try
        {
            var report = IndexRebuilder.Rebuild(_directory, LaneFixture.Consortium, NodeKey);
            Assert.False(report.Ok);
            Assert.Equal(StoreChecks.IndexOpen, report.Failure!.Check);
            Assert.Contains("running node", report.Failure.Reason, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(_directory, IndexRebuilder.RebuildDirectoryName)));
        }
        finally
        {
            await f.Engine.DisposeAsync();
        }
        Assert.Equal(before[LaneStore.Headers], Contents(Index)[LaneStore.Headers]);
    }

    [Fact]
    public async Task Rebuild_ConsortiumWithoutTheMakersPrefix_FailsNamingTheRecordAndKeepsTheOldIndex()
    {
        await BuildAsync();
        var before = Contents(Index);
        var other = new Ledger.Protocol.Consortium.ConsortiumDirectory(LaneFixture.Consortium.Definition with
        {
            Parties = [.. LaneFixture.Consortium.Definition.Parties.Select(p => p with { CompanyPrefixes = [] })],
        });
        var report = IndexRebuilder.Rebuild(_directory, other, NodeKey);
        Assert.False(report.Ok);
        Assert.Equal(StoreChecks.StateReplay, report.Failure!.Check);
        Assert.Equal(1, report.Failure.Height);
        Assert.Equal(before, Contents(Index));
        Assert.False(Directory.Exists(Path.Combine(_directory, IndexRebuilder.RebuildDirectoryName)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_SwapInterruptedAfterTheOldIndexMovedAside_FinishesOrUndoesIt(bool complete)
    {
        var answers = await BuildAsync();
        var rebuild = Path.Combine(_directory, IndexRebuilder.RebuildDirectoryName);
        Directory.CreateDirectory(rebuild);
        CopyDirectory(Index, Path.Combine(rebuild, "index"));
        if (complete)
            File.WriteAllBytes(Path.Combine(rebuild, "COMPLETE"), []);
        Directory.Move(Index, Index + ".old");
        Assert.Equal(answers, await AnswersAfterReopenAsync());
        Assert.True(Directory.Exists(Index));
        Assert.False(Directory.Exists(Index + ".old"));
        Assert.False(Directory.Exists(rebuild));
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
