using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Storage.Tests.Segments;

/// <summary>BlockSegmentStore.ReadSlice: positional reads of part of a frame's payload, bounds-checked against the frame.</summary>
public class ReadSliceTests
{
    private static byte[] Body(int seed, int length)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void ReadSlice_EveryRangeOfSeveralFramesAcrossSegments_ReturnsThoseBytes()
    {
        using var dir = new TempDirectory();
        using var store = BlockSegmentStore.Open(dir.Path, null, new BlockSegmentStoreOptions { SegmentSizeLimit = 300 });
        var written = Enumerable.Range(0, 6).Select(i => Body(i, 40 + (i * 37))).Select(b => (Location: store.Append(b), Body: b)).ToList();
        // Not flushed: the current segment's buffered frames must be readable too.
        Assert.True(written[^1].Location.Segment > written[0].Location.Segment, "expected the frames to span several segments");
        var random = new Random(7);
        foreach (var (location, body) in written)
        {
            Assert.Equal(body, store.ReadSlice(location, 0, body.Length));
            Assert.Empty(store.ReadSlice(location, body.Length, 0));
            for (var k = 0; k < 20; k++)
            {
                var offset = random.Next(body.Length);
                var length = random.Next(body.Length - offset + 1);
                Assert.Equal(body.AsSpan(offset, length).ToArray(), store.ReadSlice(location, offset, length));
            }
        }
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(0, 101)]
    [InlineData(100, 1)]
    [InlineData(98, 3)]
    [InlineData(5, -1)]
    [InlineData(int.MaxValue, int.MaxValue)]
    public void ReadSlice_RangeOutsideTheFrame_ThrowsNamingTheSegment(int offset, int length)
    {
        using var dir = new TempDirectory();
        using var store = BlockSegmentStore.Open(dir.Path, null);
        store.Append(Body(1, 50));
        var location = store.Append(Body(2, 100));
        store.Append(Body(4, 50)); // a frame follows: a read past this one's end would find bytes, not the end of the file
        store.Flush();
        var e = Assert.Throws<SegmentCorruptException>(() => store.ReadSlice(location, offset, length));
        Assert.Equal(SegmentFormat.FileName(location.Segment), e.FileName);
        Assert.Contains(SegmentFormat.FileName(location.Segment), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSlice_FileShorterThanTheFrame_ThrowsNamingTheSegment()
    {
        using var dir = new TempDirectory();
        using var store = BlockSegmentStore.Open(dir.Path, null);
        var location = store.Append(Body(3, 100));
        store.Flush();
        // A location claiming a longer payload than the file holds (a damaged index entry).
        var claimed = location with { Length = 500 };
        var e = Assert.Throws<SegmentCorruptException>(() => store.ReadSlice(claimed, 90, 300));
        Assert.Equal(SegmentFormat.FileName(location.Segment), e.FileName);
    }
}
