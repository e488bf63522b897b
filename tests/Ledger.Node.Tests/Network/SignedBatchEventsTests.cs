using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Node.Tests.Network;

/// <summary>Records written as signed batches appear in the EPCIS query binding as events rendered from the records.</summary>
public sealed class SignedBatchEventsTests
{
    [Fact]
    public async Task SignedBatchCommission_IsListedByEpcisQueries()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync();
        using var maker = TestConsortium.ClientFor(node, consortium.Maker);
        using var pharmacy = TestConsortium.ClientFor(node, consortium.Pharmacy);
        var serial = "SB" + Guid.NewGuid().ToString("N")[..8];
        var record = new LedgerRecord(consortium.Maker.Address, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new CommissionPayload("00300010123455", "LOT9", "301231", "0300011111116", [serial]));
        using var body = new ByteArrayContent(SignedBatch.Sign([record], consortium.Maker.Key).Encode());
        body.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.ledger.batch");
        Assert.Equal(HttpStatusCode.OK, (await maker.PostAsync("/v1/batches", body)).StatusCode);

        var epc = $"https://id.gs1.org/01/00300010123455/21/{serial}";
        var response = await maker.GetAsync("/epcis/events?EQ_bizStep=commissioning&MATCH_epc=" + Uri.EscapeDataString(epc));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var events = json.RootElement.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList");
        var e = Assert.Single(events.EnumerateArray());
        Assert.Equal("ObjectEvent", e.GetProperty("type").GetString());
        Assert.StartsWith("ni:///sha-256;", e.GetProperty("eventID").GetString(), StringComparison.Ordinal);

        // Another party sees only its own events.
        using var other = JsonDocument.Parse(await (await pharmacy.GetAsync("/epcis/events?MATCH_epc=" + Uri.EscapeDataString(epc))).Content.ReadAsStringAsync());
        Assert.Empty(other.RootElement.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList").EnumerateArray());
    }
}
