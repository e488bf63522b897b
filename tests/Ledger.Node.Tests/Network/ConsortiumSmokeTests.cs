using System.Net;
using System.Text.Json;
using Xunit;

namespace Ledger.Node.Tests.Network;

public sealed class ConsortiumSmokeTests
{
    [Fact]
    public async Task Node_InitialisedByCli_ServesConsortiumToPartiesOnly()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync();
        using var anonymous = TestConsortium.ClientFor(node, null);
        using var maker = TestConsortium.ClientFor(node, consortium.Maker);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/consortium")).StatusCode);
        var response = await maker.GetAsync("/v1/consortium");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, json.RootElement.GetProperty("quorum").GetInt32());
        var names = json.RootElement.GetProperty("parties").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["maker", "wholesaler", "pharmacy", "fda"], names.Take(4));
    }

    [Fact]
    public async Task Node_LogFormatJson_WritesOneJsonObjectPerLogLine()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using (var node = await consortium.StartNodeAsync(["--log-format", "json"]))
        {
            using var maker = TestConsortium.ClientFor(node, consortium.Maker);
            Assert.Equal(HttpStatusCode.OK, (await maker.GetAsync("/v1/head")).StatusCode);
            await node.SignalAndWaitForExitAsync("TERM", TimeSpan.FromSeconds(30));
            var lines = node.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                using var json = JsonDocument.Parse(line);
                Assert.True(json.RootElement.TryGetProperty("Timestamp", out _), line);
            }
            Assert.Contains(lines, l => l.Contains("\"StatusCode\":200", StringComparison.Ordinal) && l.Contains("/v1/head", StringComparison.Ordinal));
            Assert.DoesNotContain(consortium.Maker.Token, node.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Node_UnknownLogFormat_ExitsTwoNamingTheSetting()
    {
        var r = await NodeProcess.RunToExitAsync(["node", "run", "--data", Path.Combine(Path.GetTempPath(), "ledger-" + Guid.NewGuid().ToString("N")), "--log-format", "xml", "--urls", "http://127.0.0.1:0"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("LogFormat", r.StdErr, StringComparison.Ordinal);
    }
}
