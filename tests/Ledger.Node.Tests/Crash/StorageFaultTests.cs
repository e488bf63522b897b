using System.Net;
using Ledger.Node.Tests.Network;
using Xunit;

namespace Ledger.Node.Tests.Crash;

/// <summary>
/// Storage faults as a client of a real node sees them: refused writes are 507 problems naming the path relative to the
/// data folder and the free bytes, reads go on, /readyz and /metrics say why; a damaged committed segment does not stop
/// the node from starting, and a read of the damaged block is a 503 problem naming the file, never a bare 500.
/// </summary>
public sealed class StorageFaultTests
{
    private static readonly Dictionary<string, string> QuietRequests = new() { ["LEDGER_Logging__LogLevel__Ledger.Node.Requests"] = "Warning" };

    [Fact]
    public async Task Submit_BelowTheFreeSpaceThreshold_507NamingPathAndFreeBytes_ReadsServed_ReadyzAndMetricsSaySo()
    {
        using var consortium = await TestConsortium.CreateAsync();
        var book = new IngestBook(consortium.Maker, consortium.Wholesaler.Address);
        var random = new Random(7);
        PlannedBatch first;
        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            first = book.Plan(random, 20, 20);
            Assert.Equal(SubmitStatus.Acknowledged, (await LaneClient.SubmitAsync(client, first, () => false)).Status);
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", TimeSpan.FromSeconds(30)));
        }
        // A threshold above what the disk has free: every write is refused before anything is touched.
        var full = new Dictionary<string, string>(QuietRequests) { ["LEDGER_Lane__MinFreeMb"] = (1L << 40).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await using (var node = await consortium.StartNodeAsync(environment: full))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            var planned = book.Plan(random, 20, 20);
            using var content = new ByteArrayContent(planned.Encoded);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(Ledger.Node.Api.LedgerEndpoints.BatchMediaType);
            using var response = await client.PostAsync("/v1/batches", content);
            var problem = await Problem.ReadAsync(response, HttpStatusCode.InsufficientStorage);
            Assert.Equal(ProblemTypes.StorageFull, problem.Type());
            Assert.Equal("ledger/", problem.Member("path"));
            Assert.True(problem.GetProperty("freeBytes").GetInt64() > 0);
            Assert.DoesNotContain(consortium.DataDirectory, problem.GetRawText(), StringComparison.Ordinal);
            Assert.NotNull(response.Headers.RetryAfter);

            using var ready = await node.Client.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("storage-full", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var metrics = await node.Client.GetStringAsync("/metrics");
            Assert.Contains("ledger_lane_writes_refused{reason=\"storage-full\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("ledger_storage_free_bytes ", metrics, StringComparison.Ordinal);

            // Reads are served.
            using var record = await client.GetAsync("/v1/records/" + first.Batch.Records[0].Id);
            Assert.Equal(HttpStatusCode.OK, record.StatusCode);
        }
    }

    [Fact]
    public async Task Start_CommittedSegmentTruncated_StartsOneLineReadOfTheDamagedBlockIs503NamingTheFile()
    {
        using var consortium = await TestConsortium.CreateAsync();
        var book = new IngestBook(consortium.Maker, consortium.Wholesaler.Address);
        var random = new Random(11);
        PlannedBatch first, last;
        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            first = book.Plan(random, 20, 20);
            Assert.Equal(SubmitStatus.Acknowledged, (await LaneClient.SubmitAsync(client, first, () => false)).Status);
            last = book.Plan(random, 20, 20);
            Assert.Equal(SubmitStatus.Acknowledged, (await LaneClient.SubmitAsync(client, last, () => false)).Status);
            Assert.Equal(0, await node.SignalAndWaitForExitAsync("TERM", TimeSpan.FromSeconds(30)));
        }
        var segment = Path.Combine(consortium.DataDirectory, "ledger", "blocks", "seg-000000000001.dat");
        using (var file = new FileStream(segment, FileMode.Open))
            file.SetLength(file.Length - 10); // the last record of the last block loses its last bytes

        await using (var node = await consortium.StartNodeAsync(environment: QuietRequests))
        {
            using var client = LaneClient.Create(node, consortium.Maker.Token);
            var line = node.StdErr.Split('\n').Single(l => l.Contains("storage damaged", StringComparison.Ordinal));
            Assert.Contains("ledger/blocks/seg-000000000001.dat offset ", line, StringComparison.Ordinal);
            Assert.Contains("restore the file", line, StringComparison.Ordinal);
            Assert.DoesNotContain(consortium.DataDirectory, line, StringComparison.Ordinal);
            using (var ready = await node.Client.GetAsync("/readyz"))
                Assert.Contains("storage-damaged", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // The intact block is served; the damaged one is a problem naming the file, never data and never a bare 500.
            using (var ok = await client.GetAsync("/v1/records/" + first.Batch.Records[0].Id))
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            using var damaged = await client.GetAsync("/v1/records/" + last.Batch.Records[^1].Id);
            var problem = await Problem.ReadAsync(damaged, HttpStatusCode.ServiceUnavailable);
            Assert.Equal(ProblemTypes.StorageDamaged, problem.Type());
            Assert.Equal("ledger/blocks/seg-000000000001.dat", problem.Member("path"));
            Assert.DoesNotContain(consortium.DataDirectory, problem.GetRawText(), StringComparison.Ordinal);

            // Writes are refused until the file is restored.
            using var content = new ByteArrayContent(book.Plan(random, 20, 20).Encoded);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(Ledger.Node.Api.LedgerEndpoints.BatchMediaType);
            using var refused = await client.PostAsync("/v1/batches", content);
            Assert.Equal(ProblemTypes.StorageDamaged, (await Problem.ReadAsync(refused, HttpStatusCode.InsufficientStorage)).Type());
        }
    }
}
