using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Node.Tests;

/// <summary>The endpoints of a real `ledger node run` process, through a real HttpClient.</summary>
public class NodeEndpointTests(SharedNode shared) : IClassFixture<SharedNode>
{
    private const char Gs = '\u001D';
    private const string ProblemBase = "https://ledger.invalid/problems/";
    private const int Limit = 16 * 1024 * 1024;

    private HttpClient Client => shared.Node.Client;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Healthz_Running_Returns200StatusOk()
    {
        var j = await JsonAsync(await Client.GetAsync("/healthz"));
        Assert.Equal("ok", j.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_KeyLoaded_Returns200Ready()
    {
        var j = await JsonAsync(await Client.GetAsync("/readyz"));
        Assert.Equal("ready", j.GetProperty("status").GetString());
    }

    [Fact]
    public async Task NodeInfo_Running_ServesTheAddressOfTheKeyOnDisk()
    {
        var j = await JsonAsync(await Client.GetAsync("/v1/node"));

        using var keyFile = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(shared.Node.DataDirectory, "node.key")));
        var expected = PrivateKey.Parse(keyFile.RootElement.GetProperty("privateKey").GetString()!).Address;
        Assert.Equal(expected, Address.Parse(j.GetProperty("address").GetString()!));
        Assert.Equal(1, j.GetProperty("formatVersion").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(j.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Index_Running_ListsEveryEndpoint()
    {
        var j = await JsonAsync(await Client.GetAsync("/"));
        var listed = j.GetProperty("endpoints").EnumerateArray()
            .Select(e => e.GetProperty("method").GetString() + " " + e.GetProperty("path").GetString())
            .ToHashSet();
        string[] expected = ["GET /", "GET /healthz", "GET /readyz", "GET /v1/node", "GET /v1/gs1/parse", "POST /v1/gs1/parse"];
        Assert.Subset(listed, expected.ToHashSet());
    }

    [Fact]
    public async Task Gs1ParseGet_DataMatrixScan_ReturnsEveryForm()
    {
        var scan = "]d20109520123456788172603001012AB" + Gs + "21SN0001";
        var j = await JsonAsync(await Client.GetAsync("/v1/gs1/parse?gcpLength=7&input=" + Uri.EscapeDataString(scan)));

        Assert.Equal("09520123456788", j.GetProperty("gtin").GetString());
        Assert.Equal("SN0001", j.GetProperty("serial").GetString());
        Assert.Equal("12AB", j.GetProperty("lot").GetString());
        // DD=00 is the last day of the month; the century comes from the current year (26 is 2026 for years 1976-2075).
        Assert.EndsWith("26-03-31", j.GetProperty("expiry").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("sscc").ValueKind);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("gln").ValueKind);
        Assert.Equal("https://id.gs1.org/01/09520123456788/10/12AB/21/SN0001?17=260300", j.GetProperty("digitalLink").GetString());
        Assert.Equal("urn:epc:id:sgtin:9520123.045678.SN0001", j.GetProperty("epcUri").GetString());
        Assert.Equal("0109520123456788172603001012AB" + Gs + "21SN0001", j.GetProperty("elementString").GetString());
        Assert.Equal("(01)09520123456788(17)260300(10)12AB(21)SN0001", j.GetProperty("bracketed").GetString());
        Assert.Equal("DataMatrix", j.GetProperty("symbology").GetString());
        var ais = j.GetProperty("ais").EnumerateArray().ToList();
        Assert.Equal(["01", "17", "10", "21"], ais.Select(a => a.GetProperty("ai").GetString()));
        Assert.Equal("GTIN", ais[0].GetProperty("title").GetString());
        Assert.Equal("SN0001", ais[3].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Gs1ParseGet_EpcUri_FillsEpcUriWithoutGcpLength()
    {
        var j = await JsonAsync(await Client.GetAsync("/v1/gs1/parse?input=" + Uri.EscapeDataString("urn:epc:id:sscc:4012345.0000000111")));
        Assert.Equal("040123450000001112", j.GetProperty("sscc").GetString());
        Assert.Equal("https://id.gs1.org/00/040123450000001112", j.GetProperty("digitalLink").GetString());
        Assert.Equal("urn:epc:id:sscc:4012345.0000000111", j.GetProperty("epcUri").GetString());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("symbology").ValueKind);
    }

    [Fact]
    public async Task Gs1ParsePost_JsonBody_ReturnsTheSameObjectAsGet()
    {
        var scan = "]d20109520123456788172603001012AB" + Gs + "21SN0001";
        var viaGet = await JsonAsync(await Client.GetAsync("/v1/gs1/parse?gcpLength=7&input=" + Uri.EscapeDataString(scan)));
        var viaPost = await JsonAsync(await Client.PostAsJsonAsync("/v1/gs1/parse", new { input = scan, gcpLength = 7 }));
        Assert.Equal(viaGet.GetRawText(), viaPost.GetRawText());
    }

    [Fact]
    public async Task Gs1Parse_WrongCheckDigit_Returns400ProblemNamingFieldAndRule()
    {
        var response = await Client.GetAsync("/v1/gs1/parse?input=" + Uri.EscapeDataString("(01)09520123456789(21)SN0001"));
        var p = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(ProblemBase + "gs1-format", p.Type());
        Assert.Equal("AI (01)", p.Member("field"));
        Assert.Equal("check-digit", p.Member("rule"));
        Assert.Contains("check digit", p.Member("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gs1Parse_MissingInput_Returns400ProblemNamingInput()
    {
        var p = await Problem.ReadAsync(await Client.GetAsync("/v1/gs1/parse"), HttpStatusCode.BadRequest);
        Assert.Equal(ProblemBase + "invalid-request", p.Type());
        Assert.Equal("input", p.Member("field"));
        Assert.Equal("required", p.Member("rule"));
    }

    [Theory]
    [InlineData("5")]
    [InlineData("13")]
    [InlineData("seven")]
    public async Task Gs1Parse_GcpLengthNotSixToTwelve_Returns400ProblemNamingGcpLength(string gcpLength)
    {
        var response = await Client.GetAsync($"/v1/gs1/parse?gcpLength={gcpLength}&input=" + Uri.EscapeDataString("(01)09520123456788(21)SN0001"));
        var p = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(ProblemBase + "gs1-format", p.Type());
        Assert.Equal("gcpLength", p.Member("field"));
        Assert.Equal("gcp-length", p.Member("rule"));
    }

    [Fact]
    public async Task Gs1ParsePost_NotJson_Returns415Problem()
    {
        using var content = new StringContent("(01)09520123456788", Encoding.UTF8, "text/plain");
        var p = await Problem.ReadAsync(await Client.PostAsync("/v1/gs1/parse", content), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(ProblemBase + "unsupported-media-type", p.Type());
        Assert.Equal("Content-Type", p.Member("field"));
    }

    [Fact]
    public async Task Gs1ParsePost_MalformedJson_Returns400ProblemNamingBody()
    {
        using var content = new StringContent("{\"input\": ", Encoding.UTF8, "application/json");
        var p = await Problem.ReadAsync(await Client.PostAsync("/v1/gs1/parse", content), HttpStatusCode.BadRequest);
        Assert.Equal(ProblemBase + "invalid-request", p.Type());
        Assert.Equal("body", p.Member("field"));
        Assert.Equal("json", p.Member("rule"));
    }

    [Fact]
    public async Task UnknownPath_Returns404Problem()
    {
        var p = await Problem.ReadAsync(await Client.GetAsync("/v1/no-such-thing"), HttpStatusCode.NotFound);
        Assert.Equal(ProblemBase + "not-found", p.Type());
    }

    [Fact]
    public async Task KnownPathWrongMethod_Returns405Problem()
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        var p = await Problem.ReadAsync(await Client.PostAsync("/healthz", content), HttpStatusCode.MethodNotAllowed);
        Assert.Equal(ProblemBase + "method-not-allowed", p.Type());
    }

    [Fact]
    public async Task Post_DeclaredLengthOverLimit_Returns413ProblemBeforeTheBodyIsSent()
    {
        // As curl does for large uploads, the client asks first (Expect: 100-continue) and the node refuses from the
        // Content-Length alone. (A client that sends 16 MiB unasked may see the connection reset before it reads the 413.)
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(60) };
        using var client = new HttpClient(handler) { BaseAddress = shared.Node.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var content = new ByteArrayContent(new byte[Limit + 1]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/gs1/parse") { Content = content };
        request.Headers.ExpectContinue = true;
        var p = await Problem.ReadAsync(await client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(ProblemBase + "body-too-large", p.Type());
        Assert.Equal("body", p.Member("field"));
        Assert.Equal("max-size", p.Member("rule"));
    }

    [Fact]
    public async Task Post_ChunkedBodyOverLimit_Returns413Problem()
    {
        // A JSON string longer than the limit, sent without Content-Length: the limit is hit while the body is read.
        var body = Encoding.UTF8.GetBytes("{\"input\":\"" + new string('1', Limit) + "\"}");
        using var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/gs1/parse") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var p = await Problem.ReadAsync(await Client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(ProblemBase + "body-too-large", p.Type());
    }

    [Fact]
    public async Task Post_BodyUnderLimit_IsRead()
    {
        // Just under the limit the body is read and judged on its content: a GS1 error, not 413.
        var body = Encoding.UTF8.GetBytes("{\"input\":\"" + new string('1', Limit - 1024) + "\"}");
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var p = await Problem.ReadAsync(await Client.PostAsync("/v1/gs1/parse", content), HttpStatusCode.BadRequest);
        Assert.Equal(ProblemBase + "gs1-format", p.Type());
    }
}

/// <summary>POST /v1/epcis/hash against the reference implementation's expected hash IDs (RalphTro/epcis-event-hash-generator).</summary>
public class EpcisHashEndpointTests(SharedNode shared) : IClassFixture<SharedNode>
{
    private static string Vector(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "epcis", name));

    [Theory]
    [InlineData("ReferenceEventHashAlgorithm.jsonld", "application/ld+json")]
    [InlineData("ReferenceEventHashAlgorithm.xml", "application/xml")]
    [InlineData("ReferenceEventHashAlgorithm2.jsonld", "application/json")]
    public async Task EpcisHash_ReferenceDocument_ReturnsTheReferenceHashIds(string file, string mediaType)
    {
        var expected = Vector(Path.ChangeExtension(file, ".hashes")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        using var content = new StringContent(Vector(file), Encoding.UTF8, mediaType);
        var response = await shared.Node.Client.PostAsync("/v1/epcis/hash", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(expected, doc.RootElement.GetProperty("eventHashIds").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    [Fact]
    public async Task EpcisHash_EventWithoutAction_Returns400ProblemNamingFieldAndRule()
    {
        const string doc = """
            {"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
             "creationDate":"2024-01-01T00:00:00Z","epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2024-01-01T00:00:00Z",
             "eventTimeZoneOffset":"+00:00","epcList":["urn:epc:id:sgtin:0614141.107346.2017"]}]}}
            """;
        using var content = new StringContent(doc, Encoding.UTF8, "application/ld+json");
        var response = await shared.Node.Client.PostAsync("/v1/epcis/hash", content);
        var p = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("https://ledger.invalid/problems/epcis-format", p.Type());
        Assert.Contains("action", p.Member("field"), StringComparison.Ordinal);
        Assert.Equal("required", p.Member("rule"));
    }

    [Fact]
    public async Task EpcisHash_PlainText_Returns415()
    {
        using var content = new StringContent("hello", Encoding.UTF8, "text/plain");
        var response = await shared.Node.Client.PostAsync("/v1/epcis/hash", content);
        await Problem.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
    }
}

/// <summary>The node describes its own HTTP API.</summary>
public class OpenApiTests(SharedNode shared) : IClassFixture<SharedNode>
{
    [Fact]
    public async Task OpenApiDocument_Served_ListsEveryApiPath()
    {
        var response = await shared.Node.Client.GetAsync("/openapi/v1.json");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.StartsWith("3.", doc.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("Ledger node", doc.RootElement.GetProperty("info").GetProperty("title").GetString());
        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[] { "/healthz", "/readyz", "/v1/node", "/v1/gs1/parse", "/v1/epcis/hash" })
            Assert.Contains(path, paths);
    }
}
