using System.Globalization;
using System.Net;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.BadInput;

/// <summary>A full sequencer queue: 503 with Retry-After (LaneOverloadedException), and nothing of the refused batch written.</summary>
public sealed class OverloadTests
{
    [Fact]
    public async Task Batch_LaneQueueFull_503RetryAfterNothingWritten()
    {
        using var consortium = await TestConsortium.CreateAsync();
        // One queued submission at most; the sequencer waits up to 10 s for more before it cuts a block, and the
        // submission it waits with still counts as queued. So while the first batch waits, a second one overflows.
        await using var node = await consortium.StartNodeAsync(environment: new Dictionary<string, string>
        {
            ["LEDGER_Lane__MaxQueuedSubmissions"] = "1",
            ["LEDGER_Lane__MaxBlockDelay"] = "00:00:10",
        });
        var makerParty = consortium.Maker;
        using var maker = TestConsortium.ClientFor(node, makerParty);
        using var regulator = TestConsortium.ClientFor(node, consortium.Regulator);
        var before = await HeadAsync(regulator);

        var firstSerial = NewSerial("Q1");
        var first = PostBatchAsync(maker, SignedBatch.Sign([Record(makerParty, Commission(firstSerial))], makerParty.Key));
        await WaitForQueueLengthAsync(node, 1);

        var serial = NewSerial("Q2");
        using (var response = await PostBatchAsync(maker, SignedBatch.Sign([Record(makerParty, Commission(serial))], makerParty.Key)))
        {
            var problem = await Problem.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
            AssertNames(problem, "overloaded", "request", "capacity");
            Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1);
        }

        using (var done = await first)
            Assert.True(done.StatusCode == HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
        var after = await HeadAsync(regulator);
        Assert.Equal(before.LogSize + 1, after.LogSize);
        Assert.Contains("\"known\":true", await ProvenanceAsync(regulator, firstSerial), StringComparison.Ordinal);
        Assert.Contains("\"known\":false", await ProvenanceAsync(regulator, serial), StringComparison.Ordinal);
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
