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
}
