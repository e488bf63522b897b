using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Engine.Tests.Replication.ThreeNodes;

namespace Ledger.Engine.Tests.Replication;

/// <summary>
/// Pull of missing ranges, the engine's side (docs/spec/cluster.md §4): node 2 misses everything pushed while it was
/// away, then pulls it from its peers' stores and ends with the same headers and certificates as they have.
/// </summary>
public sealed class RangePullTests
{
    private static readonly Address[] Lanes = [.. NodeKeys.Select(k => k.Address)];

    /// <summary>Node 0 writes <paramref name="lane0"/> blocks and node 1 <paramref name="lane1"/> blocks (each a scan of a pack of lane 0) while nothing reaches node 2.</summary>
    private static async Task WriteWhileNode2IsAwayAsync(ThreeNodes t, int lane0, int lane1)
    {
        t.Drop = (to, _) => to == 2;
        for (var i = 0; i < lane0; i++)
        {
            var r = await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, [$"P{i}"]));
            Assert.True(r.Accepted, r.Outcomes[0].Message);
            await t.DeliverAllAsync();
        }
        for (var i = 0; i < lane1; i++)
        {
            var r = await t.Submit(1, Wholesaler, new VerifyPayload(Pack($"P{i % Math.Max(lane0, 1)}"), "L1", "281231", "receiving", WholesalerGln, null));
            Assert.True(r.Accepted, r.Outcomes[0].Message);
            await t.DeliverAllAsync();
        }
        Assert.Equal((0L, 0L), (t.Engines[2].HeadOf(Lanes[0]).Height, t.Engines[2].HeadOf(Lanes[1]).Height));
    }

    /// <summary>One pull by <paramref name="to"/> from <paramref name="from"/>, answered from the store and applied, then the pushes it causes delivered (or dropped).</summary>
    private static async Task<PullOutcome> PullAsync(ThreeNodes t, int to, int from, RangePullOptions? options = null)
    {
        var request = new RangePull(t.Engines[to], options).BuildRequest();
        var answer = new RangePull(t.Engines[from], options).Answer(Lanes[to], request);
        var outcome = await new RangePull(t.Engines[to], options).ApplyAsync(request, answer);
        await t.DeliverAllAsync();
        return outcome;
    }

    private static void AssertIdenticalEverywhere(ThreeNodes t, int[] heights)
    {
        for (var lane = 0; lane < 3; lane++)
        {
            for (var node = 0; node < 3; node++)
                Assert.Equal(heights[lane], t.Engines[node].HeadOf(Lanes[lane]).Height);
            for (var h = 1; h <= heights[lane]; h++)
            {
                var (header, certificate) = t.Engines[0].GetLaneBlock(Lanes[lane], h);
                Assert.True(t.Engines[0].IsCertified(Lanes[lane], h), $"lane {lane} height {h} is not certified on node 0");
                for (var node = 1; node < 3; node++)
                {
                    var (otherHeader, otherCertificate) = t.Engines[node].GetLaneBlock(Lanes[lane], h);
                    Assert.Equal(header!.Encode(), otherHeader!.Encode());
                    Assert.Equal(certificate!.Encode(), otherCertificate!.Encode());
                }
            }
        }
    }

    [Fact]
    public async Task NodeAway_MissedBlocksOfTwoLanes_OnePullBringsIdenticalCertifiedLanes()
    {
        await using var t = new ThreeNodes();
        await WriteWhileNode2IsAwayAsync(t, lane0: 4, lane1: 3);
        // 3 of 3 is the quorum: nothing of lanes 0 and 1 is certified while node 2 is away.
        Assert.False(t.Engines[0].IsCertified(Lanes[0], 1));

        // Node 2 is back but still misses every push to it (its peers' sent queues were lost): only pulls reach it.
        // Each block comes with node 0's cosignatures so far; node 2 adds its own, and its cosignatures certify on 0 and 1.
        var first = await PullAsync(t, to: 2, from: 0);
        // Lane 1's blocks name lane 0's height 4 (a ref): taken one height of each lane in turn, they are held until it comes.
        Assert.Equal((7, 4, 3, 0, false), (first.Blocks, first.Applied, first.Held, first.Rejected, first.More));
        Assert.Equal(0, t.Engines[2].HeldBlocks);
        AssertIdenticalEverywhere(t, [4, 3, 0]);

        // Nothing is left to pull: the answer is empty.
        var again = await PullAsync(t, to: 2, from: 1);
        Assert.Equal((0, 0, false), (again.Blocks, again.CertificatesAdded, again.More));
    }

    [Fact]
    public async Task NodeMissedCertificates_HoldsBlocksUncertified_PullBringsCertificatesAlone()
    {
        await using var t = new ThreeNodes();
        // Node 2 gets the blocks, but every cosignature and certificate sent to it is lost.
        t.Drop = (to, m) => to == 2 && m.Kind == ConsortiumMessageKind.Cosignatures;
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, [$"C{i}"]))).Accepted);
            await t.DeliverAllAsync();
        }
        Assert.True(t.Engines[1].IsCertified(Lanes[0], 3));
        Assert.Equal(3L, t.Engines[2].HeadOf(Lanes[0]).Height);
        Assert.False(t.Engines[2].IsCertified(Lanes[0], 1));
        var request = new RangePull(t.Engines[2]).BuildRequest();
        Assert.Contains(new LaneMark(Lanes[0], 3, 0), request.Lanes);

        var outcome = await PullAsync(t, to: 2, from: 1);
        Assert.Equal((0, 3, 0), (outcome.Blocks, outcome.CertificatesAdded, outcome.Rejected));
        AssertIdenticalEverywhere(t, [3, 0, 0]);
        Assert.Contains(new LaneMark(Lanes[0], 3, 3), new RangePull(t.Engines[2]).BuildRequest().Lanes);
    }

    [Fact]
    public async Task EveryCosignaturePushLost_EachNodeHoldsOnlyItsOwn_PullsPassPartialCertificatesUntilAllCertify()
    {
        await using var t = new ThreeNodes();
        t.Drop = (_, m) => m.Kind == ConsortiumMessageKind.Cosignatures;
        for (var i = 0; i < 2; i++)
        {
            Assert.True((await t.Submit(0, Maker, new CommissionPayload(Gtin, "L1", "281231", MakerGln, [$"Q{i}"]))).Accepted);
            await t.DeliverAllAsync();
        }
        for (var node = 0; node < 3; node++)
            Assert.Equal([Lanes[node]], t.Engines[node].GetLaneBlock(Lanes[0], 2).Certificate!.Cosignatures.Select(c => c.Node));
        // No node holds a quorum: only partial certificates can move. 1 from 0, 2 from 1, then 0 and 1 from 2.
        Assert.Equal(2, (await PullAsync(t, to: 1, from: 0)).CertificatesAdded);
        Assert.Equal(2, (await PullAsync(t, to: 2, from: 1)).CertificatesAdded);
        Assert.True(t.Engines[2].IsCertified(Lanes[0], 2));
        await PullAsync(t, to: 0, from: 2);
        await PullAsync(t, to: 1, from: 2);
        AssertIdenticalEverywhere(t, [2, 0, 0]);
    }

    [Fact]
    public async Task PullMessagesPushed_RefusedAsNotPushed_NothingChanged()
    {
        await using var t = new ThreeNodes();
        var request = await t.Replicators[0].ReceiveAsync(ConsortiumMessage.ForPullRequest(new RangePull(t.Engines[1]).BuildRequest()));
        var answer = await t.Replicators[0].ReceiveAsync(ConsortiumMessage.ForRangeAnswer(new RangeAnswer([], false)));
        Assert.Equal((ApplyStatus.Rejected, "not-pushed"), (request.Status, request.Code));
        Assert.Equal((ApplyStatus.Rejected, "not-pushed"), (answer.Status, answer.Code));
        Assert.Equal(0, t.Pending);
    }

    [Fact]
    public void Property_NodeAway_RoundsOfSmallAnswersFromEitherPeer_EndIdentical()
    {
        var gen = from lane0 in Gen.Choose(1, 5)
                  from lane1 in Gen.Choose(0, 4)
                  from max in Gen.Choose(1, 3)
                  from seed in Gen.Choose(0, int.MaxValue)
                  select (lane0, lane1, max, seed);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(5), Prop.ForAll(gen.ToArbitrary(), c =>
        {
            RunRounds(c.lane0, c.lane1, c.max, c.seed).GetAwaiter().GetResult();
            return true;
        }));
    }

    private static async Task RunRounds(int lane0, int lane1, int max, int seed)
    {
        var random = new Random(seed);
        await using var t = new ThreeNodes();
        await WriteWhileNode2IsAwayAsync(t, lane0, lane1);
        // Pushes to node 2 keep being dropped at random; pulls go to a random peer with answers of at most max entries.
        t.Drop = (to, _) => to == 2 && random.Next(2) == 0;
        var options = new RangePullOptions { MaxEntries = max };
        var rounds = 0;
        for (var quiet = 0; quiet < 2; rounds++)
        {
            Assert.True(rounds < 100, "pull rounds do not converge");
            var outcome = await PullAsync(t, to: 2, from: random.Next(2), options);
            quiet = outcome.Progress || outcome.More ? 0 : quiet + 1;
        }
        AssertIdenticalEverywhere(t, [lane0, lane1, 0]);
    }

    [Fact]
    public async Task ForgedEntries_RefusedAndNothingElseChanged_ThenTheTrueAnswerApplies()
    {
        await using var t = new ThreeNodes();
        await WriteWhileNode2IsAwayAsync(t, lane0: 2, lane1: 0);
        var pull = new RangePull(t.Engines[2]);
        var request = pull.BuildRequest();
        var answer = new RangePull(t.Engines[0]).Answer(Lanes[2], request);
        Assert.Equal(2, answer.Entries.Count);

        // Block 1 signed by another key (still claiming lane 0), and a certificate whose cosignature is by an outsider.
        var block1 = Block.Decode(answer.Entries[0].Block);
        var header1 = block1.SignedHeader;
        var outsider = ThreeNodes.Key(0x69);
        var resigned = block1 with { SignedHeader = header1 with { Signature = NodeKeys[1].Sign(header1.Header.Hash()) } };
        var badCertificate = new Certificate(Lanes[0], 1, header1.Hash(), [Cosignature.Create(header1.Header, outsider)]);
        var forged = new RangeAnswer([new RangeEntry(resigned.Encode(), badCertificate.Encode()), new RangeEntry([1, 2, 3], [])], More: false);
        var outcome = await pull.ApplyAsync(request, forged);
        Assert.Equal((2, 0, 3), (outcome.Blocks, outcome.Applied, outcome.Rejected));
        Assert.Equal(0L, t.Engines[2].HeadOf(Lanes[0]).Height);
        Assert.Equal((0, 0, 0), (t.Engines[2].HeldBlocks, t.Engines[2].GetEvidence().Count, t.Engines[2].FrozenLanes.Count));
        Assert.Equal(0, t.Pending); // no cosignature went out

        // An answer with more entries than asked for is refused whole.
        var tooMany = new RangeAnswer([.. answer.Entries, .. answer.Entries], More: false);
        var e = await Assert.ThrowsAsync<PullFormatException>(() => pull.ApplyAsync(request with { MaxEntries = 3 }, tooMany));
        Assert.Equal(("range.entries", "count"), (e.Field, e.Rule));
        Assert.Equal(0L, t.Engines[2].HeadOf(Lanes[0]).Height);

        // The true answer still applies in full.
        var good = await pull.ApplyAsync(request, answer);
        Assert.Equal((2, 0), (good.Applied, good.Rejected));
        Assert.Equal(answer.Entries[1].Block, t.Engines[2].GetBlock(Lanes[0], 2)!.Encode());
    }

    [Fact]
    public async Task ReorderedAnswer_BlocksHeldThenApplied_SameLanesAsInOrder()
    {
        await using var t = new ThreeNodes();
        await WriteWhileNode2IsAwayAsync(t, lane0: 3, lane1: 2);
        t.Drop = null;
        var pull = new RangePull(t.Engines[2]);
        var request = pull.BuildRequest();
        var answer = new RangePull(t.Engines[0]).Answer(Lanes[2], request);
        var reversed = answer with { Entries = [.. answer.Entries.Reverse()] };
        var outcome = await pull.ApplyAsync(request, reversed);
        Assert.Equal((5, 0), (outcome.Blocks, outcome.Rejected));
        Assert.True(outcome.Held > 0);
        Assert.Equal(0, t.Engines[2].HeldBlocks);
        await t.DeliverAllAsync();
        AssertIdenticalEverywhere(t, [3, 2, 0]);
    }

    [Fact]
    public async Task Answer_BoundsAndOwnLane_AtMostMaxEntriesAndBytesNeverTheRequestersLane()
    {
        await using var t = new ThreeNodes();
        await WriteWhileNode2IsAwayAsync(t, lane0: 3, lane1: 2);
        var request = new RangePull(t.Engines[2]).BuildRequest();
        var answerer = new RangePull(t.Engines[0]);

        var two = answerer.Answer(Lanes[2], request with { MaxEntries = 2 });
        Assert.Equal(2, two.Entries.Count);
        Assert.True(two.More);
        // One height of each lane in turn: lane 0 height 1, then lane 1 height 1.
        Assert.Equal(request.Lanes.Select(m => m.Lane).Where(l => l != Lanes[2]).Select(l => (l, 1L)), two.Entries.Select(e => Block.Decode(e.Block).SignedHeader.Header).Select(h => (h.Lane, h.Height)));

        // A byte bound below one block still sends the first block, alone.
        var small = new RangePull(t.Engines[0], new RangePullOptions { MaxBytes = 1 }).Answer(Lanes[2], request);
        Assert.Equal((1, true), (small.Entries.Count, small.More));

        // Asked by node 1, node 0 never sends lane 1's blocks (only its node writes them) but sends lane 0 blocks it lacks.
        var fromNode1 = new PullRequest([new LaneMark(Lanes[0], 1, 0), new LaneMark(Lanes[1], 0, 0), new LaneMark(Lanes[2], 0, 0)], 256);
        var answer1 = answerer.Answer(Lanes[1], fromNode1);
        var blocks1 = answer1.Entries.Where(e => e.Block.Length > 0).Select(e => Block.Decode(e.Block).SignedHeader.Header).ToList();
        Assert.Equal([2L, 3L], blocks1.Where(h => h.Lane == Lanes[0]).Select(h => h.Height));
        Assert.DoesNotContain(blocks1, h => h.Lane == Lanes[1]);
        // Its block 1 of lane 0 is uncertified there: node 0's cosignatures of it (2 of 3, not certified) come alone, first.
        var alone = Certificate.Decode(answer1.Entries[0].Certificate);
        Assert.Equal((0, Lanes[0], 1L, 2), (answer1.Entries[0].Block.Length, alone.Lane, alone.Height, alone.Cosignatures.Count));

        var unknown = new PullRequest([new LaneMark(ThreeNodes.Key(0x69).Address, 0, 0)], 1);
        var e = Assert.Throws<PullFormatException>(() => answerer.Answer(Lanes[2], unknown));
        Assert.Equal(("pull.lanes[0].lane", "unknown-lane"), (e.Field, e.Rule));
    }
}
