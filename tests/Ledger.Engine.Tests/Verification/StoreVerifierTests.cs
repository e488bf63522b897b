using System.Buffers.Binary;
using Ledger.Protocol.Consortium;
using Ledger.Engine.Lane;
using Ledger.Engine.Tests.Lane;
using Ledger.Engine.Verification;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Storage.RocksDb;
using Ledger.Storage.Segments;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Verification;

public sealed class StoreVerifierTests : IDisposable
{
    // Every column family of the lane index (LaneStore.Families is internal); RocksDB refuses an open that omits one,
    // so a new family in the engine shows up here as an open error naming it.
    // Every family on disk must be opened (RocksDB's rule): the store's own list, so that a new family does not break these tests.
    private static readonly IReadOnlyList<string> Families = LaneStore.FamilyNames;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ledger-verify-" + Guid.NewGuid().ToString("N"));

    private string Ledger => _directory;

    private string Segment => Path.Combine(_directory, "blocks", SegmentFormat.FileName(1));

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

    /// <summary>Five blocks: commission, pack, ship, receive, commission (so the replay runs custody transfers); the engine is closed after.</summary>
    private async Task<LaneHead> BuildAsync()
    {
        var f = new LaneFixture(directory: _directory);
        try
        {
            var sscc = ItemId.Sscc("106141412345678908");
            Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["SV01", "SV02", "SV03"]))).Accepted);
            Assert.True((await f.Submit(Maker, new PackPayload(sscc, [Pack("SV01"), Pack("SV02")], MakerGln))).Accepted);
            var ship = await f.Submit(Maker, new ShipPayload([sscc], MakerGln, Wholesaler.Address, WholesalerGln));
            Assert.True(ship.Accepted);
            Assert.True((await f.Submit(Wholesaler, new ReceivePayload(ship.Outcomes[0].RecordIds[0], [sscc], WholesalerGln))).Accepted);
            Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT2", "281231", MakerGln, ["SVQ4"]))).Accepted);
            return f.Engine.Head;
        }
        finally
        {
            await f.Engine.DisposeAsync();
        }
    }

    private List<SegmentFrame> Frames() => [.. BlockSegmentStore.ScanDirectory(Path.Combine(_directory, "blocks"))];

    private void RewriteFrame(SegmentFrame frame, byte[] body, bool fixCrc)
    {
        using var file = new FileStream(Segment, FileMode.Open, FileAccess.ReadWrite);
        var head = new byte[SegmentFormat.FrameHeaderSize];
        file.Position = frame.Location.Offset;
        file.ReadExactly(head);
        if (fixCrc)
            BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(4), Crc32C.Compute(body));
        file.Position = frame.Location.Offset;
        file.Write(head);
        file.Write(body);
    }

    private static void AssertFailure(StoreReport report, long? height, string check, params string[] reasonContains)
    {
        Assert.False(report.Ok);
        var failure = report.FirstFailure!;
        Assert.True(check == failure.Check && height == failure.Height, $"expected {check} at {height}, got {failure}");
        foreach (var s in reasonContains)
            Assert.Contains(s, failure.Reason, StringComparison.Ordinal);
        Assert.Equal(height - 1, report.BlocksChecked);
    }

    [Fact]
    public async Task Verify_CleanStore_OkWithBlockAndRecordCounts()
    {
        var head = await BuildAsync();
        var report = StoreVerifier.Verify(Ledger);
        Assert.True(report.Ok, report.FirstFailure?.ToString());
        Assert.Equal(5, head.Height);
        Assert.Equal(head.Height, report.BlocksChecked);
        Assert.Equal(head.LogSize, report.RecordsChecked);
        Assert.Contains(report.Warnings, w => w.StartsWith("state root not checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_CleanStoreWithConsortium_StateRootReplayMatches()
    {
        await BuildAsync();
        var heights = new List<long>();
        var report = StoreVerifier.Verify(Ledger, progress: new Collect(heights), consortium: LaneFixture.Consortium);
        Assert.True(report.Ok, report.FirstFailure?.ToString());
        Assert.Empty(report.Warnings);
        Assert.Equal([1, 2, 3, 4, 5], heights);
    }

    [Fact]
    public async Task Verify_ConsortiumWithoutMakersPrefix_FailsStateReplayAtFirstBlock()
    {
        await BuildAsync();
        var def = LaneFixture.Consortium.Definition;
        var other = new ConsortiumDirectory(def with
        {
            Parties = [.. def.Parties.Select(p => p.Address == Maker.Address ? p with { CompanyPrefixes = [] } : p)],
        });
        var report = StoreVerifier.Verify(Ledger, consortium: other);
        AssertFailure(report, 1, StoreChecks.StateReplay, CustodyErrorCodes.PrefixNotOwned);
    }

    [Fact]
    public async Task Verify_FlippedBodyByte_FailsCrcAtThatHeight()
    {
        await BuildAsync();
        var frame = Frames()[2];
        var body = frame.Body.ToArray();
        body[body.Length / 2] ^= 0x01;
        RewriteFrame(frame, body, fixCrc: false);
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 3, StoreChecks.FrameCrc, SegmentFormat.FileName(1), $"offset {frame.Location.Offset}");
    }

    [Fact]
    public async Task Verify_ChangedRecordWithFixedCrc_FailsBatchCheck()
    {
        await BuildAsync();
        var frame = Frames()[4];
        var body = frame.Body.ToArray();
        var at = body.AsSpan().IndexOf("SVQ4"u8);
        Assert.True(at > 0, "the serial is in the last block");
        body[at + 2] = (byte)'R'; // still a valid serial: only the batch's records root can catch it
        RewriteFrame(frame, body, fixCrc: true);
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 5, StoreChecks.BatchSignature, "batch 0", "batch-root");
    }

    [Fact]
    public async Task Verify_ChangedHeaderSignatureWithFixedCrc_FailsHeaderSignature()
    {
        await BuildAsync();
        var frame = Frames()[2];
        var body = frame.Body.ToArray();
        var r = new byte[32];
        Block.Decode(body).SignedHeader.Signature.WriteR(r);
        var at = body.AsSpan().IndexOf(r);
        Assert.True(at > 0, "the header signature's r is in the frame");
        body[at + 31] ^= 0x01;
        RewriteFrame(frame, body, fixCrc: true);
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 3, StoreChecks.HeaderSignature);
    }

    [Fact]
    public async Task Verify_LastFrameTorn_FailsNamingTheTornFrameAndTruncatesNothing()
    {
        await BuildAsync();
        var last = Frames()[^1];
        var length = last.Location.Offset + SegmentFormat.FrameHeaderSize + last.Location.Length / 2;
        using (var file = new FileStream(Segment, FileMode.Open, FileAccess.Write))
            file.SetLength(length);
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 5, StoreChecks.FrameTorn, SegmentFormat.FileName(1), $"offset {last.Location.Offset}");
        Assert.Equal(length, new FileInfo(Segment).Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verify_FrameAfterCommittedHead_OkWithWarning(bool complete)
    {
        await BuildAsync();
        var last = Frames()[^1];
        var frame = new byte[SegmentFormat.FrameHeaderSize + last.Body.Length];
        SegmentFormat.WriteFrameHeader(frame, last.Body);
        last.Body.CopyTo(frame, SegmentFormat.FrameHeaderSize);
        using (var file = new FileStream(Segment, FileMode.Append, FileAccess.Write))
            file.Write(frame, 0, complete ? frame.Length : frame.Length - 10);
        var report = StoreVerifier.Verify(Ledger);
        Assert.True(report.Ok, report.FirstFailure?.ToString());
        Assert.Equal(5, report.BlocksChecked);
        Assert.Contains(report.Warnings, w => w.Contains(complete ? "are not committed" : "uncommitted tail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_HeaderSwappedInIndex_FailsIndexMismatch()
    {
        await BuildAsync();
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, Families))
        {
            var headers = db.GetColumnFamily("headers");
            var third = db.Get(headers, Height(3))!;
            db.Put(headers, Height(2), third, sync: true);
        }
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 2, StoreChecks.IndexMismatch, "headers CF");
    }

    [Fact]
    public async Task Verify_RecordLocationMissingFromIndex_FailsIndexMismatch()
    {
        await BuildAsync();
        var id = Block.Decode(Frames()[3].Body).RecordIds().Single();
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, Families))
            db.Delete(db.GetColumnFamily("records"), id.ToArray(), sync: true);
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 4, StoreChecks.IndexMismatch, "records CF", id.ToString());
    }

    [Fact]
    public async Task Verify_RecordSpanWrongInIndex_FailsIndexMismatch()
    {
        await BuildAsync();
        var id = Block.Decode(Frames()[3].Body).RecordIds().Single();
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, Families))
        {
            var records = db.GetColumnFamily("records");
            var value = db.Get(records, id.ToArray())!;
            Assert.Equal(36, value.Length);
            BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(28), BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(28)) + 1);
            db.Put(records, id.ToArray(), value, sync: true);
        }
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 4, StoreChecks.IndexMismatch, "records CF", id.ToString(), "bytes");
    }

    [Fact]
    public async Task Verify_RecordsValuesOf24Bytes_Passes()
    {
        await BuildAsync();
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, Families))
        {
            var records = db.GetColumnFamily("records");
            foreach (var frame in Frames())
                foreach (var id in Block.Decode(frame.Body).RecordIds())
                    db.Put(records, id.ToArray(), db.Get(records, id.ToArray())!.AsSpan(4, 24), sync: true); // format 1's 24 bytes: the own lane
        }
        var report = StoreVerifier.Verify(Ledger);
        Assert.True(report.Ok, report.FirstFailure?.ToString());
    }

    [Fact]
    public async Task Verify_StoreOfARunningNode_ChecksTheIndexAsOfItsOpen()
    {
        // A read-only open takes no lock: the index is read as it was when verify opened it.
        var f = new LaneFixture(directory: _directory);
        try
        {
            Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["SVR1"]))).Accepted);
            Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["SVR2"]))).Accepted);
            var report = StoreVerifier.Verify(Ledger);
            Assert.True(report.Ok, report.FirstFailure?.ToString());
            Assert.Equal(f.Engine.Head.Height, report.BlocksChecked);
        }
        finally
        {
            await f.Engine.DisposeAsync();
        }
    }

    [Fact]
    public async Task Verify_OlderStore_ChangesNoByteOfTheDataFolder()
    {
        await BuildAsync();
        // As a store written before looks: a retired family with entries, and no capture-jobs family yet.
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, [.. Families, "lot-items"]))
        {
            db.Put(db.GetColumnFamily("lot-items"), "k"u8, "v"u8, sync: true);
            db.DropColumnFamily(LaneStore.CaptureJobs);
        }
        var before = Snapshot();
        var report = StoreVerifier.Verify(Ledger, consortium: LaneFixture.Consortium);
        Assert.True(report.Ok, report.FirstFailure?.ToString());
        Assert.Equal(5, report.BlocksChecked);
        var after = Snapshot();
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in before)
            Assert.True(bytes.AsSpan().SequenceEqual(after[path]), $"{path} changed");
        Assert.DoesNotContain(LaneStore.CaptureJobs, RocksDb.ListColumnFamilies(Path.Combine(_directory, "index")));
    }

    /// <summary>Every file under the data folder (path relative to it) with its bytes, and every directory (null).</summary>
    private Dictionary<string, byte[]> Snapshot()
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(_directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            result[Path.GetRelativePath(_directory, entry.FullName)] = entry is FileInfo file ? File.ReadAllBytes(file.FullName) : [];
        return result;
    }

    [Fact]
    public async Task Verify_BatchTreeEntryChanged_FailsBatchTreeAtThatHeight()
    {
        await BuildAsync();
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, Families))
        {
            var trees = db.GetColumnFamily(LaneStore.BatchTrees);
            var key = LaneKeys.Of(LaneKeys.OwnLane, BatchTree.Key(3, 0));
            var value = db.Get(trees, key)!;
            value[^1] ^= 0x01;
            db.Put(trees, key, value, sync: true);
        }
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 3, StoreChecks.BatchTree, "batch-trees CF", "batch 0");
    }

    [Fact]
    public async Task Verify_BatchTreeEntryOfNoBatch_FailsBatchTree()
    {
        await BuildAsync();
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, Families))
        {
            var trees = db.GetColumnFamily(LaneStore.BatchTrees);
            db.Put(trees, LaneKeys.Of(LaneKeys.OwnLane, BatchTree.Key(2, 1)), db.Get(trees, LaneKeys.Of(LaneKeys.OwnLane, BatchTree.Key(2, 0)))!, sync: true);
        }
        var report = StoreVerifier.Verify(Ledger);
        Assert.False(report.Ok);
        Assert.Equal(StoreChecks.BatchTree, report.FirstFailure!.Check);
        Assert.Null(report.FirstFailure.Height);
    }

    [Fact]
    public async Task Verify_BatchEntryMissing_FailsIndexMismatch()
    {
        await BuildAsync();
        var batch = Block.Decode(Frames()[1].Body).Batches[0];
        using (var db = RocksDb.Open(Path.Combine(_directory, "index"), new RocksDbOptions { CreateIfMissing = false }, Families))
            db.Delete(db.GetColumnFamily(LaneStore.Batches), batch.Header.Hash().ToArray(), sync: true);
        var report = StoreVerifier.Verify(Ledger);
        AssertFailure(report, 2, StoreChecks.IndexMismatch, "batches CF", "batch 0");
    }

    [Fact]
    public void Verify_MissingDirectory_ThrowsDirectoryNotFound() =>
        Assert.Throws<DirectoryNotFoundException>(() => StoreVerifier.Verify(Path.Combine(_directory, "nope")));

    // lane 1 (the own lane) ‖ height
    private static byte[] Height(long h)
    {
        var b = new byte[12];
        BinaryPrimitives.WriteInt32BigEndian(b, 1);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(4), h);
        return b;
    }

    private sealed class Collect(List<long> into) : IProgress<long>
    {
        public void Report(long value) => into.Add(value);
    }
}
