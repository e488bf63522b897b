using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.BadInput;

/// <summary>API tokens never reach the node's output, whatever endpoint they are sent to (log level Debug).</summary>
public sealed class TokenLeakTests
{
    [Fact]
    public async Task Node_EveryEndpointWithEveryToken_NoTokenInStdOutOrStdErr()
    {
        using var consortium = await TestConsortium.CreateAsync();
        await using var node = await consortium.StartNodeAsync(environment: new Dictionary<string, string>
        {
            ["LEDGER_Logging__LogLevel__Default"] = "Debug",
        });
        var makerParty = consortium.Maker;
        var serial = NewSerial("TL");
        string recordId;
        using (var maker = TestConsortium.ClientFor(node, makerParty))
            recordId = (await CommissionAsync(maker, makerParty, serial)).ToString();
        var wrongToken = "lt_" + Guid.NewGuid().ToString("N");
        var tokens = consortium.Parties.Values.Select(p => p.Token).Append(wrongToken).ToList();
        string[] gets =
        [
            "/", "/healthz", "/readyz", "/v1/node", "/v1/gs1/parse?input=" + Uri.EscapeDataString(PackId(serial)), "/v1/head", "/v1/headers/1",
            "/v1/blocks/1", "/v1/records/" + recordId, "/v1/proofs/inclusion/" + recordId, "/v1/proofs/consistency?from=0",
            "/v1/alerts", "/v1/consortium", "/v1/provenance?id=" + Uri.EscapeDataString(PackId(serial)), "/v1/provenance/" + Uri.EscapeDataString(PackId(serial)),
            "/epcis/events", "/epcis/events/urn:uuid:" + Guid.NewGuid(), "/epcis/epcs/" + Uri.EscapeDataString(Urn(serial)) + "/events", "/epcis/capture/" + Guid.NewGuid().ToString("N"),
            $"/01/{Gtin}/21/{serial}", $"/01/{Gtin}/21/{serial}?linkType=verificationService&context=dscsaSaleableReturn&reqGLN={WholesalerDock}&corrUUID={Guid.NewGuid()}",
            $"/gtin/{Gtin}/ser/{serial}", "/00/003000100000000017", "/metrics", "/openapi/v1.json", "/no/such/endpoint",
        ];
        foreach (var token in tokens)
        {
            using var client = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            foreach (var path in gets)
                (await client.GetAsync(path)).Dispose();
            using (var parse = new StringContent(JsonSerializer.Serialize(new { input = PackId(serial) }), Encoding.UTF8, "application/json"))
                (await client.PostAsync("/v1/gs1/parse", parse)).Dispose();
            using (var hash = new StringContent(JsonDocumentOf(CommissioningEvent([Urn(serial)])), Encoding.UTF8, "application/ld+json"))
                (await client.PostAsync("/v1/epcis/hash", hash)).Dispose();
            (await CaptureAsync(client, JsonDocumentOf(CommissioningEvent([Urn(NewSerial("TC"))])))).Dispose();
            (await CaptureAsync(client, "{not json")).Dispose();
            (await PostBatchAsync(client, SignedBatch.Sign([Record(makerParty, Commission(NewSerial("TB")))], makerParty.Key))).Dispose();
        }
        Assert.Contains("GET /v1/head", node.StdErr, StringComparison.Ordinal);
        foreach (var token in tokens)
        {
            Assert.DoesNotContain(token, node.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain(token, node.StdOut, StringComparison.Ordinal);
        }
    }
}
