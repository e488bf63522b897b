using System.Net;
using System.Text.Json;
using Ledger.Node.Tests.Flow;
using Ledger.Node.Tests.Network;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.Epcis;

/// <summary>Capture jobs in the lane store: durable across restarts, older job files moved in, pruned after the retention.</summary>
public sealed class CaptureJobTests
{
    [Fact]
    public async Task CaptureJob_SurvivesRestart_AndAnOlderNodesJobFileIsServedFromTheStore()
    {
        using var consortium = await TestConsortium.CreateAsync();
        // A job file as a node before this one wrote it, and a torn one.
        var folder = Path.Combine(consortium.DataDirectory, "captures");
        Directory.CreateDirectory(folder);
        var oldId = Guid.NewGuid().ToString("N");
        var oldJson = $"{{\"captureID\":\"{oldId}\",\"createdAt\":\"{DateTimeOffset.UtcNow.AddHours(-1):O}\",\"finishedAt\":\"x\",\"running\":false,\"success\":true,\"party\":\"{consortium.Maker.Address}\",\"events\":[]}}";
        await File.WriteAllTextAsync(Path.Combine(folder, oldId + ".json"), oldJson);
        await File.WriteAllTextAsync(Path.Combine(folder, Guid.NewGuid().ToString("N") + ".json"), "{\"captureID\":");

        string newId;
        JsonElement captured;
        await using (var node = await consortium.StartNodeAsync())
        {
            using var maker = TestConsortium.ClientFor(node, consortium.Maker);
            captured = await FlowKit.CaptureAsync(maker, JsonDocumentOf(CommissioningEvent([Urn(NewSerial("CJ"))])), "application/ld+json");
            newId = captured.Str("captureID")!;
            Assert.True(JsonElement.DeepEquals(captured, await FlowKit.GetJsonAsync(maker, "/epcis/capture/" + newId)));
            Assert.Equal(oldJson, (await FlowKit.GetJsonAsync(maker, "/epcis/capture/" + oldId)).GetRawText());
            // Another party does not see the maker's job.
            using var pharmacy = TestConsortium.ClientFor(node, consortium.Pharmacy);
            Assert.Equal(HttpStatusCode.NotFound, (await FlowKit.GetAsync(pharmacy, "/epcis/capture/" + newId)).Status);
            Assert.Contains("are not capture jobs and were left there", node.StdErr, StringComparison.Ordinal);
        }
        // No job file is written any more; the torn file is left as it was.
        Assert.Single(Directory.EnumerateFiles(folder));
        Assert.False(File.Exists(Path.Combine(folder, newId + ".json")));
        await using (var node = await consortium.StartNodeAsync())
        {
            using var regulator = TestConsortium.ClientFor(node, consortium.Regulator);
            Assert.True(JsonElement.DeepEquals(captured, await FlowKit.GetJsonAsync(regulator, "/epcis/capture/" + newId)));
            Assert.Equal(oldJson, (await FlowKit.GetJsonAsync(regulator, "/epcis/capture/" + oldId)).GetRawText());
        }
    }

    [Fact]
    public async Task CaptureJob_OlderThanTheRetention_IsPrunedAndAnswers404()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(environment: new Dictionary<string, string>
        {
            ["LEDGER_EPCIS__CAPTUREJOBRETENTION"] = "00:00:02",
            ["LEDGER_EPCIS__CAPTUREJOBPRUNEINTERVAL"] = "00:00:01",
        });
        using var maker = TestConsortium.ClientFor(node, consortium.Maker);
        var captured = await FlowKit.CaptureAsync(maker, JsonDocumentOf(CommissioningEvent([Urn(NewSerial("CP"))])), "application/ld+json");
        var path = "/epcis/capture/" + captured.Str("captureID");
        // The job is readable until the pruner has run past its retention; then it is gone.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var status = HttpStatusCode.OK;
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            status = (await FlowKit.GetAsync(maker, path)).Status;
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("deleted 1 capture jobs older than", node.StdErr, StringComparison.Ordinal);
        // The capture's events stay on the ledger: only the job is pruned.
        var events = await FlowKit.GetJsonAsync(maker, "/epcis/events?EQ_bizStep=commissioning");
        Assert.NotEqual(0, events.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList").GetArrayLength());
    }
}
