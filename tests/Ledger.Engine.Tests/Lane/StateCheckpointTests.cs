using System.Buffers.Binary;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;
using Ledger.Storage.RocksDb;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Lane;

/// <summary>
/// State-map checkpoints: blocks persist only their state deltas; the nodes reachable from the head root are written at
/// checkpoints (threshold and shutdown); Open replays the deltas above the checkpoint.
/// </summary>
public sealed class StateCheckpointTests
{
    private static readonly LaneOptions Tiny = new() { StateCheckpointNodes = 4 };
    private static readonly LaneOptions Never = new() { StateCheckpointNodes = long.MaxValue };

    private static CommissionPayload Commission(params string[] serials) => new(Gtin, "LOT1", "281231", MakerGln, serials);

    private static IEnumerable<ItemId> Items(int steps) => Enumerable.Range(0, steps).SelectMany(i => new[] { "a", "b", "c" }.Select(s => Pack($"S{i}{s}")));

    /// <summary>
    /// Step i: one block commissioning three packs, then (from step 1) one block verifying a pack of step i-1 (an update).
    /// The records are built by <paramref name="builder"/> and the same batches go to every engine (default: the builder's).
    /// </summary>
    private static async Task RunStepsAsync(LaneFixture builder, int from, int to, params LedgerEngine[] engines)
    {
        if (engines.Length == 0)
            engines = [builder.Engine];
        for (var i = from; i < to; i++)
        {
            await SubmitToAllAsync(SignedBatch.Sign([builder.Record(Maker, Commission($"S{i}a", $"S{i}b", $"S{i}c"))], Maker), engines);
            if (i > 0)
                await SubmitToAllAsync(SignedBatch.Sign([builder.Record(Maker, new VerifyPayload(Pack($"S{i - 1}a"), "LOT1", "281231", "test", MakerGln, null))], Maker), engines);
        }
    }

    private static async Task SubmitToAllAsync(SignedBatch batch, LedgerEngine[] engines)
    {
        foreach (var engine in engines)
        {
            var result = await engine.SubmitAsync(batch);
            Assert.True(result.Accepted, result.Outcomes[0].Message);
        }
    }

    private static List<Hash32> StateRoots(LedgerEngine engine) =>
        [.. Enumerable.Range(1, (int)engine.Head.Height).Select(h => engine.Store.GetHeader(h)!.Header.StateRoot)];

    /// <summary>Checks the item's state proof against the answer's header and returns its encoding.</summary>
    /// <summary>Both engines have the same state root at every height and the same verified state proof for the first items.</summary>
    private static void AssertSameState(LedgerEngine expected, LedgerEngine actual, int items)
    {
        Assert.Equal(StateRoots(expected), StateRoots(actual));
        foreach (var item in Items(items))
            Assert.Equal(VerifiedStateProof(expected, item), VerifiedStateProof(actual, item));
    }

    private static byte[] VerifiedStateProof(LedgerEngine engine, ItemId item)
    {
        var answer = engine.GetProvenance(item);
        var latest = answer.Records[^1].Record.Id;
        var check = SparseMerkleTree.Verify(answer.Header!.Header.StateRoot, item.StateKey(), latest, answer.StateProof!);
        Assert.True(check.IsValid, $"{item}: {check}");
        return answer.StateProof!.Encode();
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "ledger-smt-" + Guid.NewGuid().ToString("N"));

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    private static RocksDb OpenIndex(string directory) =>
        RocksDb.Open(Path.Combine(directory, "index"), new RocksDbOptions { CreateIfMissing = false }, LaneStore.FamilyNames);

    private static long CheckpointHeight(RocksDb db)
    {
        var raw = db.Get(db.GetColumnFamily("meta"), StateCheckpointKey) ?? throw new InvalidOperationException("no meta/state-checkpoint");
        return (long)Rlp.Decode(raw).AsList("checkpoint")[1].AsString("checkpoint").ToUInt64("checkpoint");
    }

    private static readonly byte[] StateCheckpointKey = [.. "state-checkpoint"u8, 0, 0, 0, 1]; // the own lane's (lane 1)

    private static int Count(RocksDb db, string family)
    {
        using var it = db.NewIterator(db.GetColumnFamily(family));
        var n = 0;
        for (it.SeekToFirst(); it.Valid(); it.Next())
            n++;
        return n;
    }

    // lane 1 (the own lane) ‖ height
    private static byte[] HeightKey(long height)
    {
        var key = new byte[12];
        BinaryPrimitives.WriteInt32BigEndian(key, 1);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(4), height);
        return key;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LowPriorityBackground_Checkpoints_RunAtNice10OnlyWhenOn(bool low)
    {
        await using var f = new LaneFixture(Tiny with { LowPriorityBackground = low });
        await RunStepsAsync(f, 0, 4);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((f.Engine.StateNodes.CheckpointInFlight || f.Engine.StateNodes.LastCheckpointNice is null) && waited.Elapsed < TimeSpan.FromMinutes(1))
            await Task.Delay(20);

        // Off: the thread keeps the priority it was started with (the node's own); on: nice 10 unless already lower.
        var own = Ledger.Storage.Threads.ThreadNice.Current()!.Value;
        Assert.Equal(low ? Math.Max(own, BackgroundWork.CheckpointNice) : own, f.Engine.StateNodes.LastCheckpointNice);
    }

    [Fact]
    public async Task Idle_DirtyNodesBelowTheThreshold_AreCheckpointedAndLeaveMemory()
    {
        // A threshold the test never reaches: only the idle checkpoint writes the nodes.
        await using var f = new LaneFixture(new LaneOptions { StateCheckpointNodes = 1_000_000 });
        await RunStepsAsync(f, 0, 6, f.Engine);
        var head = f.Engine.Head;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (f.Engine.StateNodes.Usage.DirtyNodes > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(0, f.Engine.StateNodes.Usage.DirtyNodes);
        await f.Engine.IdleCheckpoint;
        var copy = NewDirectory();
        try
        {
            CopyDirectory(f.Directory, copy);
            using var db = OpenIndex(copy);
            Assert.Equal(head.Height, CheckpointHeight(db));
            Assert.Equal(0, Count(db, "state-deltas"));
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
        // Proofs read the checkpointed nodes; the next blocks go on from there.
        await using var never = new LaneFixture(Never);
        await RunStepsAsync(never, 0, 6, never.Engine);
        AssertSameState(never.Engine, f.Engine, 6);
        await RunStepsAsync(never, 6, 9, never.Engine, f.Engine);
        AssertSameState(never.Engine, f.Engine, 9);
    }

    [Fact]
    public async Task Checkpoints_EveryFewNodes_SameStateRootsAndProofsAsNone()
    {
        await using var tiny = new LaneFixture(Tiny);
        await using var never = new LaneFixture(Never);
        await RunStepsAsync(never, 0, 12, never.Engine, tiny.Engine);

        AssertSameState(never.Engine, tiny.Engine, 12);

        // The tiny threshold really took checkpoints while running (seen in a copy of the live store).
        var copy = NewDirectory();
        try
        {
            CopyDirectory(tiny.Directory, copy);
            using var db = OpenIndex(copy);
            Assert.True(CheckpointHeight(db) > 1, "a checkpoint above the first block was taken before shutdown");
            Assert.True(Count(db, "smt") > 0);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Theory]
    [InlineData(0)] // no nodes kept: every node from the generations or RocksDB
    [InlineData(5)] // dropped and refilled every few nodes
    [InlineData(1_000_000)] // the whole tree in memory
    public async Task StateCache_AnySize_WithCheckpoints_SameStateRootsAndProofs(int cacheNodes)
    {
        await using var never = new LaneFixture(Never);
        await using var cached = new LaneFixture(Tiny with { StateCacheNodes = cacheNodes });
        await RunStepsAsync(never, 0, 12, never.Engine, cached.Engine);
        AssertSameState(never.Engine, cached.Engine, 12);
        // And after a reopen (the cache starts empty; the tree replays from the last checkpoint).
        await cached.ReopenAsync();
        await RunStepsAsync(never, 12, 16, never.Engine, cached.Engine);
        AssertSameState(never.Engine, cached.Engine, 16);
    }

    [Fact]
    public async Task BigBlock_ItsNodeSetJoinsTheGeneration_ProofsAndCheckpointHold()
    {
        // 9,000 fresh items in one block create more than 16,384 state-map nodes: the block's node set joins the dirty
        // generation as it is (the small blocks after it are merged into the generation's tail). Views read both before
        // any checkpoint; the shutdown checkpoint writes both; after a reopen every proof still verifies.
        await using var f = new LaneFixture(Never);
        var serials = Enumerable.Range(0, 9_000).Select(i => "BIG" + i).ToArray();
        var big = SignedBatch.Sign([.. serials.Select(s => f.Record(Maker, Commission(s)))], Maker);
        Assert.True((await f.Engine.SubmitAsync(big)).Accepted);
        await RunStepsAsync(f, 0, 3);
        var sample = serials.Where((_, i) => i % 997 == 0).Select(Pack).Concat(Items(3)).ToList();
        var before = sample.Select(item => VerifiedStateProof(f.Engine, item)).ToList();
        var roots = StateRoots(f.Engine);
        await f.ReopenAsync();
        Assert.Equal(roots, StateRoots(f.Engine));
        Assert.Equal(before, sample.Select(item => VerifiedStateProof(f.Engine, item)).ToList());
    }

    [Fact]
    public async Task GetProvenance_DuringBackgroundCheckpoints_EveryProofVerifies()
    {
        await using var f = new LaneFixture(Tiny);
        await RunStepsAsync(f, 0, 1);
        var completed = 1;
        using var done = new CancellationTokenSource();
        var checkedAnswers = 0;
        var reader = Task.Run(() =>
        {
            var random = new Random(7);
            while (!done.IsCancellationRequested)
            {
                var step = random.Next(Volatile.Read(ref completed));
                VerifiedStateProof(f.Engine, Pack($"S{step}{"abc"[random.Next(3)]}"));
                checkedAnswers++;
            }
        });
        for (var i = 1; i < 30; i++)
        {
            await RunStepsAsync(f, i, i + 1);
            Volatile.Write(ref completed, i + 1);
        }
        await done.CancelAsync();
        await reader;
        Assert.True(checkedAnswers > 0);
    }

    [Fact]
    public async Task Reopen_AfterDispose_CheckpointAtHeadRootsMatchAndBlocksContinue()
    {
        await using var reference = new LaneFixture(Never);
        await using var f = new LaneFixture(Never);
        await RunStepsAsync(reference, 0, 6, reference.Engine, f.Engine);
        await f.Engine.DisposeAsync(); // (the fixture's reopen disposes it once more: a no-op)
        var height = f.Engine.Head.Height;
        using (var db = OpenIndex(f.Directory))
        {
            Assert.Equal(height, CheckpointHeight(db));
            Assert.True(Count(db, "smt") > 0);
            Assert.Equal(0, Count(db, "state-deltas")); // the deltas at or below the checkpoint are deleted
        }
        await f.ReopenAsync();
        Assert.Equal(height, f.Engine.Head.Height);
        AssertSameState(reference.Engine, f.Engine, 6);
        await RunStepsAsync(reference, 6, 10, reference.Engine, f.Engine);
        AssertSameState(reference.Engine, f.Engine, 10);
    }

    [Fact]
    public async Task Open_CopyTakenBeforeAnyCheckpoint_ReplaysDeltasAndContinues()
    {
        await using var live = new LaneFixture(Never);
        await RunStepsAsync(live, 0, 6);
        // A crash: the store files as they are while the lane runs, its blocks durable and no checkpoint taken.
        var copy = NewDirectory();
        CopyDirectory(live.Directory, copy);
        using (var db = OpenIndex(copy))
        {
            Assert.Equal(0, CheckpointHeight(db));
            Assert.Equal(0, Count(db, "smt")); // no state-map node was written per block
            Assert.True(Count(db, "state-deltas") > 0);
        }

        await using var recovered = new LaneFixture(Never, copy);
        Assert.Equal(live.Engine.Head.Height, recovered.Engine.Head.Height);
        AssertSameState(live.Engine, recovered.Engine, 6);
        await RunStepsAsync(live, 6, 10, live.Engine, recovered.Engine);
        AssertSameState(live.Engine, recovered.Engine, 10);
    }

    [Fact]
    public async Task Open_DamagedStateDelta_FailsNamingTheHeight()
    {
        await using var live = new LaneFixture(Never);
        await RunStepsAsync(live, 0, 3);
        var copy = NewDirectory();
        try
        {
            CopyDirectory(live.Directory, copy);
            using (var db = OpenIndex(copy))
            {
                var deltas = db.GetColumnFamily("state-deltas");
                var value = db.Get(deltas, HeightKey(2)) ?? throw new InvalidOperationException("no state delta at height 2");
                value[^5] ^= 0x01; // a byte of the last value (a record id)
                db.Put(deltas, HeightKey(2), value, sync: true);
            }
            var e = Assert.Throws<InvalidOperationException>(() => LedgerEngine.Open(copy, NodeKey, LaneFixture.Consortium, Never));
            Assert.Contains("height 2", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public async Task Open_StoreWithoutCheckpointKeyOrDeltas_TakesHeadAsCheckpoint()
    {
        await using var f = new LaneFixture(Never);
        await RunStepsAsync(f, 0, 4);
        await f.Engine.DisposeAsync(); // (the fixture's reopen disposes it once more: a no-op)
        // As written before checkpoints existed: every node of the head root in "smt", no checkpoint key, no deltas.
        using (var db = OpenIndex(f.Directory))
        {
            db.Delete(db.GetColumnFamily("meta"), StateCheckpointKey, sync: true);
            Assert.Equal(0, Count(db, "state-deltas"));
        }
        await f.ReopenAsync();
        foreach (var item in Items(4))
            VerifiedStateProof(f.Engine, item);
        await RunStepsAsync(f, 4, 6);
        foreach (var item in Items(6))
            VerifiedStateProof(f.Engine, item);
    }
}
