using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Lane;

public sealed class LaneTests
{
    private static CommissionPayload Commission(params string[] serials) => new(Gtin, "LOT1", "281231", MakerGln, serials);

    [Fact]
    public async Task Submit_Commission_IsDurableAndProvable()
    {
        await using var f = new LaneFixture();
        var result = await f.Submit(Maker, Commission("A1", "A2"));
        Assert.True(result.Accepted);
        Assert.Equal(1, result.Height);
        var answer = f.Engine.GetProvenance(Pack("A1"));
        Assert.Equal(ItemStatus.Active, answer.Status);
        var entry = Assert.Single(answer.Records);
        Assert.True(entry.Seal.Verify(entry.Record).IsValid);
        Assert.True(answer.Header!.Verify().IsValid);
        Assert.True(answer.Certificate!.Verify(answer.Header.Header, LaneFixture.Consortium.NodeAddresses).IsValid);
        Assert.True(MerkleTree.VerifyInclusion(entry.Proof, MerkleHash.Leaf(entry.Record.Id), answer.Header.Header.LogRoot).IsValid);
        Assert.True(SparseMerkleTree.Verify(answer.Header.Header.StateRoot, Pack("A1").StateKey(), entry.Record.Id, answer.StateProof!).IsValid);
    }

    [Fact]
    public async Task BlockCache_BoundedByRecords_EvictsOldestAndSkipsBigBlocks_ProvenanceStillAnswers()
    {
        await using var f = new LaneFixture(new LaneOptions { BlockCacheSize = 256, BlockCacheRecords = 5 });
        for (var i = 0; i < 4; i++)
            Assert.True((await f.Submit(Maker, Commission($"Q{i}a"), Commission($"Q{i}b"))).Accepted);
        Assert.Equal((2, 4L), f.Engine.Store.CacheUsage); // two blocks of two records fit under five records
        Assert.True((await f.Submit(Maker, [.. Enumerable.Range(1, 6).Select(i => Commission("W" + i))])).Accepted);
        Assert.Equal((2, 4L), f.Engine.Store.CacheUsage); // a block of six records is never cached
        foreach (var serial in new[] { "Q0a", "Q3b", "W4" })
        {
            var answer = f.Engine.GetProvenance(Pack(serial));
            var entry = Assert.Single(answer.Records);
            Assert.True(entry.Seal.Verify(entry.Record).IsValid);
        }
    }

    [Fact]
    public async Task Submit_SameBatchTwice_SecondIsDuplicateAndWritesNothing()
    {
        await using var f = new LaneFixture();
        var batch = SignedBatch.Sign([f.Record(Maker, Commission("B1"))], Maker);
        var first = await f.Engine.SubmitAsync(batch);
        var second = await f.Engine.SubmitAsync(batch);
        Assert.Equal(OutcomeStatus.Accepted, first.Outcomes[0].Status);
        Assert.Equal(OutcomeStatus.Duplicate, second.Outcomes[0].Status);
        Assert.Equal(first.Height, second.Outcomes[0].Height);
        Assert.Equal(first.Height, second.Height);
        Assert.Equal(1, f.Engine.Head.Height);
    }

    [Fact]
    public async Task Submit_RefusedRecord_RefusesWholeBatchAndChangesNothing()
    {
        await using var f = new LaneFixture();
        await f.Submit(Maker, Commission("C1"));
        var before = f.Engine.Head;
        // The wholesaler does not own the prefix: its commission is refused, and the valid record beside it too.
        var batch = SignedBatch.Sign([f.Record(Wholesaler, new CommissionPayload(Gtin, "L", "281231", WholesalerGln, ["C2"]))], Wholesaler);
        var result = await f.Engine.SubmitAsync(batch);
        Assert.False(result.Accepted);
        Assert.Equal(CustodyErrorCodes.PrefixNotOwned, result.Outcomes[0].Code);
        Assert.Equal(before.Height, f.Engine.Head.Height);
        Assert.Null(f.Engine.Store.GetItem(Pack("C2")));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(0)] // no decoded blocks cached: every record and seal is read out of its block's frame (BlockReader)
    public async Task Flow_ShipReceiveDispense_HistoryAndStatusFollow(int blockCacheSize)
    {
        await using var f = new LaneFixture(new LaneOptions { BlockCacheSize = blockCacheSize });
        await f.Submit(Maker, Commission("D1", "D2"));
        var sscc = ItemId.Sscc("106141412345678908");
        Assert.True((await f.Submit(Maker, new PackPayload(sscc, [Pack("D1"), Pack("D2")], MakerGln))).Accepted);
        var ship = await f.Submit(Maker, new ShipPayload([sscc], MakerGln, Wholesaler.Address, WholesalerGln));
        Assert.True(ship.Accepted);
        var shipId = ship.Outcomes[0].RecordIds[0];
        Assert.True((await f.Submit(Wholesaler, new ReceivePayload(shipId, [sscc], WholesalerGln))).Accepted);
        Assert.True((await f.Submit(Wholesaler, new UnpackPayload(sscc, [], WholesalerGln))).Accepted);
        var dispense = await f.Submit(Wholesaler, new DecommissionPayload([Pack("D1")], DecommissionState.Supplied, WholesalerGln));
        Assert.True(dispense.Accepted, dispense.Outcomes[0].Message);
        var answer = f.Engine.GetProvenance(Pack("D1"));
        Assert.Equal(ItemStatus.Supplied, answer.Status);
        Assert.Equal([RecordKind.Commission, RecordKind.Pack, RecordKind.Ship, RecordKind.Receive, RecordKind.Unpack, RecordKind.Decommission],
            answer.Records.Select(e => e.Record.Kind));
        Assert.Equal(Wholesaler.Address, answer.State!.Custodian);
        foreach (var entry in answer.Records)
        {
            Assert.True(entry.Seal.Verify(entry.Record).IsValid);
            Assert.True(MerkleTree.VerifyInclusion(entry.Proof, MerkleHash.Leaf(entry.Record.Id), answer.Header!.Header.LogRoot).IsValid);
            Assert.Equal(entry.Record.Id, f.Engine.Store.GetRecord(entry.Record.Id)!.Id);
        }
    }

    [Fact]
    public async Task Open_StoreWithRetiredIndexFamilies_DropsThemAndKeepsAnswering()
    {
        await using var f = new LaneFixture();
        var first = await f.Submit(Maker, Commission("I1", "I2"));
        Assert.True(first.Accepted);
        await f.Engine.DisposeAsync();
        // A store written before: the lot, GLN and item-event indexes were families of their own, with entries.
        var index = Path.Combine(f.Directory, "index");
        using (var db = Ledger.Storage.RocksDb.RocksDb.Open(index, new Ledger.Storage.RocksDb.RocksDbOptions(), [.. LaneStore.FamilyNames, .. LaneStore.RetiredFamilies]))
        {
            foreach (var family in LaneStore.RetiredFamilies)
                db.Put(db.GetColumnFamily(family), "key"u8, "value"u8, sync: true);
        }
        Assert.Superset(LaneStore.RetiredFamilies.ToHashSet(), Ledger.Storage.RocksDb.RocksDb.ListColumnFamilies(index).ToHashSet());
        await f.ReopenAsync();
        Assert.Empty(LaneStore.RetiredFamilies.Intersect(Ledger.Storage.RocksDb.RocksDb.ListColumnFamilies(index)));
        Assert.Single(f.Engine.GetProvenance(Pack("I2")).Records);
        var next = await f.Submit(Maker, Commission("I3"));
        Assert.True(next.Accepted);
        await f.ReopenAsync();
        Assert.Empty(LaneStore.RetiredFamilies.Intersect(Ledger.Storage.RocksDb.RocksDb.ListColumnFamilies(index)));
        Assert.Single(f.Engine.GetProvenance(Pack("I3")).Records);
    }

    [Fact]
    public async Task Pipeline_ReceiveSubmittedWhileItsShipIsInFlight_BothAcceptedInOrder()
    {
        // One record per block: the receive is applied while the ship's block may still be writing to RocksDB.
        await using var f = new LaneFixture(new LaneOptions { MaxBlockRecords = 1 });
        var commission = await f.Submit(Maker, Commission("J1"));
        var shipRecord = new LedgerRecord(Maker.Address, 900, LaneFixture.T0 + 900_000,
            new ShipPayload([Pack("J1")], MakerGln, Wholesaler.Address, WholesalerGln), [commission.Outcomes[0].RecordIds[0]]);
        var receiveRecord = new LedgerRecord(Wholesaler.Address, 901, LaneFixture.T0 + 901_000,
            new ReceivePayload(shipRecord.Id, [Pack("J1")], WholesalerGln), [shipRecord.Id]);
        var ship = f.Engine.SubmitAsync(SignedBatch.Sign([shipRecord], Maker));
        var receive = f.Engine.SubmitAsync(SignedBatch.Sign([receiveRecord], Wholesaler));
        var (s, r) = (await ship, await receive);
        Assert.True(s.Accepted, s.Outcomes[0].Message);
        Assert.True(r.Accepted, r.Outcomes[0].Message);
        Assert.True(r.Height > s.Height);
        Assert.Equal(Wholesaler.Address, f.Engine.Store.GetItem(Pack("J1"))!.Custodian);
        Assert.Equal([RecordKind.Commission, RecordKind.Ship, RecordKind.Receive], f.Engine.GetProvenance(Pack("J1")).Records.Select(e => e.Record.Kind));
    }

    [Fact]
    public async Task Pipeline_SameBatchTwiceWithoutWaiting_SecondNamesTheFirstsBlock()
    {
        await using var f = new LaneFixture(new LaneOptions { MaxBlockRecords = 1 });
        var batch = SignedBatch.Sign([f.Record(Maker, Commission("K1"))], Maker);
        var first = f.Engine.SubmitAsync(batch);
        var second = f.Engine.SubmitAsync(batch);
        var (a, b) = (await first, await second);
        Assert.Equal(OutcomeStatus.Accepted, a.Outcomes[0].Status);
        Assert.Equal(OutcomeStatus.Duplicate, b.Outcomes[0].Status);
        Assert.NotNull(a.Height);
        Assert.Equal(a.Height, b.Outcomes[0].Height);
        Assert.Equal(a.Height, b.Height);
        Assert.Equal(a.Height, f.Engine.Head.Height);
    }

    [Fact]
    public async Task IndexCacheMb_SizesRocksDbsBlockCache()
    {
        await using var f = new LaneFixture(new LaneOptions { IndexCacheMb = 48 });
        Assert.Equal(48UL * 1024 * 1024, f.Engine.Store.Db.GetIntProperty(f.Engine.Store[LaneStore.Items], "rocksdb.block-cache-capacity"));
    }

    [Fact]
    public async Task IsBusy_AfterSubmissionsAndCheckpoints_EndsOnceTheBackgroundWorkEnds()
    {
        await using var f = new LaneFixture(new LaneOptions { StateCheckpointNodes = 50 });
        var submissions = Enumerable.Range(0, 20).Select(i => f.Submit(Maker, Commission($"B{i}"))).ToList();
        Assert.All(await Task.WhenAll(submissions), r => Assert.True(r.Accepted));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (f.Engine.IsBusy && waited.Elapsed < TimeSpan.FromMinutes(1))
            await Task.Delay(20);
        Assert.False(f.Engine.IsBusy, "the lane stayed busy for a minute with nothing to do");
    }

    [Fact]
    public async Task LogProofs_BlocksOfRandomSizesAcrossChunks_EveryRecordProvesAgainstIndependentRoots()
    {
        // Blocks of 1..97 records over 1,100 records: chunk boundaries (every 256 leaves) fall inside and at the edges of
        // blocks, and the pipeline writes one block while the next fills the same chunk. Levels 8–10 exist, held in
        // memory: as the sequencer wrote them, then as loaded from RocksDB at open.
        var dir = Path.Combine(Path.GetTempPath(), "ledger-lane-" + Guid.NewGuid().ToString("N"));
        await using var f = new LaneFixture(directory: dir);
        var random = new Random(7);
        var ids = new List<Hash32>();
        var serial = 0;
        while (ids.Count < 1_100)
        {
            var size = random.Next(1, 98);
            var batch = SignedBatch.Sign([.. Enumerable.Range(0, size).Select(_ => f.Record(Maker, Commission($"L{serial++}")))], Maker);
            var result = await f.Engine.SubmitAsync(batch);
            Assert.True(result.Accepted);
            ids.AddRange(batch.Records.Select(r => r.Id));
        }
        var upperNodes = ids.Count / 256 + ids.Count / 512 + ids.Count / 1024;
        Assert.Equal(upperNodes, f.Engine.Store.LogUpper.Count);
        VerifyLogProofs(f, ids);
        await f.ReopenAsync();
        Assert.Equal(upperNodes, f.Engine.Store.LogUpper.Count);
        VerifyLogProofs(f, ids);
    }

    private static void VerifyLogProofs(LaneFixture f, List<Hash32> ids)
    {
        var leaves = ids.Select(MerkleHash.Leaf).ToArray();
        var head = f.Engine.Head;
        Assert.Equal(ids.Count, head.LogSize);
        Assert.Equal(MerkleTree.ComputeRoot(leaves), head.Header!.Header.LogRoot);
        for (var i = 0; i < ids.Count; i++)
        {
            var (location, proof, _) = f.Engine.GetInclusionProof(ids[i])!.Value;
            Assert.Equal(i, location.LogIndex);
            Assert.True(MerkleTree.VerifyInclusion(proof, leaves[i], head.Header.Header.LogRoot).IsValid, $"record {i}");
        }
        foreach (var old in new[] { 1, 255, 256, 257, 511, 512, 600, 1_023, 1_024, 1_025 })
        {
            var proof = f.Engine.GetConsistencyProof(old, ids.Count);
            Assert.True(MerkleTree.VerifyConsistency(proof, MerkleTree.ComputeRoot(leaves.AsSpan(0, old)), head.Header.Header.LogRoot).IsValid, $"size {old}");
        }
    }

    [Fact]
    public async Task Events_SignedBatches_OneEventPerRecordAtConsecutiveSequences()
    {
        await using var f = new LaneFixture();
        var ids = new List<Hash32>();
        foreach (var serials in new[] { new[] { "M1", "M2", "M3" }, ["M4"], ["M5", "M6"] })
        {
            var batch = SignedBatch.Sign([.. serials.Select(x => f.Record(Maker, Commission(x)))], Maker);
            Assert.True((await f.Engine.SubmitAsync(batch)).Accepted);
            ids.AddRange(batch.Records.Select(r => r.Id));
        }
        var all = f.Engine.Store.GetEvents().ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 6], all.Select(e => e.Sequence));
        Assert.Equal(ids, all.Select(e => Assert.Single(e.Event.RecordIds)));
        Assert.Equal(ids.Select(i => LedgerEngine.RecordEventKeyPrefix + i), all.Select(e => e.Event.Key));
        Assert.All(all, e => Assert.Equal(Maker.Address, e.Event.Author));
        Assert.Equal(6, f.Engine.Store.EventCount);
        // Paging may resume inside a batch.
        Assert.Equal([3L, 4, 5, 6], f.Engine.Store.GetEvents(2).Select(e => e.Sequence));
        Assert.Equal([6L], f.Engine.Store.GetEvents(5).Select(e => e.Sequence));
        Assert.Empty(f.Engine.Store.GetEvents(6));
        for (var s = 1; s <= 6; s++)
            Assert.Equal(ids[s - 1], Assert.Single(f.Engine.Store.GetEventAt(s)!.RecordIds));
        Assert.Null(f.Engine.Store.GetEventAt(0));
        Assert.Null(f.Engine.Store.GetEventAt(7));
    }

    [Fact]
    public async Task Reopen_AfterWrites_KeepsHeadStateAndProofs()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-lane-" + Guid.NewGuid().ToString("N"));
        await using (var f = new LaneFixture(directory: dir))
        {
            for (var i = 0; i < 5; i++)
                Assert.True((await f.Submit(Maker, Commission($"E{i}"))).Accepted);
            var head = f.Engine.Head;
            await f.ReopenAsync();
            Assert.Equal(head.Height, f.Engine.Head.Height);
            Assert.Equal(head.Header!.Hash(), f.Engine.Head.Header!.Hash());
            Assert.True((await f.Submit(Maker, Commission("E9"))).Accepted);
            var answer = f.Engine.GetProvenance(Pack("E3"));
            var entry = Assert.Single(answer.Records);
            Assert.True(MerkleTree.VerifyInclusion(entry.Proof, MerkleHash.Leaf(entry.Record.Id), answer.Header!.Header.LogRoot).IsValid);
            var consistency = f.Engine.GetConsistencyProof(3, 6);
            Assert.True(MerkleTree.VerifyConsistency(consistency, f.Engine.Store.GetHeader(3)!.Header.LogRoot, answer.Header.Header.LogRoot).IsValid);
        }
    }

    [Fact]
    public async Task Concurrent_ManySubmitters_AllAcknowledgedRecordsPresent()
    {
        await using var f = new LaneFixture(new LaneOptions { MaxBlockDelay = TimeSpan.FromMilliseconds(2) });
        var batches = Enumerable.Range(0, 200).Select(i => SignedBatch.Sign([f.Record(Maker, Commission($"F{i}"))], Maker)).ToList();
        var results = await Task.WhenAll(batches.Select(b => Task.Run(() => f.Engine.SubmitAsync(b))));
        Assert.All(results, r => Assert.True(r.Accepted));
        Assert.True(f.Engine.Head.Height < 200, "submissions arriving together share blocks");
        Assert.Equal(200, f.Engine.Head.LogSize);
        foreach (var b in batches)
            Assert.NotNull(f.Engine.Store.FindRecord(b.Records[0].Id));
    }

    [Fact]
    public async Task SecondCommissioning_IsRefusedAndAlerted()
    {
        await using var f = new LaneFixture();
        await f.Submit(Maker, Commission("G1"));
        var again = await f.Submit(Maker, Commission("G1"));
        Assert.Equal(CustodyErrorCodes.AlreadyCommissioned, again.Outcomes[0].Code);
        var alert = Assert.Single(f.Engine.Store.GetItemAlerts(Pack("G1")));
        Assert.Equal(CustodyAlertKind.SecondCommissioning, alert.Kind);
        Assert.False(alert.Accepted);
        Assert.NotNull(alert.RejectedRecord);
    }

    [Fact]
    public async Task Verify_AtTwoGlnsWithinWindow_RaisesAlert()
    {
        await using var f = new LaneFixture();
        await f.Submit(Maker, Commission("H1"));
        Assert.True((await f.Submit(Maker, new VerifyPayload(Pack("H1"), "LOT1", "281231", "test", MakerGln, null))).Accepted);
        Assert.True((await f.Submit(Maker, new VerifyPayload(Pack("H1"), "LOT1", "281231", "test", WholesalerGln, null))).Accepted);
        Assert.Contains(f.Engine.Store.GetItemAlerts(Pack("H1")), a => a.Kind == CustodyAlertKind.ScanAtTwoLocations);
    }
}
