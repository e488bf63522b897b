using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Ledger.Node.Security;
using Ledger.Node.Tests.Network;
using Ledger.Sdk.Client;
using Xunit;
using V1 = Ledger.Grpc.V1;

namespace Ledger.Node.Tests.GrpcService;

/// <summary>The platform's rate limits and its one write gate over gRPC: the same limiters as HTTP, answered as gRPC statuses.</summary>
public sealed class GrpcLimitTests
{
    private const string Gtin = "00300011234501";
    private const string Line = "0300011111116";

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    private static JsonElement Problem(RpcException e)
    {
        var entry = e.Trailers.Get("ledger-problem-bin");
        Assert.NotNull(entry);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(entry.ValueBytes));
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task SubmitBatch_WrongTokensBeyondTheLimit_ResourceExhaustedRateLimitedAndHttpRefusedByTheSameCounter()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(["--grpc-urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["LEDGER_RateLimits__FailedAuthentications"] = "3" });
        using var channel = GrpcChannel.ForAddress(node.GrpcAddress!);
        var client = new V1.Ledger.LedgerClient(channel);
        var request = new V1.SubmitBatchRequest { Batch = ByteString.CopyFromUtf8("not a batch") };

        for (var i = 0; i < 3; i++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitBatchAsync(request, Bearer("guess-" + i)));
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Equal("token", Problem(refused).GetProperty("rule").GetString());
        }
        var limited = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitBatchAsync(request, Bearer("guess-3")));
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        var problem = Problem(limited);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.EndsWith("/rate-limited", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(LedgerRateLimits.Limits.FailedAuthentications, problem.GetProperty("rule").GetString());
        Assert.NotNull(limited.Trailers.Get("retry-after"));

        // One counter per client address for both transports: a wrong token over HTTP is now refused at once.
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "guess-4");
        using var answer = await http.GetAsync("/v1/consortium");
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
    }

    [Fact]
    public async Task VerifyProduct_AnonymousBeyondTheVerificationLimit_ResourceExhaustedLikeTheDigitalLinkPath()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(["--grpc-urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["LEDGER_RateLimits__AnonymousVerifications"] = "2" });
        using var channel = GrpcChannel.ForAddress(node.GrpcAddress!);
        var client = new V1.Ledger.LedgerClient(channel);
        V1.VerifyProductRequest Request() => new()
        {
            Gtin = Gtin, Serial = "AV1", Context = "dscsaSaleableReturn", ReqGln = consortium.Pharmacy.Glns[0], CorrUuid = Guid.NewGuid().ToString(),
        };

        for (var i = 0; i < 2; i++)
            Assert.Contains("\"verificationTimestamp\"", (await client.VerifyProductAsync(Request())).Json, StringComparison.Ordinal);
        var limited = await Assert.ThrowsAsync<RpcException>(async () => await client.VerifyProductAsync(Request()));
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.Equal(LedgerRateLimits.Limits.AnonymousVerifications, Problem(limited).GetProperty("rule").GetString());
        // The same per-address allowance as the Digital Link verification path.
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        using var answer = await http.GetAsync($"/01/{Gtin}/21/AV1?linkType=verificationService&context=dscsaSaleableReturn&reqGLN={consortium.Pharmacy.Glns[0]}&corrUUID={Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
    }

    [Fact]
    public async Task OpenSubmitBatchesStream_HoldsTheOneWritePermit_HttpAndUnaryWritesRefusedUntilItCloses()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(["--grpc-urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["LEDGER_MaxConcurrentWrites"] = "1" });
        using var channel = GrpcChannel.ForAddress(node.GrpcAddress!);
        var client = new V1.Ledger.LedgerClient(channel);
        using var sdk = new LedgerClient(new LedgerClientOptions { Node = node.BaseAddress, ApiToken = consortium.Maker.Token, PrivateKey = consortium.Maker.Key });
        async Task<ByteString> CommissionAsync() => ByteString.CopyFrom((await new RecordBatchBuilder(sdk)
            .Commission(Gtin, "LOT1", "281231", Line, ["L" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6))]).BuildAsync()).Encode());
        var first = await CommissionAsync();
        var second = await CommissionAsync();

        using (var call = client.SubmitBatches(Bearer(consortium.Maker.Token)))
        {
            await call.RequestStream.WriteAsync(new V1.SubmitBatchRequest { Batch = first });
            // Its first reply: the stream is in the service, holding the permit.
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.True(call.ResponseStream.Current.Accepted);

            using var http = TestConsortium.ClientFor(node, consortium.Maker);
            using var content = new ByteArrayContent(second.ToByteArray());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.ledger.batch");
            using var refusedHttp = await http.PostAsync("/v1/batches", content);
            Assert.Equal(HttpStatusCode.TooManyRequests, refusedHttp.StatusCode);
            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await client.SubmitBatchAsync(new V1.SubmitBatchRequest { Batch = second }, Bearer(consortium.Maker.Token)));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Equal(("request", "capacity"), (Problem(refused).GetProperty("field").GetString(), Problem(refused).GetProperty("rule").GetString()));
            Assert.NotNull(refused.Trailers.Get("retry-after"));

            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        }
        // The stream closed and gave its permit back (the server ends the call before the client sees its end).
        var accepted = await client.SubmitBatchAsync(new V1.SubmitBatchRequest { Batch = second }, Bearer(consortium.Maker.Token));
        Assert.True(accepted.Accepted);
    }
}
