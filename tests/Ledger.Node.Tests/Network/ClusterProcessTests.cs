using System.Text.Json;
using Ledger.Node.Tests.Flow;
using Xunit;
using static Ledger.Node.Tests.Network.NodeClusterN;

namespace Ledger.Node.Tests.Network;

/// <summary>
/// Four real node processes on 127.0.0.1 replicating and certifying each other's lanes over the peer layer (issue 17):
/// everything is checked by reading each node's own API (/v1/lanes), not by trusting one node.
/// </summary>
[Collection(ClusterProcessGroup.Name)]
public sealed class ClusterProcessTests
{
    private const string Gtin = "10614141073464";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>True when every answer shows each of <paramref name="lanes"/> at height ≥ 1, certified at its head, with the same head on every node.</summary>
    private static bool AllCertifiedAndEqual(JsonElement[] answers, IEnumerable<string> lanes, int nodes) =>
        answers.Length == nodes && lanes.All(lane =>
        {
            var views = answers.Select(a => Lane(a, lane)).ToList();
            return views.All(v => v.Height >= 1 && v.Certified == v.Height && v.Hash == views[0].Hash);
        });

    [Fact]
    public async Task FourNodes_RecordsOnEveryLane_CertifiedByAtLeastThree_SameHeadsOnEveryNode()
    {
        await using var c = await NodeClusterN.StartAsync(4);
        // Lane 0: the manufacturer commissions on its node; lanes 1–3: each node records a verification of the pack.
        await c.CaptureExampleAsync("acme-pharma", "commissioning.jsonld");
        for (var i = 1; i < 4; i++)
            await c.VerifyAtAsync(i, Gtin, "1001");

        var answers = await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, c.Lanes, 4), Patience, "every lane certified, same head on every node");

        foreach (var answer in answers)
        {
            Assert.Equal(3, answer.GetProperty("quorum").GetInt32());
            foreach (var lane in c.Lanes)
            {
                var (height, certified, hash, cosigners) = Lane(answer, lane);
                Assert.True(cosigners >= 3, $"lane {lane} head {height} has {cosigners} cosignatures");
                Assert.Equal(height, certified);
                Assert.Equal(Lane(answers[0], lane).Hash, hash);
            }
        }
        // Each node's own lane is the one its key signs.
        for (var i = 0; i < 4; i++)
        {
            var own = answers[i].GetProperty("lanes").EnumerateArray().Single(l => l.GetProperty("own").GetBoolean());
            Assert.Equal(c.Lanes[i], own.Str("lane"), ignoreCase: true);
        }
    }

    [Fact]
    public async Task FourNodes_OneKilled_OtherThreeKeepCertifying_RestartedNodeCatchesUp()
    {
        await using var c = await NodeClusterN.StartAsync(4);
        await c.CaptureExampleAsync("acme-pharma", "commissioning.jsonld");
        await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, [c.Lanes[0]], 4), Patience, "lane 0 certified on every node");

        await c.KillAsync(3);
        // With node 3 gone, 3 of 4 nodes are still a quorum: new blocks on lanes 1 and 2 certify.
        await c.VerifyAtAsync(1, Gtin, "1002");
        await c.VerifyAtAsync(2, Gtin, "1003");
        await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, [c.Lanes[0], c.Lanes[1], c.Lanes[2]], 3), Patience,
            "lanes 1 and 2 certified by the three running nodes");

        // Restarted, node 3 gets what it missed and ends with the same certified heads as the others.
        await c.StartNodeAsync(3);
        var answers = await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, [c.Lanes[0], c.Lanes[1], c.Lanes[2]], 4), Patience,
            "the restarted node holds the same certified heads");
        Assert.Equal(0, Lane(answers[3], c.Lanes[3]).Height);
    }
    [Fact]
    public async Task FourNodes_BlocksMissedWhileTheirSenderAlsoRestarted_PulledFromTheOthers()
    {
        await using var c = await NodeClusterN.StartAsync(4);
        await c.KillAsync(3);
        await c.VerifyAtAsync(1, Gtin, "1004");
        await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, [c.Lanes[1]], 3), Patience, "lane 1 certified by the three running nodes");
        // Node 1's queue of envelopes for node 3 dies with it: node 3 can only get lane 1's block by pulling it from
        // node 0 or node 2, and it reports ready once a peer said it has nothing more for it.
        await c.KillAsync(1);
        await c.StartNodeAsync(3);
        await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, [c.Lanes[1]], 3), Patience, "node 3 pulled lane 1 while node 1 is down");
        using var node3 = c.Client(3);
        var ready = await node3.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);

        await c.StartNodeAsync(1);
        await c.VerifyAtAsync(1, Gtin, "1005");
        await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, [c.Lanes[1]], 4) && a.All(x => Lane(x, c.Lanes[1]).Height == 2), Patience,
            "lane 1's next block certified on all four");
    }
    [Fact]
    public async Task DscsaFlowAcrossFourNodes_EveryNodesAnswerVerifiesOfflineWithTheSameStatus()
    {
        await using var c = await NodeClusterN.StartAsync(4);
        // The manufacturer commissions, packs and ships from its node (lane 0).
        foreach (var example in (string[])["commissioning.jsonld", "aggregation.jsonld", "shipment.jsonld"])
            await c.CaptureExampleAsync("acme-pharma", example);
        // The wholesaler receives on its own node once the Ship is certified there, and ships on (lane 1).
        await c.WaitForLanesAsync(a => a.All(x => Lane(x, c.Lanes[0]) is { Height: >= 3 } l && l.Certified == l.Height), Patience, "the Ship certified");
        foreach (var example in (string[])["receipt.jsonld", "wholesaler-shipment.jsonld"])
            await c.CaptureExampleAsync("big-wholesale", example);
        await c.WaitForLanesAsync(a => a.All(x => Lane(x, c.Lanes[1]) is { Height: >= 2 } l && l.Certified == l.Height), Patience, "the wholesaler's Ship certified");
        // The pharmacy receives and dispenses pack 1001 (lane 2).
        foreach (var example in (string[])["pharmacy-receipt.jsonld", "dispense.jsonld"])
            await c.CaptureExampleAsync("corner-pharmacy", example);
        // The regulator's node recalls the lot (lane 3): a signed batch of the regulator's key.
        var regulator = KeyFile.Load(c.PartyKeyFile("regulator"));
        var recall = new Ledger.Protocol.Records.LedgerRecord(regulator.Address, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new Ledger.Protocol.Records.RecallPayload(Gtin, "LOT-A1", null, "test: lot LOT-A1 recalled"), []);
        using (var client = c.Client(3, "regulator"))
        using (var posted = await BadInput.BadInputKit.PostBatchAsync(client, Ledger.Protocol.Records.SignedBatch.Sign([recall], regulator)))
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        await c.WaitForLanesAsync(a => AllCertifiedAndEqual(a, c.Lanes, 4), Patience, "every lane certified, same head on every node");

        // Each party asks its own node; each answer is verified offline against the consortium file alone.
        (string Party, string Serial, string Status)[] asks =
        [
            ("acme-pharma", "1002", "Recalled"), ("big-wholesale", "1002", "Recalled"), ("corner-pharmacy", "1002", "Recalled"), ("regulator", "1002", "Recalled"),
            ("regulator", "1003", "Recalled"), ("corner-pharmacy", "1003", "Recalled"),
        ];
        using var directory = new TestDirectory();
        foreach (var (party, serial, status) in asks)
        {
            var node = c.Parties[party].Node;
            var file = Path.Combine(directory.Path, $"{party}-{serial}.json");
            var fetched = await RunCliAsync("provenance", $"(01){Gtin}(21){serial}", "--node", c.Nodes[node]!.BaseAddress.ToString(), "--token-file", c.PartyTokenFile(party), "--out", file);
            Assert.True(fetched.ExitCode == 0, $"provenance from node {node} as {party}: {fetched.StdErr}{fetched.StdOut}");
            var verified = await RunCliAsync("verify-proof", file, "--consortium", c.ConsortiumFile, "--json");
            Assert.True(verified.ExitCode == 0, $"verify-proof of node {node}'s answer for {serial}: {verified.StdOut}{verified.StdErr}");
            using var report = JsonDocument.Parse(verified.StdOut);
            Assert.Equal(status, report.RootElement.GetProperty("proven").GetProperty("status").GetString());
        }
    }
}

/// <summary>The cluster tests start four node processes each: one at a time, so they do not starve each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcessGroup
{
    public const string Name = "cluster processes";
}
