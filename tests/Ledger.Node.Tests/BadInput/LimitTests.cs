using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.BadInput;

/// <summary>A node with a 4 KiB body limit and one write at a time.</summary>
public sealed class LimitedNode : IAsyncLifetime
{
    /// <summary>The body limit the node is started with.</summary>
    public const int MaxBody = 4096;

    private TestConsortium? _consortium;
    private NodeProcess? _node;

    /// <summary>The parties.</summary>
    public TestConsortium Consortium => _consortium ?? throw new InvalidOperationException("not started");

    /// <summary>The running node.</summary>
    public NodeProcess Node => _node ?? throw new InvalidOperationException("not started");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _consortium = await TestConsortium.CreateAsync();
        _node = await _consortium.StartNodeAsync(environment: new Dictionary<string, string>
        {
            ["LEDGER_MaxRequestBodyBytes"] = MaxBody.ToString(CultureInfo.InvariantCulture),
            ["LEDGER_MaxConcurrentWrites"] = "1",
        });
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
        _consortium?.Dispose();
    }
}

/// <summary>Oversized bodies (413) and too many writes in flight (429): refused before anything is written.</summary>
public sealed class LimitTests(LimitedNode fixture) : IClassFixture<LimitedNode>
{
    [Theory]
    [InlineData("/epcis/capture", "application/ld+json", false)]
    [InlineData("/epcis/capture", "application/ld+json", true)]
    [InlineData("/v1/batches", "application/vnd.ledger.batch", false)]
    [InlineData("/v1/batches", "application/vnd.ledger.batch", true)]
    public async Task Post_BodyOverLimit_413BodyTooLargeNothingWritten(string path, string mediaType, bool chunked)
    {
        using var maker = TestConsortium.ClientFor(fixture.Node, fixture.Consortium.Maker);
        using var regulator = TestConsortium.ClientFor(fixture.Node, fixture.Consortium.Regulator);
        var serial = NewSerial("OB");
        // A valid commissioning document padded with JSON whitespace to twice the limit: only its size is wrong.
        var document = JsonDocumentOf(CommissioningEvent([Urn(serial)]));
        var body = System.Text.Encoding.UTF8.GetBytes(document.Insert(1, new string(' ', 2 * LimitedNode.MaxBody)));
        var before = await HeadAsync(regulator);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new RawContent(body, mediaType, chunked) };
        request.Headers.TransferEncodingChunked = chunked;
        using var response = await maker.SendAsync(request);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        AssertNames(problem, "body-too-large", "body", "max-size");
        Assert.Equal(before, await HeadAsync(regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(regulator, serial), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WhileAnotherWriteInFlight_429RetryAfterNothingWritten()
    {
        var makerParty = fixture.Consortium.Maker;
        using var regulator = TestConsortium.ClientFor(fixture.Node, fixture.Consortium.Regulator);
        using var maker = TestConsortium.ClientFor(fixture.Node, makerParty);
        // The held capture announces Expect: 100-continue; the node answers 100 only when the capture endpoint starts
        // reading the body, i.e. after the request passed the write gate. Until released, it holds the only write slot.
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(5) };
        using var holder = new HttpClient(handler) { BaseAddress = fixture.Node.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var heldSerial = NewSerial("HD");
        var held = new HeldContent(System.Text.Encoding.UTF8.GetBytes(JsonDocumentOf(CommissioningEvent([Urn(heldSerial)]))), "application/ld+json");
        using var heldRequest = new HttpRequestMessage(HttpMethod.Post, "/epcis/capture") { Content = held };
        heldRequest.Headers.ExpectContinue = true;
        heldRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", makerParty.Token);
        var heldResponse = holder.SendAsync(heldRequest);
        await held.Started.Task.WaitAsync(TimeSpan.FromMinutes(1));

        var serial = NewSerial("TM");
        var before = await HeadAsync(regulator);
        using (var response = await PostBatchAsync(maker, SignedBatch.Sign([Record(makerParty, Commission(serial))], makerParty.Key)))
        {
            var problem = await Problem.ReadAsync(response, HttpStatusCode.TooManyRequests);
            AssertNames(problem, "overloaded", "request", "capacity");
            Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1);
        }
        Assert.Equal(before, await HeadAsync(regulator));

        held.Release();
        using (var done = await heldResponse)
            Assert.True(done.StatusCode == HttpStatusCode.Accepted, await done.Content.ReadAsStringAsync());
        Assert.Contains("\"known\":true", await ProvenanceAsync(regulator, heldSerial), StringComparison.Ordinal);
        Assert.Contains("\"known\":false", await ProvenanceAsync(regulator, serial), StringComparison.Ordinal);
    }
}

/// <summary>A body sent with Content-Length or chunked (no length).</summary>
internal sealed class RawContent : HttpContent
{
    private readonly byte[] _body;
    private readonly bool _chunked;

    public RawContent(byte[] body, string mediaType, bool chunked)
    {
        _body = body;
        _chunked = chunked;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        // In pieces, so a chunked body really arrives as several chunks.
        for (var i = 0; i < _body.Length; i += 1024)
            await stream.WriteAsync(_body.AsMemory(i, Math.Min(1024, _body.Length - i)));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return !_chunked;
    }
}

/// <summary>A body whose sending starts only when the server asks for it (100 Continue) and completes on <see cref="Release"/>.</summary>
internal sealed class HeldContent : HttpContent
{
    private readonly byte[] _body;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HeldContent(byte[] body, string mediaType)
    {
        _body = body;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    /// <summary>Completed when the client starts sending the body.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets the body go.</summary>
    public void Release() => _release.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        Started.TrySetResult();
        await _release.Task;
        await stream.WriteAsync(_body);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}
