using System.Globalization;
using Ledger.Engine.Lane;
using Ledger.Storage.RocksDb;
using Xunit;
using Xunit.Abstractions;

namespace Ledger.Engine.Tests.Faults;

/// <summary>
/// Byte flips and truncations at random offsets of the lane store's files (segment files, RocksDB's index files): each
/// is detected and named at open or on read, and nothing damaged is ever served as data. Set LEDGER_CORRUPTION_SEED to
/// replay a failure.
/// </summary>
public sealed class StoreCorruptionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Blocks = 8;
    private const int Trials = 16;
    private const string Segment = "seg-000000000001.dat";
    private readonly FaultTestLane _base = new();
    private readonly Dictionary<long, byte[]> _blocks = [];
    private long _head;

    public async Task InitializeAsync()
    {
        _base.Open();
        for (var i = 0; i < Blocks; i++)
        {
            await _base.WriteAsync(records: 3 + i);
            if (i == Blocks / 2)
                _base.Engine!.Store.Db.Flush(); // table files as well as a write-ahead log
        }
        _head = _base.Engine!.Head.Height;
        for (long h = 1; h <= _head; h++)
            _blocks[h] = _base.Engine.Store.GetBlock(h)!.Encode();
        await _base.CloseAsync();
    }

    public async Task DisposeAsync() => await _base.DisposeAsync();

    private static Random Seeded(ITestOutputHelper output, string test)
    {
        var seed = Environment.GetEnvironmentVariable("LEDGER_CORRUPTION_SEED") is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"{test}: seed {seed} (LEDGER_CORRUPTION_SEED={seed} replays it)");
        return new Random(seed);
    }

    [Fact]
    public async Task SegmentByteFlip_AtRandomOffsets_DetectedAtOpenOrOnReadNeverServed()
    {
        var random = Seeded(output, nameof(SegmentByteFlip_AtRandomOffsets_DetectedAtOpenOrOnReadNeverServed));
        var length = new FileInfo(Path.Combine(_base.Directory, "blocks", Segment)).Length;
        for (var trial = 0; trial < Trials; trial++)
        {
            // Bytes 20-31 of the header are reserved: written as zero, never read (storage-segments.md), so not data.
            // Bytes 8-9 are the format version: a flip there almost always raises it, and a raised version with an
            // unchanged minimum is by the format's rule a newer writer's valid header (storage-segments.md), so
            // the reader cannot tell it from damage; the flips of 0-7, 10-19 (magic, minimum, number) are found.
            long offset;
            do
                offset = random.NextInt64(length);
            while (offset is (>= 20 and < 32) or 8 or 9);
            var bit = (byte)(1 << random.Next(8));
            await using var copy = Copy();
            Flip(Path.Combine(copy.Directory, "blocks", Segment), offset, bit);
            await CheckDamagedSegmentAsync(copy, string.Create(CultureInfo.InvariantCulture, $"flip of bit 0x{bit:x2} at offset {offset}"));
        }
    }

    [Fact]
    public async Task SegmentTruncated_AtRandomOffsets_DetectedAtOpenReadsUpToTheCut()
    {
        var random = Seeded(output, nameof(SegmentTruncated_AtRandomOffsets_DetectedAtOpenReadsUpToTheCut));
        var length = new FileInfo(Path.Combine(_base.Directory, "blocks", Segment)).Length;
        for (var trial = 0; trial < Trials; trial++)
        {
            var cut = random.NextInt64(length);
            await using var copy = Copy();
            using (var file = new FileStream(Path.Combine(copy.Directory, "blocks", Segment), FileMode.Open))
                file.SetLength(cut);
            var engine = await CheckDamagedSegmentAsync(copy, string.Create(CultureInfo.InvariantCulture, $"truncation at {cut}"));
            // A cut inside the committed frames is found at open: the head's frame is the last byte of the file.
            Assert.Equal(LaneWriteStatus.Damaged, engine.WriteState.Status);
        }
    }

    [Fact]
    public async Task SegmentByteFlip_InAnOldFrame_FoundByTheScrubWithoutAnyRead()
    {
        var length = new FileInfo(Path.Combine(_base.Directory, "blocks", Segment)).Length;
        await using var copy = Copy();
        copy.Options = copy.Options with { ScrubBytesPerSecond = 1L << 30 };
        Flip(Path.Combine(copy.Directory, "blocks", Segment), length / 3, 0x10);
        var engine = copy.Open();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while (engine.WriteState.Status != LaneWriteStatus.Damaged)
                await Task.Delay(20, wait.Token);
        Assert.Equal(1, engine.DamageAlerts);
        Assert.Contains("ledger/blocks/" + Segment + " offset ", engine.WriteState.Detail, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => engine.SubmitAsync(copy.NextBatch()));
        Assert.Equal("storage-damaged", refused.State.Code);
    }

    [Fact]
    public async Task IndexFileByteFlip_AtRandomOffsets_DetectedAtOpenOrOnReadNeverServed()
    {
        var random = Seeded(output, nameof(IndexFileByteFlip_AtRandomOffsets_DetectedAtOpenOrOnReadNeverServed));
        // The files RocksDB reads its data from: tables, write-ahead logs, the manifest and CURRENT (LOG and OPTIONS-*
        // are RocksDB's own notes, never read back as data).
        var files = Directory.GetFiles(Path.Combine(_base.Directory, "index"))
            .Select(Path.GetFileName)
            .Where(n => n!.EndsWith(".sst", StringComparison.Ordinal) || n.EndsWith(".log", StringComparison.Ordinal)
                || n.StartsWith("MANIFEST-", StringComparison.Ordinal) || n == "CURRENT")
            .Where(n => new FileInfo(Path.Combine(_base.Directory, "index", n!)).Length > 0)
            .Order(StringComparer.Ordinal)
            .ToList();
        output.WriteLine("index files: " + string.Join(", ", files));
        Assert.Contains(files, f => f!.EndsWith(".sst", StringComparison.Ordinal) || f.EndsWith(".log", StringComparison.Ordinal));
        var detected = 0;
        for (var trial = 0; trial < 2 * Trials; trial++)
        {
            var name = files[random.Next(files.Count)]!;
            var length = new FileInfo(Path.Combine(_base.Directory, "index", name)).Length;
            var offset = random.NextInt64(length);
            var bit = (byte)(1 << random.Next(8));
            var context = string.Create(CultureInfo.InvariantCulture, $"index/{name}: flip of bit 0x{bit:x2} at offset {offset}");
            await using var copy = Copy();
            Flip(Path.Combine(copy.Directory, "index", name), offset, bit);
            LedgerEngine engine;
            try
            {
                engine = copy.Open();
            }
            catch (StoreDamagedException e)
            {
                // Detected at open: the node reports it in one line and does not start (the index is rebuilt or restored).
                output.WriteLine($"{context}: at open: {e.Message}");
                Assert.StartsWith("ledger/index offset 0: ", e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(copy.Directory, e.Message, StringComparison.Ordinal);
                detected++;
                continue;
            }
            var found = ReadEverything(copy, engine, context);
            if (found is not null)
            {
                output.WriteLine($"{context}: on read: {found}");
            }
            else
            {
                // What no read touched is found by the scrub's check of every table block.
                Assert.False(engine.Store.VerifyIndex(), $"{context}: neither open, nor a read, nor the index scrub found the flip");
                Assert.Equal(LaneWriteStatus.Damaged, engine.WriteState.Status);
                Assert.StartsWith("ledger/index offset 0: ", engine.WriteState.Detail, StringComparison.Ordinal);
                output.WriteLine($"{context}: by the index scrub: {engine.WriteState.Detail}");
            }
            detected++;
        }
        Assert.Equal(2 * Trials, detected);
    }

    /// <summary>Opens the damaged copy and checks that nothing damaged is served and the damage is found and named.</summary>
    private async Task<LedgerEngine> CheckDamagedSegmentAsync(FaultTestLane copy, string context)
    {
        var engine = copy.Open();
        var damagedAtOpen = engine.WriteState.Status == LaneWriteStatus.Damaged;
        var found = ReadEverything(copy, engine, context);
        Assert.True(damagedAtOpen || found is not null, $"{context}: the damage was neither found at open nor on read");
        var state = engine.WriteState;
        Assert.Equal(LaneWriteStatus.Damaged, state.Status);
        Assert.Equal("ledger/blocks/" + Segment, state.Path);
        Assert.Contains("ledger/blocks/" + Segment + " offset ", state.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(copy.Directory, state.Detail, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<LaneWritesRefusedException>(() => engine.SubmitAsync(copy.NextBatch()));
        Assert.Equal("storage-damaged", refused.State.Code);
        output.WriteLine($"{context}: {(damagedAtOpen ? "at open" : "on read")}: {state.Detail}");
        return engine;
    }

    /// <summary>
    /// Reads every block and every acknowledged record: each read returns the original bytes or is refused as damaged
    /// (naming the file); returns the first refusal's message, or null when every read returned the original.
    /// </summary>
    private string? ReadEverything(FaultTestLane copy, LedgerEngine engine, string context)
    {
        string? first = null;
        Assert.Equal(_head, engine.Head.Height);
        for (long h = 1; h <= _head; h++)
        {
            try
            {
                var block = engine.Store.GetBlock(h);
                Assert.True(block is not null, $"{context}: block {h} is missing");
                Assert.True(block!.Encode().AsSpan().SequenceEqual(_blocks[h]), $"{context}: block {h} was served changed");
            }
            catch (Exception e) when (IsDamageReport(e))
            {
                first ??= e.Message;
            }
        }
        foreach (var id in _base.Acknowledged)
        {
            try
            {
                var record = engine.Store.GetRecord(id);
                Assert.True(record is not null, $"{context}: acknowledged record {id} is missing");
                Assert.Equal(id, record!.Id);
            }
            catch (Exception e) when (IsDamageReport(e))
            {
                first ??= e.Message;
            }
        }
        Assert.True(first is null || !first.Contains(copy.Directory, StringComparison.Ordinal) || first.Contains("/index/", StringComparison.Ordinal),
            $"{context}: a damage report names an absolute path: {first}");
        return first;
    }

    private static bool IsDamageReport(Exception e) => e switch
    {
        StoreDamagedException => true,
        RocksDbException r => r.Message.Contains("orruption", StringComparison.Ordinal) || r.Message.Contains("hecksum", StringComparison.Ordinal),
        InvalidOperationException or Ledger.Protocol.Rlp.RlpException or Ledger.Protocol.Records.RecordFormatException => e.Message.Contains("damaged", StringComparison.Ordinal)
            || e is not InvalidOperationException,
        _ => false,
    };

    private FaultTestLane Copy()
    {
        var copy = new FaultTestLane(options: _base.Options);
        foreach (var file in Directory.GetFiles(_base.Directory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy.Directory, Path.GetRelativePath(_base.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        copy.Acknowledged.AddRange(_base.Acknowledged);
        return copy;
    }

    private static void Flip(string path, long offset, byte bit)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ bit));
    }
}
