using System.Collections.Concurrent;
using System.Net;
using Ledger.Node.Tests.Network;
using Ledger.Protocol;
using Ledger.Sdk.Client;
using Xunit;

namespace Ledger.Sdk.Tests.Client;

/// <summary>Retries against a real node that sheds load, and the backoff rules.</summary>
public sealed class RetryTests
{
    /// <summary>Counts the answers the client saw, per status, and the Retry-After values given.</summary>
    private sealed class CountingHandler : DelegatingHandler
    {
        public CountingHandler() : base(new SocketsHttpHandler()) { }

        public ConcurrentBag<(HttpStatusCode Status, TimeSpan? RetryAfter)> Answers { get; } = [];

        public int FailFirst;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref FailFirst) >= 0)
                throw new HttpRequestException("simulated connection reset");
            var response = await base.SendAsync(request, cancellationToken);
            Answers.Add((response.StatusCode, response.Headers.RetryAfter?.Delta));
            return response;
        }
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task SubmitBatchAsync_NodeSheddingLoad_RetriesHonouringRetryAfterAndEveryRecordLandsOnce(LedgerTransport transport)
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(SdkNodeFixture.GrpcArgs, environment: new Dictionary<string, string>
        {
            ["LEDGER_MaxConcurrentWrites"] = "1",
            ["LEDGER_Lane__MaxQueuedSubmissions"] = "1",
        });
        // What the client saw before each retry, whatever the transport (over gRPC the status is the problem's).
        var notices = new ConcurrentBag<LedgerRetryNotice>();
        using var maker = new LedgerClient(new LedgerClientOptions
        {
            Node = node.BaseAddress,
            GrpcNode = node.GrpcAddress,
            Transport = transport,
            ApiToken = consortium.Maker.Token,
            PrivateKey = consortium.Maker.Key,
            Retry = { MaxAttempts = 100, BaseDelay = TimeSpan.FromMilliseconds(50), OnRetry = notices.Add },
        });
        var results = new List<SubmitBatchResult>();
        for (var round = 0; round < 5 && !notices.Any(a => a.Status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable); round++)
        {
            var batches = new List<Ledger.Protocol.Records.SignedBatch>();
            for (var i = 0; i < 24; i++)
                batches.Add(await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).BuildAsync());
            results.AddRange(await Task.WhenAll(batches.Select(b => maker.SubmitBatchAsync(b))));
        }

        var shed = notices.Where(a => a.Status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(shed);
        Assert.All(shed, a => Assert.NotNull(a.RetryAfter));
        Assert.All(shed, a => Assert.Equal(a.RetryAfter, a.Delay));
        Assert.All(results, r => Assert.Equal("accepted", Assert.Single(r.Outcomes).Outcome));

        using var fda = new LedgerClient(new LedgerClientOptions { Node = node.BaseAddress, ApiToken = consortium.Regulator.Token });
        var head = await fda.GetHeadAsync();
        var onLedger = new List<Hash32>();
        for (var h = 1L; h <= head!.Height; h++)
            onLedger.AddRange((await fda.GetBlockAsync(h))!.RecordIds());
        var submitted = results.Select(r => r.Outcomes[0].RecordIds[0]).ToList();
        Assert.All(submitted, id => Assert.Equal(1, onLedger.Count(x => x == id)));
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task GetProvenanceJsonAsync_TransientNetworkErrors_RetriedUntilAnswered(LedgerTransport transport)
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(SdkNodeFixture.GrpcArgs);
        var id = "(01)" + SdkNodeFixture.Gtin + "(21)" + SdkNodeFixture.NewSerial();
        using var handler = new CountingHandler { FailFirst = 2 };
        using var maker = new LedgerClient(new LedgerClientOptions
        {
            Node = node.BaseAddress, GrpcNode = node.GrpcAddress, Transport = transport, ApiToken = consortium.Maker.Token, HttpMessageHandler = handler,
            Retry = { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10) },
        });
        Assert.Contains("ledger-provenance/v2", await maker.GetProvenanceJsonAsync(id), StringComparison.Ordinal);
        Assert.Single(handler.Answers);

        using var once = new CountingHandler { FailFirst = 1 };
        using var noRetry = new LedgerClient(new LedgerClientOptions
        {
            Node = node.BaseAddress, GrpcNode = node.GrpcAddress, Transport = transport, ApiToken = consortium.Maker.Token, HttpMessageHandler = once, Retry = { MaxAttempts = 1 },
        });
        await Assert.ThrowsAsync<HttpRequestException>(() => noRetry.GetProvenanceJsonAsync(id));
    }

    [Fact]
    public async Task GetHeadAsync_TransientNetworkErrors_RetriedUntilAnswered()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync();
        using var handler = new CountingHandler { FailFirst = 2 };
        using var maker = new LedgerClient(new LedgerClientOptions
        {
            Node = node.BaseAddress, ApiToken = consortium.Maker.Token, HttpMessageHandler = handler,
            Retry = { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10) },
        });
        Assert.Null(await maker.GetHeadAsync());
        Assert.Single(handler.Answers);

        using var once = new CountingHandler { FailFirst = 1 };
        using var noRetry = new LedgerClient(new LedgerClientOptions
        {
            Node = node.BaseAddress, ApiToken = consortium.Maker.Token, HttpMessageHandler = once, Retry = { MaxAttempts = 1 },
        });
        await Assert.ThrowsAsync<HttpRequestException>(() => noRetry.GetHeadAsync());
    }

    [Fact]
    public void Backoff_RetryAfterGiven_UsesItCappedAtMaxDelay()
    {
        using var client = new LedgerClient(new LedgerClientOptions
        {
            Node = new Uri("http://127.0.0.1:1/"), ApiToken = "t", Retry = { MaxDelay = TimeSpan.FromSeconds(10) },
        });
        Assert.Equal(TimeSpan.FromSeconds(3), client.Backoff(1, TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromSeconds(10), client.Backoff(1, TimeSpan.FromSeconds(120)));
        Assert.Equal(TimeSpan.Zero, client.Backoff(1, TimeSpan.FromSeconds(-5)));
    }

    [Fact]
    public void Backoff_NoRetryAfter_ExponentialWithJitterWithinBounds()
    {
        using var client = new LedgerClient(new LedgerClientOptions
        {
            Node = new Uri("http://127.0.0.1:1/"), ApiToken = "t",
            Retry = { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) },
        });
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            var ceiling = Math.Min(1000, 100 * Math.Pow(2, attempt - 1));
            for (var i = 0; i < 50; i++)
            {
                var d = client.Backoff(attempt, null).TotalMilliseconds;
                Assert.InRange(d, ceiling / 2, ceiling);
            }
        }
    }

    [Fact]
    public void Constructor_NoCredentials_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => new LedgerClient(new LedgerClientOptions { Node = new Uri("http://127.0.0.1:1/") }));
        Assert.Contains("ApiToken", e.Message, StringComparison.Ordinal);
    }
}
