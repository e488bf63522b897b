using Ledger.Node.Api;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Node.Tests.BadInput;

/// <summary>The lane head as /v1/head shows it: what must not move when a request is refused.</summary>
public sealed record HeadSnapshot(long Height, long LogSize, string? Hash);

/// <summary>One node on a <see cref="TestConsortium"/> data folder, shared by the tests of a class.</summary>
public sealed class BadInputNode : IAsyncLifetime
{
    private TestConsortium? _consortium;
    private NodeProcess? _node;

    /// <summary>The parties.</summary>
    public TestConsortium Consortium => _consortium ?? throw new InvalidOperationException("not started");

    /// <summary>The running node.</summary>
    public NodeProcess Node => _node ?? throw new InvalidOperationException("not started");

    /// <summary>A client authenticated as <paramref name="party"/> (null: anonymous); the caller disposes it.</summary>
    public HttpClient ClientFor(TestParty? party) => TestConsortium.ClientFor(Node, party);

    /// <summary>No credentials.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>The maker's token.</summary>
    public HttpClient Maker { get; private set; } = null!;

    /// <summary>The pharmacy's token.</summary>
    public HttpClient Pharmacy { get; private set; } = null!;

    /// <summary>The regulator's token.</summary>
    public HttpClient Regulator { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        _consortium = await TestConsortium.CreateAsync();
        _node = await _consortium.StartNodeAsync();
        Anonymous = ClientFor(null);
        Maker = ClientFor(_consortium.Maker);
        Pharmacy = ClientFor(_consortium.Pharmacy);
        Regulator = ClientFor(_consortium.Regulator);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        foreach (var client in new[] { Anonymous, Maker, Pharmacy, Regulator })
            client?.Dispose();
        if (_node is not null)
            await _node.DisposeAsync();
        _consortium?.Dispose();
    }
}

/// <summary>Requests, documents and records the bad-input tests build.</summary>
public static class BadInputKit
{
    /// <summary>The maker's GTIN (company prefix 030001, item reference 012345, as in the GS1 US pharma example).</summary>
    public static readonly string Gtin = WithCheckDigit("0030001012345");

    /// <summary>The maker's production line GLN.</summary>
    public const string MakerLine = "0300011111116";

    /// <summary>The wholesaler's receiving GLN.</summary>
    public const string WholesalerDock = "0399993456780";

    private static long _nonce = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 12;

    /// <summary>The 14 digits with their correct check digit appended.</summary>
    public static string WithCheckDigit(string thirteen) => thirteen + CheckDigit.Compute(thirteen);

    /// <summary>The same GTIN with a check digit that is wrong.</summary>
    public static string WrongCheckDigit(string gtin14) =>
        gtin14[..13] + (char)('0' + ((gtin14[13] - '0' + 1) % 10));

    /// <summary>A serial no other test uses.</summary>
    public static string NewSerial(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();

    /// <summary>The pack's item id.</summary>
    public static ItemId Pack(string serial) => ItemId.Sgtin(Gtin, serial);

    /// <summary>The pack's identifier in the element-string form /v1/provenance reads.</summary>
    public static string PackId(string serial) => "(01)" + Gtin + "(21)" + serial;

    /// <summary>An unsigned record with a fresh nonce, dated now (or <paramref name="timeMs"/>).</summary>
    public static LedgerRecord Record(TestParty author, RecordPayload payload, IEnumerable<Ledger.Protocol.Hash32>? deps = null, long? timeMs = null) =>
        new(author.Address, (ulong)Interlocked.Increment(ref _nonce), timeMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), payload, deps);

    /// <summary>A commission of <paramref name="serials"/> by the maker at its line.</summary>
    public static CommissionPayload Commission(params string[] serials) => new(Gtin, "LOT1", "281231", MakerLine, serials);

    /// <summary>POSTs a batch as its canonical RLP.</summary>
    public static async Task<HttpResponseMessage> PostBatchAsync(HttpClient client, SignedBatch batch)
    {
        using var content = new ByteArrayContent(batch.Encode());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.ledger.batch");
        return await client.PostAsync("/v1/batches", content);
    }

    /// <summary>Commissions <paramref name="serials"/> through a signed batch and returns the record id.</summary>
    public static async Task<Ledger.Protocol.Hash32> CommissionAsync(HttpClient maker, TestParty makerParty, params string[] serials)
    {
        var record = Record(makerParty, Commission(serials));
        using var response = await PostBatchAsync(maker, SignedBatch.Sign([record], makerParty.Key));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return record.Id;
    }

    /// <summary>The head (read as <paramref name="reader"/>).</summary>
    public static async Task<HeadSnapshot> HeadAsync(HttpClient reader)
    {
        using var response = await reader.GetAsync("/v1/head");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var height = root.GetProperty("height").GetInt64();
        return height == 0
            ? new HeadSnapshot(0, 0, null)
            : new HeadSnapshot(height, root.GetProperty("logSize").GetInt64(), root.GetProperty("hash").GetString());
    }

    /// <summary>
    /// The provenance JSON of a pack as the regulator reads it (every proof; identical text means nothing changed), without
    /// <c>state.statusAt</c> (when the pack has a state): the time of the read, not a stored fact.
    /// </summary>
    public static async Task<string> ProvenanceAsync(HttpClient regulator, string serial)
    {
        using var response = await regulator.GetAsync("/v1/provenance?id=" + Uri.EscapeDataString(PackId(serial)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        if (node["state"] is System.Text.Json.Nodes.JsonObject state)
            Assert.True(state.Remove("statusAt"), "a stated state names the time of its status");
        return node.ToJsonString();
    }

    /// <summary>POSTs an EPCIS document to /epcis/capture.</summary>
    public static async Task<HttpResponseMessage> CaptureAsync(HttpClient client, string document, string mediaType = "application/ld+json", string? behaviour = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/epcis/capture")
        {
            Content = new StringContent(document, Encoding.UTF8, mediaType),
        };
        if (behaviour is not null)
            request.Headers.Add("GS1-Capture-Error-Behaviour", behaviour);
        return await client.SendAsync(request);
    }

    /// <summary>An EPCIS 2.0 JSON-LD document with the given events.</summary>
    public static string JsonDocumentOf(params string[] events) =>
        "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\"],\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\","
        + "\"creationDate\":\"" + Now() + "\",\"epcisBody\":{\"eventList\":[" + string.Join(",", events) + "]}}";

    /// <summary>A commissioning ObjectEvent (JSON-LD) of maker packs at its line; <paramref name="epcs"/> as given (URNs or Digital Links).</summary>
    public static string CommissioningEvent(IEnumerable<string> epcs, string? eventTime = null, string location = MakerLine) =>
        "{\"type\":\"ObjectEvent\",\"eventTime\":\"" + (eventTime ?? Now()) + "\",\"eventTimeZoneOffset\":\"+00:00\","
        + "\"epcList\":[" + string.Join(",", epcs.Select(e => "\"" + e + "\"")) + "],\"action\":\"ADD\",\"bizStep\":\"commissioning\","
        + "\"disposition\":\"active\",\"readPoint\":{\"id\":\"" + Sgln(location) + "\"},\"bizLocation\":{\"id\":\"" + Sgln(location) + "\"},"
        + "\"ilmd\":{\"cbvmda:lotNumber\":\"LOT1\",\"cbvmda:itemExpirationDate\":\"2028-12-31\"}}";

    /// <summary>The SGTIN URN of a maker pack.</summary>
    public static string Urn(string serial) => "urn:epc:id:sgtin:030001.0012345." + serial;

    /// <summary>An EPCIS 2.0 XML document with one commissioning event; <paramref name="eventTime"/> and the action element as given.</summary>
    public static string XmlDocument(string serial, string eventTime, bool withAction = true) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" xmlns:cbvmda=\"urn:epcglobal:cbv:mda\" schemaVersion=\"2.0\" creationDate=\"" + Now() + "\">"
        + "<EPCISBody><EventList><ObjectEvent><eventTime>" + eventTime + "</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
        + "<epcList><epc>" + Urn(serial) + "</epc></epcList>" + (withAction ? "<action>ADD</action>" : "")
        + "<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep><disposition>urn:epcglobal:cbv:disp:active</disposition>"
        + "<readPoint><id>" + Sgln(MakerLine) + "</id></readPoint><bizLocation><id>" + Sgln(MakerLine) + "</id></bizLocation>"
        + "<ilmd><cbvmda:lotNumber>LOT1</cbvmda:lotNumber><cbvmda:itemExpirationDate>2028-12-31</cbvmda:itemExpirationDate></ilmd>"
        + "</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>";

    /// <summary>The SGLN URN of a GLN with company prefix length 6 (the test consortium's GLNs).</summary>
    public static string Sgln(string gln) => $"urn:epc:id:sgln:{gln[..6]}.{gln[6..12]}.0";

    /// <summary>The time now as EPCIS writes it.</summary>
    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Asserts the problem's type, field and rule.</summary>
    public static void AssertNames(JsonElement problem, string type, string field, string rule)
    {
        // Under /epcis the type is the binding's epcisException:* and the node's own type is in ledgerType (epcis-rest.md).
        if (problem.Type()!.StartsWith(EpcisHttp.ExceptionPrefix, StringComparison.Ordinal))
            Assert.Equal(ProblemTypes.Base + type, problem.Member("ledgerType"));
        else
            Assert.Equal(ProblemTypes.Base + type, problem.Type());
        Assert.Equal(field, problem.Member("field"));
        Assert.Equal(rule, problem.Member("rule"));
    }
}
