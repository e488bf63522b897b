using System.Globalization;
using System.Net;
using System.Text;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.Platform;

/// <summary>
/// The request counter's <c>status</c> label is the status the client received: 2xx, 4xx and 5xx answers of several
/// endpoints, including those set by the exception handler (a malformed EPCIS document, a bad identifier, a full
/// sequencer queue), by an authorization policy and by routing.
/// </summary>
public sealed class RequestMetricsTests
{
    [Fact]
    public async Task RequestsTotal_2xx4xx5xxOfSeveralEndpoints_StatusLabelIsTheStatusReceived()
    {
        using var consortium = await TestConsortium.CreateAsync();
        // One queued submission at most, and the sequencer waits 5 s for more: a second batch meanwhile gets a real 503.
        await using var node = await consortium.StartNodeAsync(environment: new Dictionary<string, string>
        {
            ["LEDGER_Lane__MaxQueuedSubmissions"] = "1",
            ["LEDGER_Lane__MaxBlockDelay"] = "00:00:05",
        });
        using var maker = TestConsortium.ClientFor(node, consortium.Maker);
        using var pharmacy = TestConsortium.ClientFor(node, consortium.Pharmacy);
        using var anonymous = TestConsortium.ClientFor(node, null);

        await AssertCountedAsync(node, "/v1/head", () => anonymous.GetAsync("/v1/head"), HttpStatusCode.OK);
        await AssertCountedAsync(node, "/v1/provenance", () => maker.GetAsync("/v1/provenance?id=" + Uri.EscapeDataString("(01)" + WrongCheckDigit(Gtin) + "(21)X")),
            HttpStatusCode.BadRequest);
        await AssertCountedAsync(node, "/v1/provenance", () => anonymous.GetAsync("/v1/provenance?id=" + Uri.EscapeDataString(PackId("M1"))),
            HttpStatusCode.Unauthorized);
        await AssertCountedAsync(node, "/epcis/capture", () => maker.PostAsync("/epcis/capture",
            new StringContent("{\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":[", Encoding.UTF8, "application/ld+json")), HttpStatusCode.BadRequest);
        await AssertCountedAsync(node, "/v1/blocks/{height:long}", () => pharmacy.GetAsync("/v1/blocks/1"), HttpStatusCode.Forbidden);
        await AssertCountedAsync(node, "unmatched", () => anonymous.GetAsync("/no/such/endpoint"), HttpStatusCode.NotFound);
        await AssertCountedAsync(node, "/v1/gs1/parse", () => anonymous.GetAsync("/v1/gs1/parse?input=" + Uri.EscapeDataString("(01)" + Gtin)), HttpStatusCode.OK);

        // 5xx: the lane's queue is full (LaneOverloadedException, answered by the exception handler).
        var first = PostBatchAsync(maker, SignedBatch.Sign([Record(consortium.Maker, Commission(NewSerial("MQ1")))], consortium.Maker.Key));
        await WaitForQueueLengthAsync(node, 1);
        await AssertCountedAsync(node, "/v1/batches",
            () => PostBatchAsync(maker, SignedBatch.Sign([Record(consortium.Maker, Commission(NewSerial("MQ2")))], consortium.Maker.Key)),
            HttpStatusCode.ServiceUnavailable);
        using (var done = await first)
            Assert.True(done.StatusCode == HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
        var counts = await PlatformKit.WaitForCountAsync(node.Client, "/v1/batches", "200", 1);
        Assert.Equal(1, counts.GetValueOrDefault("200"));
        Assert.Equal(1, counts.GetValueOrDefault("503"));
        Assert.Equal(2, counts.Values.Sum());
    }

    /// <summary>Sends one request; the route's series for the status received grew by one and no other series of the route moved.</summary>
    private static async Task AssertCountedAsync(NodeProcess node, string route, Func<Task<HttpResponseMessage>> send, HttpStatusCode expected)
    {
        var before = await PlatformKit.RequestCountsAsync(node.Client, route);
        using var response = await send();
        Assert.True(response.StatusCode == expected, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var after = await PlatformKit.WaitForCountAsync(node.Client, route, status, before.GetValueOrDefault(status) + 1);
        Assert.True(after.GetValueOrDefault(status) == before.GetValueOrDefault(status) + 1,
            $"{route}: status=\"{status}\" went from {before.GetValueOrDefault(status)} to {after.GetValueOrDefault(status)}");
        foreach (var (other, count) in after.Where(kv => kv.Key != status))
            Assert.True(count == before.GetValueOrDefault(other), $"{route}: status=\"{other}\" moved from {before.GetValueOrDefault(other)} to {count} for a {status} answer");
    }

    private static async Task WaitForQueueLengthAsync(NodeProcess node, int length)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var expected = "ledger_lane_queue_length " + length.ToString(CultureInfo.InvariantCulture);
        while (true)
        {
            var metrics = await node.Client.GetStringAsync("/metrics", cts.Token);
            if (metrics.Split('\n').Any(l => l.Trim() == expected))
                return;
            await Task.Delay(20, cts.Token);
        }
    }
}
