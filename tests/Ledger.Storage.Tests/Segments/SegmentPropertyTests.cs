using FsCheck;
using FsCheck.Fluent;
using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Storage.Tests.Segments;

/// <summary>Random sequences of appends (sizes from 0 to beyond the segment limit), flushes and reopens, read back in full.</summary>
public class SegmentPropertyTests
{
    /// <summary>One step: append a body of this size, then optionally flush, then optionally reopen at the last location.</summary>
    public sealed record Step(int Size, byte Fill, bool Flush, bool Reopen);

    private static readonly Gen<Step> Steps =
        from size in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 120)), (2, Gen.Choose(121, 700)))
        from fill in ArbMap.Default.GeneratorFor<byte>()
        from flush in Gen.Elements(true, false)
        from reopen in Gen.Frequency((1, Gen.Constant(true)), (5, Gen.Constant(false)))
        select new Step(size, fill, flush, reopen);

    private static byte[] Body(int index, Step step)
    {
        var b = new byte[step.Size];
        for (var i = 0; i < b.Length; i++)
            b[i] = (byte)(step.Fill + (i * 31) + index);
        return b;
    }

    [Fact]
    public void RandomAppends_ReopenAndReadBack_EverythingIntactAndScanInOrder()
    {
        var arb = Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Steps, n))
            .SelectMany(steps => Gen.Choose(40, 400).Select(limit => (steps, limit)))
            .ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), Prop.ForAll(arb, input =>
        {
            var (steps, limit) = input;
            var options = new BlockSegmentStoreOptions { SegmentSizeLimit = limit };
            using var dir = new TempDirectory();
            var written = new List<(BlockLocation Location, byte[] Body)>();
            var store = BlockSegmentStore.Open(dir.Path, null, options);
            try
            {
                for (var i = 0; i < steps.Length; i++)
                {
                    var body = Body(i, steps[i]);
                    var at = store.Append(body);
                    written.Add((at, body));
                    if (steps[i].Flush || steps[i].Reopen)
                        store.Flush();
                    if (steps[i].Reopen)
                    {
                        store.Dispose();
                        store = BlockSegmentStore.Open(dir.Path, at, options);
                        Assert.True(store.Recovery.IsClean);
                    }
                }
                store.Flush();
            }
            finally
            {
                store.Dispose();
            }

            using var reopened = BlockSegmentStore.Open(dir.Path, written.Count == 0 ? null : written[^1].Location, options);
            // With nothing committed, recovery deletes the header-only first segment; otherwise it has nothing to cut.
            Assert.Equal(written.Count != 0, reopened.Recovery.IsClean);
            foreach (var (location, body) in written)
                Assert.Equal(body, reopened.Read(location));
            var scanned = reopened.Scan().ToList();
            Assert.Equal(written.Select(w => w.Location), scanned.Select(f => f.Location));
            // Segments are numbered without gaps and only a single-frame segment may exceed the limit.
            var segments = written.Select(w => w.Location.Segment).Distinct().ToList();
            Assert.Equal(Enumerable.Range(1, segments.Count).Select(s => (ulong)s), segments);
            foreach (var group in written.GroupBy(w => w.Location.Segment))
                Assert.True(group.Count() == 1 || group.Max(w => w.Location.End) <= limit, $"segment {group.Key} exceeds {limit} with {group.Count()} frames");
        }));
    }

    [Fact]
    public void RandomAppends_ReopenAtEarlierCommit_ExactlyTheCommittedPrefixRemains()
    {
        var arb = Gen.Choose(1, 30).SelectMany(n => Gen.ArrayOf(Steps, n))
            .SelectMany(steps => Gen.Choose(0, steps.Length - 1).Select(commit => (steps, commit)))
            .ToArbitrary();
        var options = new BlockSegmentStoreOptions { SegmentSizeLimit = 256 };
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(arb, input =>
        {
            var (steps, commit) = input;
            using var dir = new TempDirectory();
            var written = new List<(BlockLocation Location, byte[] Body)>();
            using (var store = BlockSegmentStore.Open(dir.Path, null, options))
            {
                for (var i = 0; i < steps.Length; i++)
                {
                    var body = Body(i, steps[i]);
                    written.Add((store.Append(body), body));
                }
                store.Flush();
            }
            var committed = written[commit].Location;
            using var reopened = BlockSegmentStore.Open(dir.Path, committed, options);
            var later = written.Skip(commit + 1).Select(w => w.Location.Segment).Where(s => s > committed.Segment).Distinct().Count();
            Assert.Equal(later, reopened.Recovery.DeletedFiles.Count);
            var cutHere = written.Skip(commit + 1).Where(w => w.Location.Segment == committed.Segment).Sum(w => w.Location.End - w.Location.Offset);
            Assert.Equal(cutHere, reopened.Recovery.TruncatedBytes);
            Assert.Equal(written.Take(commit + 1).Select(w => w.Location), reopened.Scan().Select(f => f.Location));
            foreach (var (location, body) in written.Take(commit + 1))
                Assert.Equal(body, reopened.Read(location));
            var next = reopened.Append([42]);
            Assert.True(next.Segment > committed.Segment || next.Offset == committed.End, $"next frame at {next}, committed frame ends at {committed.End}");
        }));
    }
}
