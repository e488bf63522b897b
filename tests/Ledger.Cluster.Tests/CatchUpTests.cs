using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Xunit;
using Xunit.Abstractions;
using Address = Ledger.Protocol.Crypto.Address;

namespace Ledger.Cluster.Tests;

/// <summary>
/// Three nodes, each its own actor system on Akka.Remote (127.0.0.1, port 0) with a real engine: nodes 0 and 1 write
/// while node 2 is away, their pushes to it overflow their queues, and node 2, once started, catches up by pulling
/// (docs/spec/cluster.md §4) until every node holds identical certified headers and certificates for every lane.
/// </summary>
public sealed class CatchUpTests : TestKit
{
    private const string Gtin = "00614141123452";
    private const string MakerGln = "0614141000005";
    private const string WholesalerGln = "0614141000012";

    private static readonly PrivateKey[] NodeKeys = [PeerEnvelopeTests.Key(0x61), PeerEnvelopeTests.Key(0x62), PeerEnvelopeTests.Key(0x63)];
    private static readonly PrivateKey Maker = PeerEnvelopeTests.Key(0x71);
    private static readonly PrivateKey Wholesaler = PeerEnvelopeTests.Key(0x72);

    private static readonly ConsortiumDirectory Consortium = new(new ConsortiumDefinition("three", 1,
        [new ConsortiumNode("n0", NodeKeys[0].Address, ""), new ConsortiumNode("n1", NodeKeys[1].Address, ""), new ConsortiumNode("n2", NodeKeys[2].Address, "")],
        [
            new Party("maker", Maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], NodeKeys[0].Address),
            new Party("wholesaler", Wholesaler.Address, PartyRoles.Wholesaler, [WholesalerGln], [], [], NodeKeys[1].Address),
        ]));

    /// <summary>Remoting on a free port, the peer serializer, and the frame size a range answer needs.</summary>
    private static readonly Config Remote = ConfigurationFactory.ParseString(PeerHocon.Serialization + "\n" + PeerHocon.FrameSize + """

        akka.loglevel = WARNING
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        """);

    private readonly ITestOutputHelper _output;
    private readonly ActorSystem[] _systems = new ActorSystem[3];
    private readonly Node?[] _nodes = new Node?[3];
    private ulong _nonce;

    public CatchUpTests(ITestOutputHelper output) : base(Remote, "ledger", output)
    {
        _output = output;
        _systems[0] = Sys;
        _systems[1] = ActorSystem.Create("ledger", Remote);
        _systems[2] = ActorSystem.Create("ledger", Remote);
    }

    private string ReceiverPath(int i) => $"{((ExtendedActorSystem)_systems[i]).Provider.DefaultAddress}{PeerReceiver.Path}";

    private IEnumerable<(Address, string)> PeersOf(int i) => Enumerable.Range(0, 3).Where(j => j != i).Select(j => (NodeKeys[j].Address, ReceiverPath(j)));

    /// <summary>Node <paramref name="i"/>: engine, receiver (answering pulls), transport with a small queue per peer, and a puller.</summary>
    private Node Start(int i)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ledger-catchup-" + Guid.NewGuid().ToString("N"));
        var engine = LedgerEngine.Open(directory, NodeKeys[i], Consortium, new LaneOptions { MaxBlockDelay = TimeSpan.FromMilliseconds(1) });
        var stats = new PeerStats();
        // Four envelopes per peer: whatever more is pushed to a node that is away is dropped (the oldest first).
        var transport = new AkkaConsortiumTransport(_systems[i], NodeKeys[i], PeersOf(i), stats, new PeerTransportOptions
        {
            QueueCapacity = 4,
            AckTimeout = TimeSpan.FromSeconds(2),
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
        });
        var replicator = new ConsortiumReplicator(engine, transport);
        var rangePull = new RangePull(engine);
        _systems[i].ActorOf(PeerReceiver.Props(Consortium.NodeAddresses, NodeKeys[i].Address, m => replicator.ReceiveAsync(m), stats, TimeProvider.System,
            new PullAnswering(NodeKeys[i], rangePull.Answer)), PeerReceiver.Name);
        var puller = new PeerPuller(_systems[i], NodeKeys[i], Consortium.NodeAddresses, PeersOf(i), rangePull, stats,
            new PeerPullerOptions { Interval = TimeSpan.FromMilliseconds(200), AnswerTimeout = TimeSpan.FromSeconds(3) });
        return _nodes[i] = new Node(directory, engine, transport, replicator, puller, stats);
    }

    private Task<SubmitResult> Submit(int node, PrivateKey author, params RecordPayload[] payloads)
    {
        var engine = _nodes[node]!.Engine;
        var records = payloads.Select(p => new LedgerRecord(author.Address, ++_nonce, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000 + (long)_nonce, p,
            [.. p.Items.Select(engine.Store.GetItem).OfType<ItemState>().Select(s => s.LatestRecord).Distinct()])).ToList();
        return engine.SubmitAsync(SignedBatch.Sign(records, author));
    }

    private static readonly Address[] Lanes = [.. NodeKeys.Select(k => k.Address)];

    private bool Identical(int[] heights)
    {
        for (var lane = 0; lane < 3; lane++)
        {
            for (var h = 1; h <= heights[lane]; h++)
            {
                var (header, certificate) = _nodes[0]!.Engine.GetLaneBlock(Lanes[lane], h);
                if (header is null || certificate is null || certificate.Cosignatures.Count < Consortium.Definition.Quorum)
                    return false;
                for (var node = 1; node < 3; node++)
                {
                    var (otherHeader, otherCertificate) = _nodes[node]!.Engine.GetLaneBlock(Lanes[lane], h);
                    if (otherHeader is null || otherCertificate is null || !header.Encode().AsSpan().SequenceEqual(otherHeader.Encode())
                        || !certificate.Encode().AsSpan().SequenceEqual(otherCertificate.Encode()))
                        return false;
                }
            }
            for (var node = 0; node < 3; node++)
                if (_nodes[node]!.Engine.HeadOf(Lanes[lane]).Height != heights[lane])
                    return false;
        }
        return true;
    }

    [Fact]
    public async Task LateNode_PushesToItDropped_CatchesUpByPullingAndEveryLaneEndsIdenticalAndCertified()
    {
        // Every node pulls (their small queues drop pushes to each other too); node 2's actor system is up but its node
        // is not: no receiver answers there yet, and the others' pulls from it time out.
        Start(0);
        Start(1);
        const int makerBlocks = 30, wholesalerBlocks = 10, recordsPerBlock = 10;
        for (var b = 0; b < makerBlocks; b++)
        {
            var r = await Submit(0, Maker, [.. Enumerable.Range(0, recordsPerBlock).Select(k =>
                (RecordPayload)new CommissionPayload(Gtin, "L1", "281231", MakerGln, [.. Enumerable.Range(0, 50).Select(s => $"B{b}R{k}S{s}")]))]);
            Assert.True(r.Accepted, r.Outcomes[0].Message);
        }
        await AwaitConditionAsync(() => Task.FromResult(_nodes[1]!.Engine.HeadOf(Lanes[0]).Height == makerBlocks), TimeSpan.FromSeconds(60));
        for (var b = 0; b < wholesalerBlocks; b++)
        {
            var r = await Submit(1, Wholesaler, new VerifyPayload(ItemId.Sgtin(Gtin, $"B{b}R0S0"), "L1", "281231", "receiving", WholesalerGln, null));
            Assert.True(r.Accepted, r.Outcomes[0].Message);
        }
        await AwaitConditionAsync(() => Task.FromResult(_nodes[0]!.Engine.HeadOf(Lanes[1]).Height == wholesalerBlocks), TimeSpan.FromSeconds(60));
        // 3 of 3 is the quorum: nothing is certified while node 2 is away.
        Assert.False(_nodes[0]!.Engine.IsCertified(Lanes[0], 1));

        var clock = Stopwatch.StartNew();
        var node2 = Start(2);
        var opened = clock.Elapsed;
        await node2.Puller.CaughtUp.WaitAsync(TimeSpan.FromSeconds(120));
        var caughtUp = clock.Elapsed;
        await AwaitConditionAsync(() => Task.FromResult(Identical([makerBlocks, wholesalerBlocks, 0])), TimeSpan.FromSeconds(120), TimeSpan.FromMilliseconds(100));
        var certified = clock.Elapsed;

        // At most 4 envelopes per sender were still queued to node 2 when it came: most blocks came by pull.
        var pulled = Lanes.Take(2).Sum(l => node2.Stats.For(l).BlocksPulled);
        Assert.True(pulled >= makerBlocks + wholesalerBlocks - 8, $"{pulled} blocks pulled");
        Assert.Equal(0, node2.Engine.HeldBlocks);
        var records = makerBlocks * recordsPerBlock + wholesalerBlocks;
        _output.WriteLine($"catch-up by pull: {makerBlocks + wholesalerBlocks} blocks ({records} records) held {caughtUp.TotalMilliseconds:F0} ms after start (engine open {opened.TotalMilliseconds:F0} ms) " +
            $"({(makerBlocks + wholesalerBlocks) / caughtUp.TotalSeconds:F0} blocks/s, {records / caughtUp.TotalSeconds:F0} records/s), every lane certified and identical on 3 nodes after {certified.TotalMilliseconds:F0} ms; " +
            $"pulls sent by node 2: {Lanes.Take(2).Sum(l => node2.Stats.For(l).PullsSent)}, failed: {Lanes.Take(2).Sum(l => node2.Stats.For(l).PullsFailed)}");
    }

    [Fact]
    public async Task Puller_ReplyNotFromTheNodeAskedOrForgedBlock_CountedAndNothingApplied()
    {
        var node0 = Start(0);
        await node0.Puller.DisposeAsync(); // its own puller asks the real peers; this test asks fakes
        var forged = new RangeAnswer([new RangeEntry([1, 2, 3], [])], More: false);
        // A reply signed by node 2 to a request sent to node 1, then node 1's own reply carrying a block that does not decode.
        Sys.ActorOf(Props.Create(() => new Replier(PeerEnvelope.Seal(ConsortiumMessage.ForRangeAnswer(forged), NodeKeys[2]))), "impostor");
        Sys.ActorOf(Props.Create(() => new Replier(PeerEnvelope.Seal(ConsortiumMessage.ForRangeAnswer(forged), NodeKeys[1]))), "liar");
        var stats = new PeerStats();
        var pull = new RangePull(node0.Engine);
        var options = new PeerPullerOptions { Interval = TimeSpan.FromMilliseconds(50), AnswerTimeout = TimeSpan.FromSeconds(10) };
        await using (new PeerPuller(Sys, NodeKeys[0], Consortium.NodeAddresses, [(NodeKeys[1].Address, "/user/impostor")], pull, stats, options))
            await AwaitConditionAsync(() => Task.FromResult(stats.For(NodeKeys[1].Address).PullsFailed >= 2), TimeSpan.FromSeconds(30));
        Assert.Equal(0, stats.For(NodeKeys[1].Address).BlocksPulled);

        var liarStats = new PeerStats();
        await using (var puller = new PeerPuller(Sys, NodeKeys[0], Consortium.NodeAddresses, [(NodeKeys[1].Address, "/user/liar")], pull, liarStats, options))
        {
            await puller.CaughtUp.WaitAsync(TimeSpan.FromSeconds(30));
            await AwaitConditionAsync(() => Task.FromResult(liarStats.For(NodeKeys[1].Address).BlocksPulled >= 1), TimeSpan.FromSeconds(30));
        }
        // Opened and handed to the engine, which refused the block: nothing of lane 1 is on node 0.
        Assert.Equal(0, liarStats.For(NodeKeys[1].Address).PullsFailed);
        Assert.Equal((0L, 0), (node0.Engine.HeadOf(Lanes[1]).Height, node0.Engine.HeldBlocks));
    }

    /// <summary>Answers every envelope with the same reply.</summary>
    private sealed class Replier : ReceiveActor
    {
        public Replier(PeerEnvelope reply) => Receive<PeerEnvelope>(_ => Sender.Tell(reply));
    }

    protected override void AfterAll()
    {
        // Pulls stop first: a puller asking a node whose engine is gone only logs a refusal, but it is noise.
        foreach (var node in _nodes)
            node?.Puller.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var node in _nodes)
            node?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _systems[1].Terminate().Wait(TimeSpan.FromSeconds(10));
        _systems[2].Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    private sealed record Node(string Directory, LedgerEngine Engine, AkkaConsortiumTransport Transport, ConsortiumReplicator Replicator, PeerPuller Puller, PeerStats Stats)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Puller.DisposeAsync();
            await Transport.DisposeAsync();
            Replicator.Dispose();
            await Engine.DisposeAsync();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
