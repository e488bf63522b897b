using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Ledger.Node.Tests.Network;
using Ledger.Sdk.Client;
using Xunit;
using V1 = Ledger.Grpc.V1;

namespace Ledger.Node.Tests.GrpcService;

/// <summary>One node with its gRPC endpoint on a free port and the four-party test consortium.</summary>
public sealed class GrpcNodeFixture : IAsyncLifetime
{
    public TestConsortium Consortium { get; private set; } = null!;

    public NodeProcess Node { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    internal V1.Ledger.LedgerClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Consortium = await TestConsortium.CreateAsync();
        Node = await Consortium.StartNodeAsync(["--grpc-urls", "http://127.0.0.1:0"]);
        Channel = GrpcChannel.ForAddress(Node.GrpcAddress!);
        Client = new V1.Ledger.LedgerClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Node.DisposeAsync();
        Consortium.Dispose();
    }
}

/// <summary>The node's gRPC service with a raw client: what the SDK would never send, and the answers' equality with HTTP.</summary>
public sealed class GrpcServiceTests(GrpcNodeFixture fixture) : IClassFixture<GrpcNodeFixture>
{
    private const string Gtin = "00300011234501";
    private const string Line = "0300011111116";

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    private static string NewSerial() => "G" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    /// <summary>The problem JSON of the ledger-problem-bin trailer.</summary>
    private static JsonElement Problem(RpcException e)
    {
        var entry = e.Trailers.Get("ledger-problem-bin");
        Assert.NotNull(entry);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(entry.ValueBytes));
        return doc.RootElement.Clone();
    }

    private async Task<ByteString> SignedCommissionAsync()
    {
        using var sdk = new LedgerClient(new LedgerClientOptions { Node = fixture.Node.BaseAddress, ApiToken = fixture.Consortium.Maker.Token, PrivateKey = fixture.Consortium.Maker.Key });
        var batch = await new RecordBatchBuilder(sdk).Commission(Gtin, "LOT1", "281231", Line, [NewSerial()]).BuildAsync();
        return ByteString.CopyFrom(batch.Encode());
    }

    [Fact]
    public async Task SubmitBatch_BytesThatAreNoBatch_InvalidArgumentWithRecordFormatFieldAndRule()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Client.SubmitBatchAsync(new V1.SubmitBatchRequest { Batch = ByteString.CopyFrom(0xC3, 0x01, 0x02) }, Bearer(fixture.Consortium.Maker.Token)));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var p = Problem(e);
        Assert.Equal(400, p.GetProperty("status").GetInt32());
        Assert.EndsWith("/record-format", p.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(p.GetProperty("field").GetString()));
        Assert.False(string.IsNullOrEmpty(p.GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task SubmitBatch_WrongToken_UnauthenticatedNamingAuthorizationToken()
    {
        var batch = await SignedCommissionAsync();
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Client.SubmitBatchAsync(new V1.SubmitBatchRequest { Batch = batch }, Bearer("not-a-token")));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        var p = Problem(e);
        Assert.Equal(("Authorization", "token"), (p.GetProperty("field").GetString(), p.GetProperty("rule").GetString()));
        Assert.EndsWith("/unauthorized", p.GetProperty("type").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetProvenance_NoCredentials_UnauthenticatedRequired()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Client.GetProvenanceAsync(new V1.ProvenanceRequest { Id = "(01)" + Gtin + "(21)X1" }));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("required", Problem(e).GetProperty("rule").GetString());
    }

    [Fact]
    public async Task SignedRequest_OverTheMessage_AcceptedAndRefusedForAnotherMessage()
    {
        var key = fixture.Consortium.Maker.Key;
        var request = new V1.ProvenanceRequest { Id = "(01)" + Gtin + "(21)" + NewSerial() };
        var time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var header = LedgerClient.SignRequest(key, "POST", "/ledger.v1.Ledger/GetProvenance", time, request.ToByteArray());
        var reply = await fixture.Client.GetProvenanceAsync(request, new Metadata { { "authorization", header } });
        Assert.Contains("ledger-provenance/v2", reply.Json, StringComparison.Ordinal);

        var other = new V1.ProvenanceRequest { Id = "(01)" + Gtin + "(21)" + NewSerial() };
        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.GetProvenanceAsync(other, new Metadata { { "authorization", header } }));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal(("Authorization.signature", "signature"), (Problem(e).GetProperty("field").GetString(), Problem(e).GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task GetProvenance_SameItem_SameJsonAsHttp()
    {
        var batch = await SignedCommissionAsync();
        var submitted = await fixture.Client.SubmitBatchAsync(new V1.SubmitBatchRequest { Batch = batch }, Bearer(fixture.Consortium.Maker.Token));
        Assert.True(submitted.Accepted);
        Assert.Equal("certified", submitted.State); // a one-node consortium: certified at once, as HTTP answers
        var record = Ledger.Protocol.Records.SignedBatch.Decode(batch.ToByteArray()).Records[0];
        var id = "(01)" + Gtin + "(21)" + record.Payload.Items[0].Serial;

        var grpc = await fixture.Client.GetProvenanceAsync(new V1.ProvenanceRequest { Id = id }, Bearer(fixture.Consortium.Maker.Token));
        using var http = new HttpClient { BaseAddress = fixture.Node.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Consortium.Maker.Token);
        var text = await http.GetStringAsync("/v1/provenance?id=" + Uri.EscapeDataString(id));
        // The v2 answer (lot and product histories, unverified members), byte for byte the same over both transports but
        // for the one member that is the node's clock at the read (state.statusAt): the HTTP text with the gRPC answer's
        // read time put in its place must equal the gRPC text.
        Assert.StartsWith("{\"format\":\"ledger-provenance/v2\"", text, StringComparison.Ordinal);
        static string StatusAt(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("state").GetProperty("statusAt").GetString()!;
        }
        var httpAt = "\"statusAt\":\"" + StatusAt(text) + "\"";
        Assert.Equal(1, text.Split(httpAt).Length - 1);
        // Both read at the same head only when no block came in between: this node has no other writer during the test class.
        Assert.Equal(text.Replace(httpAt, "\"statusAt\":\"" + StatusAt(grpc.Json) + "\"", StringComparison.Ordinal), grpc.Json);
    }

    [Fact]
    public async Task SubmitBatches_GoodBadGood_EachAcknowledgedInOrderAndTheBadOneRefused()
    {
        var first = await SignedCommissionAsync();
        var second = await SignedCommissionAsync();
        using var call = fixture.Client.SubmitBatches(Bearer(fixture.Consortium.Maker.Token));
        await call.RequestStream.WriteAsync(new V1.SubmitBatchRequest { Batch = first });
        await call.RequestStream.WriteAsync(new V1.SubmitBatchRequest { Batch = ByteString.CopyFromUtf8("not a batch") });
        await call.RequestStream.WriteAsync(new V1.SubmitBatchRequest { Batch = second });
        await call.RequestStream.CompleteAsync();
        var replies = new List<V1.SubmitBatchReply>();
        await foreach (var r in call.ResponseStream.ReadAllAsync())
            replies.Add(r);

        Assert.Equal(3, replies.Count);
        Assert.True(replies[0].Accepted);
        Assert.Null(replies[0].Problem);
        Assert.False(replies[1].Accepted);
        Assert.Equal(400, replies[1].Problem.Status);
        Assert.EndsWith("/record-format", replies[1].Problem.Type, StringComparison.Ordinal);
        Assert.NotEqual("", replies[1].Problem.Field);
        Assert.True(replies[2].Accepted);
        Assert.Equal(Ledger.Protocol.Records.SignedBatch.Decode(second.ToByteArray()).Records[0].Id.ToString(), replies[2].Outcomes[0].RecordIds[0]);
    }

    [Fact]
    public async Task SubmitBatches_WrongToken_StreamEndsUnauthenticated()
    {
        using var call = fixture.Client.SubmitBatches(Bearer("not-a-token"));
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        });
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("token", Problem(e).GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Follow_MalformedCursor_InvalidArgumentNamingAfter()
    {
        using var call = fixture.Client.Follow(new V1.FollowRequest { After = "twelve" }, Bearer(fixture.Consortium.Maker.Token));
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal(("after", "cursor"), (Problem(e).GetProperty("field").GetString(), Problem(e).GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task VerifyProduct_BadRequesterGln_InvalidArgumentNamingReqGln()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.VerifyProductAsync(new V1.VerifyProductRequest
        {
            Gtin = Gtin, Serial = "X1", Context = "dscsaSaleableReturn", ReqGln = "0398880000014", CorrUuid = Guid.NewGuid().ToString(),
        }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Equal("reqGLN", Problem(e).GetProperty("field").GetString());
    }
}
