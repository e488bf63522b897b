using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Lane;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Lane.LaneFixture;

namespace Ledger.Engine.Tests.Lane;

/// <summary>The sequencer's in-memory filters of record ids and item keys (<see cref="KeyFilter"/>), alone and in the lane.</summary>
public sealed class KeyFilterTests
{
    private static byte[][] RandomKeys(int count, int seed)
    {
        var random = new Random(seed);
        var keys = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            keys[i] = new byte[32];
            random.NextBytes(keys[i]);
        }
        return keys;
    }

    [Fact]
    public void Incomplete_MayContainEverything()
    {
        var filter = new KeyFilter();
        foreach (var key in RandomKeys(1_000, 1))
            Assert.True(filter.MayContain(key));
        filter.MarkComplete();
        Assert.Equal(1_000, RandomKeys(1_000, 1).Count(k => !filter.MayContain(k)));
    }

    [Fact]
    public void PastItsBound_StopsFilteringWithoutFalseNegatives()
    {
        // Room for the first segment (65,536 keys, 128 KiB) and the next (256 KiB), not for a third.
        var filter = new KeyFilter(expected: 1, maxBytes: 400 * 1024);
        filter.MarkComplete();
        var keys = RandomKeys(250_000, 7);
        foreach (var key in keys.AsSpan(0, 150_000))
            filter.Add(key);
        Assert.False(filter.Overflowed);
        Assert.True(RandomKeys(10_000, 8).Count(k => !filter.MayContain(k)) > 9_000);
        foreach (var key in keys.AsSpan(150_000))
            filter.Add(key);
        Assert.True(filter.Overflowed);
        Assert.True(filter.Bytes <= 400 * 1024);
        Assert.All(keys, k => Assert.True(filter.MayContain(k)));
        Assert.All(RandomKeys(1_000, 9), k => Assert.True(filter.MayContain(k)));
    }

    [Fact]
    public void NoFalseNegatives_AcrossGrowth_AndFewFalsePositives()
    {
        // 300,000 keys into a filter sized for 1: the first segment (65,536 keys) doubles several times.
        var filter = new KeyFilter(expected: 1);
        var added = RandomKeys(300_000, 2);
        foreach (var key in added)
            filter.Add(key);
        filter.MarkComplete();
        Assert.All(added, k => Assert.True(filter.MayContain(k)));
        Assert.Equal(300_000, filter.Count);
        var others = RandomKeys(100_000, 3);
        var falsePositives = others.Count(k => filter.MayContain(k));
        // 16 bits per key in every segment, a few segments: well under 2 % (a full or broken filter answers ~100 %).
        Assert.InRange(falsePositives, 0, 2_000);
    }

    [Fact]
    public void ConcurrentAdds_NoFalseNegatives()
    {
        var filter = new KeyFilter();
        var added = RandomKeys(200_000, 4);
        Parallel.For(0, 4, t =>
        {
            for (var i = t; i < added.Length; i += 4)
                filter.Add(added[i]);
        });
        filter.MarkComplete();
        Assert.All(added, k => Assert.True(filter.MayContain(k)));
    }

    [Fact]
    public void Property_EveryAddedKeyMayBeContained()
    {
        Prop.ForAll(Gen.ArrayOf(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 32)).ToArbitrary(), keys =>
        {
            var filter = new KeyFilter();
            foreach (var key in keys)
                filter.Add(key);
            filter.MarkComplete();
            return keys.All(k => filter.MayContain(k));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public async Task Lane_AfterReopenAndScan_FindsWhatIsOnDisk_AndRefusesDuplicates()
    {
        await using var f = new LaneFixture();
        var serials = Enumerable.Range(0, 500).Select(i => "K" + i).ToArray();
        var batch = SignedBatch.Sign([.. serials.Select(s => f.Record(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, [s])))], Maker);
        Assert.True((await f.Engine.SubmitAsync(batch)).Accepted);
        await f.ReopenAsync();
        await f.Engine.Store.KeyScan;
        Assert.True(f.Engine.Store.RecordFilter.IsComplete);
        Assert.True(f.Engine.Store.ItemFilter.IsComplete);
        Assert.Equal(500, f.Engine.Store.RecordFilter.Count);
        Assert.Equal(500, f.Engine.Store.ItemFilter.Count);
        // What is on disk is found through the complete filters…
        Assert.All(serials, s => Assert.NotNull(f.Engine.Store.GetItem(Pack(s))));
        Assert.All(batch.Records, r => Assert.NotNull(f.Engine.Store.FindRecord(r.Id)));
        Assert.Null(f.Engine.Store.GetItem(Pack("never")));
        // …so the sequencer refuses a second commissioning and answers a resubmission as a duplicate.
        var again = await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["K7"]));
        Assert.Equal(CustodyErrorCodes.AlreadyCommissioned, again.Outcomes[0].Code);
        var duplicate = await f.Engine.SubmitAsync(batch);
        Assert.All(duplicate.Outcomes, o => Assert.Equal(OutcomeStatus.Duplicate, o.Status));
        // What the sequencer writes after the scan is added as it is written.
        Assert.True((await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["K-new"]))).Accepted);
        Assert.NotNull(f.Engine.Store.GetItem(Pack("K-new")));
        var third = await f.Submit(Maker, new CommissionPayload(Gtin, "LOT1", "281231", MakerGln, ["K-new"]));
        Assert.Equal(CustodyErrorCodes.AlreadyCommissioned, third.Outcomes[0].Code);
    }
}
