using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ledger.Engine.Lane;
using Ledger.Node.Api;
using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;
using Xunit;

namespace Ledger.Sdk.Tests.Verification;

/// <summary>
/// A node test double that shows one caller an older history than another: two lanes of one node key that forked after
/// a common prefix. The SDK's consistency check proves a true continuation, and names the node that showed two histories
/// with both signed headers.
/// </summary>
public sealed class LaneConsistencyTests : IAsyncLifetime
{
    private static readonly PrivateKey NodeKey = Key(1), Maker = Key(2);
    private const string MakerGln = "0614141000005", Gtin = "00614141123452";
    private static readonly ConsortiumDefinition Definition = new("fork", 1, [new ConsortiumNode("node-1", NodeKey.Address, "")],
        [new Party("maker", Maker.Address, PartyRoles.Manufacturer, [MakerGln], ["0614141"], [], NodeKey.Address)]);

    private readonly List<(LedgerEngine Engine, string Directory)> _lanes = [];
    private ulong _nonce;
    private long _time = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();

    private static PrivateKey Key(byte b) => PrivateKey.FromBytes(Enumerable.Repeat(b, 31).Prepend((byte)0x10).ToArray());

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (engine, directory) in _lanes)
        {
            await engine.DisposeAsync();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private LedgerEngine NewLane()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ledger-fork-" + Guid.NewGuid().ToString("N"));
        var engine = LedgerEngine.Open(directory, NodeKey, new ConsortiumDirectory(Definition));
        _lanes.Add((engine, directory));
        return engine;
    }

    private async Task CommissionAsync(LedgerEngine engine, string serial, ulong? nonce = null, long? time = null)
    {
        var record = new LedgerRecord(Maker.Address, nonce ?? ++_nonce, time ?? (_time += 1000), new CommissionPayload(Gtin, "L1", "301231", MakerGln, [serial]), []);
        var result = await engine.SubmitAsync(SignedBatch.Sign([record], Maker));
        Assert.True(result.Accepted, result.Outcomes[0].Message);
    }

    private static ProvenanceDocument Answer(LedgerEngine engine, string serial) =>
        ProvenanceDocument.Parse(JsonSerializer.Serialize(LedgerJson.Provenance(engine.GetProvenance(ItemId.Sgtin(Gtin, serial))), JsonSerializerOptions.Web));

    private static LedgerClient ClientOf(LedgerEngine engine) =>
        new(new LedgerClientOptions { Node = new Uri("http://double.invalid/"), ApiToken = "unused-by-the-double", HttpMessageHandler = new NodeDouble(engine), Retry = { MaxAttempts = 1 } });

    [Fact]
    public async Task AnswerAndLaterHead_OfOneHistory_AreConsistent()
    {
        var lane = NewLane();
        await CommissionAsync(lane, "A1");
        await CommissionAsync(lane, "A2");
        var early = Answer(lane, "A1");
        await CommissionAsync(lane, "A3");
        await CommissionAsync(lane, "A4");
        using var client = ClientOf(lane);

        var withHead = await LaneConsistency.CheckWithHeadAsync(early, client, Definition);
        var twoAnswers = await LaneConsistency.CheckAsync(early, Answer(lane, "A4"), client, Definition);

        Assert.True(withHead.Consistent, withHead.ToString());
        Assert.True(twoAnswers.Consistent, twoAnswers.ToString());
        Assert.Null(withHead.Evidence);
    }

    [Fact]
    public async Task NodeShowsOneCallerAnOlderForkedHistory_CheckNamesItWithBothHeaders()
    {
        // Both lanes sign with the same node key and share the first block; then they differ: the node answered one caller
        // from the first history and shows another caller the second.
        var shown = NewLane();
        var hidden = NewLane();
        await CommissionAsync(shown, "C1", nonce: 1, time: _time);
        await CommissionAsync(hidden, "C1", nonce: 1, time: _time);
        _nonce = 1;
        await CommissionAsync(hidden, "H2");
        var toFirstCaller = Answer(hidden, "H2");
        await CommissionAsync(shown, "S2");
        await CommissionAsync(shown, "S3");
        await CommissionAsync(shown, "S4");
        using var secondCaller = ClientOf(shown);

        var report = await LaneConsistency.CheckWithHeadAsync(toFirstCaller, secondCaller, Definition);

        Assert.False(report.Consistent);
        Assert.Equal("fork", report.Code);
        var evidence = report.Evidence!;
        Assert.Equal(NodeKey.Address, evidence.Lane);
        Assert.Equal(toFirstCaller.Header!.SignedHeader.Hash(), evidence.First.Hash());
        Assert.Equal(shown.Head.Header!.Hash(), evidence.Second.Hash());
        Assert.True(evidence.First.Verify().IsValid && evidence.Second.Verify().IsValid, "both headers carry the node's valid signature");
        Assert.Contains("consistency proof", evidence.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoAnswersOfOneHeightFromTwoHistories_AreEvidenceWithoutAProof()
    {
        var a = NewLane();
        var b = NewLane();
        await CommissionAsync(a, "X1");
        await CommissionAsync(b, "Y1");

        var report = LaneConsistency.Check(Answer(a, "X1").Header!.SignedHeader, Answer(b, "Y1").Header!.SignedHeader, null, Definition);

        Assert.Equal("fork", report.Code);
        Assert.Contains("two different headers at height 1", report.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeaderOfAnotherKey_IsNotEvidence()
    {
        var lane = NewLane();
        await CommissionAsync(lane, "Z1");
        var header = lane.Head.Header!;
        var forged = header with { Signature = Maker.Sign(header.Header.Hash()) };

        var report = LaneConsistency.Check(header, forged, null, Definition);

        Assert.Equal(("header-signature", (ForkEvidence?)null), (report.Code, report.Evidence));
    }

    /// <summary>Answers /v1/head and /v1/proofs/consistency from one in-process lane, as the node's endpoints do.</summary>
    private sealed class NodeDouble(LedgerEngine engine) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            object body;
            if (path == "/v1/head")
            {
                var head = engine.Head;
                body = LedgerJson.Header(head.Header!, head.Certificate);
            }
            else if (path == "/v1/proofs/consistency")
            {
                var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query);
                var from = long.Parse(query["from"]!, CultureInfo.InvariantCulture);
                var to = query["to"] is { } t ? long.Parse(t, CultureInfo.InvariantCulture) : engine.Head.LogSize;
                body = new { from, to, proof = Hex.Encode0x(engine.GetConsistencyProof(from, to).Encode()) };
            }
            else
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
            }
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"),
            });
        }
    }
}
