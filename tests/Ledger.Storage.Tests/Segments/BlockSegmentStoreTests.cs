using System.Globalization;
using System.Text;
using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Storage.Tests.Segments;

/// <summary>Round trips, the exact byte layout, corruption errors and recovery, on real files in temp directories.</summary>
public class BlockSegmentStoreTests
{
    private static readonly BlockSegmentStoreOptions Small = new() { SegmentSizeLimit = 200 };

    private static byte[] Body(int seed, int length)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static string SegPath(TempDirectory dir, ulong segment) => dir.Sub(SegmentFormat.FileName(segment));

    [Fact]
    public void AppendRead_AcrossRollover_RoundTripsAndReopens()
    {
        using var dir = new TempDirectory();
        var sizes = new[] { 0, 10, 100, 150, 1, 500, 0, 60, 60, 60, 3 };
        var written = new List<(BlockLocation Location, byte[] Body)>();
        using (var store = BlockSegmentStore.Open(dir.Path, null, Small))
        {
            for (var i = 0; i < sizes.Length; i++)
            {
                var body = Body(i, sizes[i]);
                written.Add((store.Append(body), body));
            }
            store.Flush();
            foreach (var (location, body) in written)
                Assert.Equal(body, store.Read(location));
        }
        Assert.True(written[^1].Location.Segment >= 5, $"expected several rollovers, last segment is {written[^1].Location.Segment}");
        // Every segment but the last respects the limit unless it holds a single frame larger than the limit.
        foreach (var group in written.GroupBy(w => w.Location.Segment))
        {
            var size = new FileInfo(SegPath(dir, group.Key)).Length;
            Assert.True(size <= Small.SegmentSizeLimit || group.Count() == 1, $"segment {group.Key} is {size} bytes with {group.Count()} frames");
        }

        using (var reopened = BlockSegmentStore.Open(dir.Path, written[^1].Location, Small))
        {
            Assert.True(reopened.Recovery.IsClean);
            foreach (var (location, body) in written)
                Assert.Equal(body, reopened.Read(location));
            var more = Body(99, 20);
            var at = reopened.Append(more);
            reopened.Flush();
            Assert.Equal(more, reopened.Read(at));
            Assert.Equal([.. written.Select(w => w.Location), at], reopened.Scan().Select(f => f.Location));
        }
    }

    [Fact]
    public void Append_ReadBeforeFlush_SeesBufferedFrame()
    {
        using var dir = new TempDirectory();
        using var store = BlockSegmentStore.Open(dir.Path, null);
        var at = store.Append("abc"u8);
        Assert.Equal("abc"u8.ToArray(), store.Read(at));
    }

    [Fact]
    public void Append_FirstFrame_FileBytesMatchSpec()
    {
        using var dir = new TempDirectory();
        BlockLocation at;
        using (var store = BlockSegmentStore.Open(dir.Path, null))
        {
            at = store.Append("abc"u8);
            store.Flush();
        }
        Assert.Equal(new BlockLocation(1, 32, 3), at);
        // Written by hand from docs/spec/storage-segments.md; CRC-32C("abc") = 0x364B3FB7.
        var expected = Convert.FromHexString(
            "4C44475253454731" + "0001" + "0001" + "0000000000000001" + "000000000000000000000000"
            + "00000003" + "364B3FB7" + "616263");
        Assert.Equal(expected, File.ReadAllBytes(SegPath(dir, 1)));
    }

    [Fact]
    public void ReadAndScan_FlippedPayloadByte_NameFileOffsetAndCrcMismatch()
    {
        using var dir = new TempDirectory();
        var first = Body(1, 50);
        var second = Body(2, 70);
        var third = Body(3, 20);
        BlockLocation a, b, c;
        using (var store = BlockSegmentStore.Open(dir.Path, null))
        {
            a = store.Append(first);
            b = store.Append(second);
            c = store.Append(third);
            store.Flush();
        }
        var path = SegPath(dir, 1);
        var bytes = File.ReadAllBytes(path);
        bytes[b.Offset + 8 + 13] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var damaged = (byte[])second.Clone();
        damaged[13] ^= 0x01;
        var message = string.Create(CultureInfo.InvariantCulture,
            $"seg-000000000001.dat offset {b.Offset}: CRC32C 0x{Crc32C.Compute(second):x8} does not match the payload (0x{Crc32C.Compute(damaged):x8})");

        using var reopened = BlockSegmentStore.Open(dir.Path, c);
        Assert.Equal(first, reopened.Read(a));
        Assert.Equal(third, reopened.Read(c));
        var read = Assert.Throws<SegmentCorruptException>(() => reopened.Read(b));
        Assert.Equal(message, read.Message);
        Assert.Equal("seg-000000000001.dat", read.FileName);
        Assert.Equal(b.Offset, read.Offset);

        var frames = new List<SegmentFrame>();
        var scan = Assert.Throws<SegmentCorruptException>(() => frames.AddRange(reopened.Scan()));
        Assert.Equal(message, scan.Message);
        Assert.Equal([a], frames.Select(f => f.Location));
    }

    [Fact]
    public void Open_CommittedFrameDamaged_Throws()
    {
        using var dir = new TempDirectory();
        BlockLocation a;
        using (var store = BlockSegmentStore.Open(dir.Path, null))
        {
            a = store.Append(Body(1, 40));
            store.Flush();
        }
        var bytes = File.ReadAllBytes(SegPath(dir, 1));
        bytes[a.Offset + 8] ^= 0x80;
        File.WriteAllBytes(SegPath(dir, 1), bytes);
        var e = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.Open(dir.Path, a));
        Assert.StartsWith("seg-000000000001.dat offset 32: CRC32C 0x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FlippedMagicByte_ThrowsMagicError()
    {
        using var dir = new TempDirectory();
        var a = WriteOne(dir);
        Patch(SegPath(dir, 1), 3, b => (byte)(b ^ 0x20)); // 'R' -> 'r'
        var e = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.Open(dir.Path, a));
        Assert.Equal("seg-000000000001.dat offset 0: magic is 4c44477253454731, expected \"LDGRSEG1\" (4c44475253454731)", e.Message);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Scan_FlippedMagicByte_ThrowsMagicError()
    {
        using var dir = new TempDirectory();
        WriteOne(dir);
        Patch(SegPath(dir, 1), 0, _ => (byte)'X');
        var e = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.ScanDirectory(dir.Path).ToList());
        Assert.Equal("seg-000000000001.dat offset 0: magic is 5844475253454731, expected \"LDGRSEG1\" (4c44475253454731)", e.Message);
    }

    [Fact]
    public void OpenAndScan_SegmentFileMissingBeforeCommitted_Throws()
    {
        using var dir = new TempDirectory();
        BlockLocation last;
        using (var store = BlockSegmentStore.Open(dir.Path, null, Small))
        {
            store.Append(Body(1, 150));
            store.Append(Body(2, 150));
            last = store.Append(Body(3, 150));
            store.Flush();
        }
        File.Delete(SegPath(dir, 2));
        const string Message = "seg-000000000002.dat offset 0: the segment file is missing (seg-000000000003.dat exists; segments are numbered from 1 without gaps)";
        Assert.Equal(Message, Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.Open(dir.Path, last, Small)).Message);
        Assert.Equal(Message, Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.ScanDirectory(dir.Path).ToList()).Message);
    }

    [Fact]
    public void Open_MinimumCompatibleVersionTooNew_ThrowsVersionError()
    {
        using var dir = new TempDirectory();
        var a = WriteOne(dir);
        Patch(SegPath(dir, 1), 9, _ => 2);  // format version 2
        Patch(SegPath(dir, 1), 11, _ => 2); // minimum compatible version 2
        var e = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.Open(dir.Path, a));
        Assert.Equal("seg-000000000001.dat offset 8: format version 2 needs a reader of version 2 or later; this reader is version 1", e.Message);
    }

    [Fact]
    public void Open_NewerVersionReadableByThisReader_Opens()
    {
        using var dir = new TempDirectory();
        var a = WriteOne(dir);
        Patch(SegPath(dir, 1), 9, _ => 3); // format version 3, minimum compatible version still 1
        using var store = BlockSegmentStore.Open(dir.Path, a);
        Assert.Equal(40, store.Read(a).Length);
    }

    [Fact]
    public void Open_MinimumAboveVersion_ThrowsInvalidPair()
    {
        using var dir = new TempDirectory();
        var a = WriteOne(dir);
        Patch(SegPath(dir, 1), 9, _ => 0); // format version 0
        var e = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.Open(dir.Path, a));
        Assert.Equal("seg-000000000001.dat offset 8: format version 0 with minimum compatible version 1 is not a valid pair", e.Message);
    }

    [Fact]
    public void Open_HeaderSegmentNumberWrong_Throws()
    {
        using var dir = new TempDirectory();
        var a = WriteOne(dir);
        Patch(SegPath(dir, 1), 19, _ => 7);
        var e = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.Open(dir.Path, a));
        Assert.Equal("seg-000000000001.dat offset 12: header says segment 7, the file name says 1", e.Message);
    }

    [Fact]
    public void Open_CommittedSegmentMissing_Throws()
    {
        using var dir = new TempDirectory();
        WriteOne(dir);
        var e = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.Open(dir.Path, new BlockLocation(2, 32, 5)));
        Assert.Equal("seg-000000000002.dat offset 32: the file holding the last committed frame does not exist", e.Message);
    }

    [Fact]
    public void Open_TornTailMidFrame_TruncatesExactlyTheTailAndKeepsWorking()
    {
        using var dir = new TempDirectory();
        var bodies = new[] { Body(1, 30), Body(2, 40), Body(3, 50) };
        BlockLocation[] at;
        using (var store = BlockSegmentStore.Open(dir.Path, null))
        {
            at = [.. bodies.Select(b => store.Append(b))];
            store.Flush();
        }
        var path = SegPath(dir, 1);
        var cut = at[2].Offset + 8 + 17; // mid-payload of the third frame, which was never committed
        using (var f = new FileStream(path, FileMode.Open))
            f.SetLength(cut);

        // Without recovery, a verify pass reports the torn frame.
        var torn = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.ScanDirectory(dir.Path).ToList());
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"seg-000000000001.dat offset {at[2].Offset}: length 50 runs past the end of the file (size {cut})"), torn.Message);

        using var reopened = BlockSegmentStore.Open(dir.Path, at[1]);
        var r = reopened.Recovery;
        Assert.Equal(("seg-000000000001.dat", at[1].End, cut - at[1].End), (r.TruncatedFile, r.TruncatedFrom, r.TruncatedBytes));
        Assert.Empty(r.DeletedFiles);
        Assert.Equal(at[1].End, new FileInfo(path).Length);
        var next = Body(4, 25);
        var d = reopened.Append(next);
        reopened.Flush();
        Assert.Equal(at[1].End, d.Offset);
        Assert.Equal(bodies[0], reopened.Read(at[0]));
        Assert.Equal(bodies[1], reopened.Read(at[1]));
        Assert.Equal(next, reopened.Read(d));
        Assert.Equal([at[0], at[1], d], reopened.Scan().Select(f => f.Location));
    }

    [Fact]
    public void Open_GarbageAfterLastFrameAndLaterSegments_TruncatedAndDeleted()
    {
        using var dir = new TempDirectory();
        BlockLocation a, b, c;
        using (var store = BlockSegmentStore.Open(dir.Path, null, Small))
        {
            a = store.Append(Body(1, 100));
            b = store.Append(Body(2, 150)); // rolls over to segment 2
            c = store.Append(Body(3, 150)); // segment 3
            store.Flush();
        }
        Assert.Equal((1UL, 2UL, 3UL), (a.Segment, b.Segment, c.Segment));
        var garbage = Encoding.ASCII.GetBytes("not a frame at all, just junk after the end");
        using (var f = new FileStream(SegPath(dir, 1), FileMode.Append))
            f.Write(garbage);

        var scan = Assert.Throws<SegmentCorruptException>(() => BlockSegmentStore.ScanDirectory(dir.Path).ToList());
        Assert.Equal("seg-000000000001.dat", scan.FileName);
        Assert.Equal(a.End, scan.Offset);

        using var reopened = BlockSegmentStore.Open(dir.Path, a, Small);
        var r = reopened.Recovery;
        Assert.Equal(("seg-000000000001.dat", a.End, (long)garbage.Length), (r.TruncatedFile, r.TruncatedFrom, r.TruncatedBytes));
        Assert.Equal(["seg-000000000002.dat", "seg-000000000003.dat"], reopened.Recovery.DeletedFiles);
        Assert.False(File.Exists(SegPath(dir, 2)));
        Assert.False(File.Exists(SegPath(dir, 3)));
        Assert.Equal(a.End, new FileInfo(SegPath(dir, 1)).Length);
        var again = reopened.Append(Body(5, 150));
        reopened.Flush();
        Assert.Equal(new BlockLocation(2, 32, 150), again);
        Assert.Equal(Body(5, 150), reopened.Read(again));
        Assert.Equal(Body(1, 100), reopened.Read(a));
    }

    [Fact]
    public void Open_NothingCommitted_DeletesEverySegmentAndStartsAtOne()
    {
        using var dir = new TempDirectory();
        using (var store = BlockSegmentStore.Open(dir.Path, null, Small))
        {
            store.Append(Body(1, 150));
            store.Append(Body(2, 150));
            store.Flush();
        }
        using var reopened = BlockSegmentStore.Open(dir.Path, null, Small);
        Assert.Equal(["seg-000000000001.dat", "seg-000000000002.dat"], reopened.Recovery.DeletedFiles);
        Assert.Equal(new BlockLocation(1, 32, 4), reopened.Append([1, 2, 3, 4]));
        Assert.Equal(["seg-000000000001.dat"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Read_LocationLengthDiffersFromFrame_Throws()
    {
        using var dir = new TempDirectory();
        var a = WriteOne(dir);
        using var store = BlockSegmentStore.Open(dir.Path, a);
        var e = Assert.Throws<SegmentCorruptException>(() => store.Read(a with { Length = 41 }));
        Assert.Equal("seg-000000000001.dat offset 32: length 40 does not match the index, which says 41", e.Message);
        var missing = Assert.Throws<SegmentCorruptException>(() => store.Read(new BlockLocation(9, 32, 1)));
        Assert.Equal("seg-000000000009.dat offset 32: the segment file does not exist", missing.Message);
        var past = Assert.Throws<SegmentCorruptException>(() => store.Read(new BlockLocation(1, a.End, 0)));
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"seg-000000000001.dat offset {a.End}: frame header runs past the end of the file (size {a.End})"), past.Message);
    }

    [Fact]
    public void Append_AfterFailedRollover_RefusesEveryLaterWrite()
    {
        using var dir = new TempDirectory();
        // A directory where segment 2 must be created makes the rollover fail.
        Directory.CreateDirectory(SegPath(dir, 2));
        using var store = BlockSegmentStore.Open(dir.Path, null, Small);
        var a = store.Append(Body(1, 150));
        Assert.ThrowsAny<IOException>(() => store.Append(Body(2, 150)));
        Directory.Delete(SegPath(dir, 2));
        var refused = Assert.Throws<InvalidOperationException>(() => store.Append(Body(3, 1)));
        Assert.StartsWith("the segment store stopped writing after a failed write", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(store.Flush);
        Assert.Equal(Body(1, 150), store.Read(a)); // reads keep working (the rollover fsynced segment 1)
    }

    private static BlockLocation WriteOne(TempDirectory dir)
    {
        using var store = BlockSegmentStore.Open(dir.Path, null);
        var a = store.Append(Body(7, 40));
        store.Flush();
        return a;
    }

    private static void Patch(string path, long offset, Func<byte, byte> change)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[offset] = change(bytes[offset]);
        File.WriteAllBytes(path, bytes);
    }
}
