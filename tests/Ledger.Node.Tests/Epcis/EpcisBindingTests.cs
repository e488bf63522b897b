using System.Net;
using System.Text.Json;
using Ledger.Node.Api;
using Ledger.Node.Tests.BadInput;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.Epcis;

/// <summary>
/// The GS1 EPCIS 2.0 REST binding against a real node, with the names the binding's openapi.json uses (header names,
/// <c>epcisException:*</c> types, the EPCISQueryDocument shape): a client written against that document works unchanged.
/// </summary>
public sealed class EpcisBindingTests(BadInputNode fixture) : IClassFixture<BadInputNode>
{
    private static JsonElement EventList(JsonElement doc) =>
        doc.GetProperty("epcisBody").GetProperty("queryResults").GetProperty("resultsBody").GetProperty("eventList");

    private static async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (n, v) in headers)
            request.Headers.TryAddWithoutValidation(n, v);
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static void AssertGs1Headers(HttpResponseMessage response)
    {
        // openapi.json components/headers: GS1-EPCIS-Version, GS1-CBV-Version, GS1-Extensions on every answer.
        Assert.Equal("2.0.0", response.Headers.GetValues("GS1-EPCIS-Version").Single());
        Assert.Equal("2.0.0", response.Headers.GetValues("GS1-CBV-Version").Single());
        Assert.Contains("urn:ledger:epcis:", response.Headers.GetValues("GS1-Extensions").Single(), StringComparison.Ordinal);
    }

    private async Task<string> CaptureOneAsync(string document, string mediaType = "application/ld+json")
    {
        using var response = await CaptureAsync(fixture.Maker, document, mediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        AssertGs1Headers(response);
        Assert.Equal(EpcisEndpoints.CaptureLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("GS1-EPCIS-Capture-Limit").Single());
        using var job = JsonDocument.Parse(body);
        Assert.True(job.RootElement.GetProperty("success").GetBoolean(), body);
        return job.RootElement.GetProperty("events")[0].GetProperty("eventHashID").GetString()!;
    }

    [Fact]
    public async Task QueryParameterError_IsQueryParameterExceptionNamingParameterAndRule_WithGs1Headers()
    {
        var (response, _) = await SendAsync(fixture.Maker, "/epcis/events?GE_eventTime=yesterday");
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("epcisException:QueryParameterException", problem.Type());
        Assert.Equal("GE_eventTime", problem.Member("field"));
        Assert.Equal("timestamp", problem.Member("rule"));
        AssertGs1Headers(response);
    }

    [Fact]
    public async Task Errors_AreTheStandardsExceptionTypes()
    {
        var (missing, _) = await SendAsync(fixture.Maker, "/epcis/events/" + Uri.EscapeDataString("ni:///sha-256;" + new string('0', 64) + "?ver=CBV2.0"));
        Assert.Equal("epcisException:NoSuchNameException", (await Problem.ReadAsync(missing, HttpStatusCode.NotFound)).Type());
        var (anonymous, _) = await SendAsync(fixture.Anonymous, "/epcis/events");
        Assert.Equal("epcisException:SecurityException", (await Problem.ReadAsync(anonymous, HttpStatusCode.Unauthorized)).Type());
        AssertGs1Headers(anonymous);
        var (notAcceptable, _) = await SendAsync(fixture.Maker, "/epcis/events", ("Accept", "image/png"));
        Assert.Equal("epcisException:NotAcceptableException", (await Problem.ReadAsync(notAcceptable, HttpStatusCode.NotAcceptable)).Type());
        var (tooNew, _) = await SendAsync(fixture.Maker, "/epcis/events", ("GS1-EPCIS-Min", "3.0.0"));
        var p = await Problem.ReadAsync(tooNew, HttpStatusCode.NotAcceptable);
        Assert.Equal("epcisException:NotAcceptableException", p.Type());
        Assert.Equal("GS1-EPCIS-Min", p.Member("field"));
        var (badFormat, _) = await SendAsync(fixture.Maker, "/epcis/events", ("GS1-EPC-Format", "Sometimes"));
        var f = await Problem.ReadAsync(badFormat, HttpStatusCode.BadRequest);
        Assert.Equal("epcisException:ValidationException", f.Type());
        Assert.Equal("GS1-EPC-Format", f.Member("field"));
        Assert.Equal("enum", f.Member("rule"));
        using var unsupported = await CaptureAsync(fixture.Maker, "x", "text/plain");
        Assert.Equal("epcisException:UnsupportedMediaTypeException", (await Problem.ReadAsync(unsupported, HttpStatusCode.UnsupportedMediaType)).Type());
    }

    [Fact]
    public async Task Options_AnswersAllowAndTheCaptureHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/epcis/capture");
        using var response = await fixture.Maker.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("POST", response.Content.Headers.Allow);
        Assert.Equal("all", response.Headers.GetValues("GS1-Capture-Error-Behaviour").Single());
        Assert.NotEmpty(response.Headers.GetValues("GS1-EPCIS-Capture-File-Size-Limit"));
        AssertGs1Headers(response);
    }

    [Fact]
    public async Task EventById_IsAnEpcisQueryDocument_InJsonAndXml_WithRecordTime()
    {
        var serial = NewSerial("EB");
        var hashId = await CaptureOneAsync(JsonDocumentOf(CommissioningEvent([Urn(serial)])));
        var path = "/epcis/events/" + Uri.EscapeDataString(hashId);
        var (json, jsonBody) = await SendAsync(fixture.Maker, path);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        AssertGs1Headers(json);
        var doc = EpcisReader.Read(jsonBody);
        Assert.Equal(EpcisDocumentKind.Query, doc.Kind);
        var e = Assert.Single(doc.Events);
        Assert.Equal(hashId, EpcisEventHash.Compute(e));
        Assert.NotNull(e.RecordTime);

        var (xml, xmlBody) = await SendAsync(fixture.Maker, path, ("Accept", "application/xml"));
        Assert.Equal(HttpStatusCode.OK, xml.StatusCode);
        Assert.Equal("application/xml", xml.Content.Headers.ContentType?.MediaType);
        Assert.Contains("EPCISQueryDocument", xmlBody, StringComparison.Ordinal);
        var fromXml = Assert.Single(EpcisReader.Read(xmlBody).Events);
        Assert.Equal(hashId, EpcisEventHash.Compute(fromXml));
        Assert.Equal(e.RecordTime, fromXml.RecordTime);
    }

    [Fact]
    public async Task RecordTime_GeAndLtSelectWhatArrivedSinceTheLastPoll()
    {
        var serial = NewSerial("RT");
        var hashId = await CaptureOneAsync(JsonDocumentOf(CommissioningEvent([Urn(serial)])));
        var (_, body) = await SendAsync(fixture.Maker, "/epcis/events/" + Uri.EscapeDataString(hashId));
        var recordTime = EpcisReader.Read(body).Events[0].RecordTime!.Value;
        string Q(string p, DateTimeOffset t) => $"/epcis/events?MATCH_epc={Uri.EscapeDataString(Urn(serial))}&{p}={Uri.EscapeDataString(EpcisTime.Format(t))}";
        Assert.Equal(1, EventList(await FlowKitJson(Q("GE_recordTime", recordTime))).GetArrayLength());
        Assert.Equal(0, EventList(await FlowKitJson(Q("GE_recordTime", recordTime.AddMilliseconds(1)))).GetArrayLength());
        Assert.Equal(1, EventList(await FlowKitJson(Q("LT_recordTime", recordTime.AddMilliseconds(1)))).GetArrayLength());
        Assert.Equal(0, EventList(await FlowKitJson(Q("LT_recordTime", recordTime))).GetArrayLength());
    }

    private async Task<JsonElement> FlowKitJson(string path)
    {
        var (response, body) = await SendAsync(fixture.Maker, path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task OrderBy_EventTime_AscAndDesc_PagedWithoutOverlap()
    {
        var serials = Enumerable.Range(0, 5).Select(_ => NewSerial("OB")).ToList();
        var baseTime = DateTimeOffset.UtcNow.AddHours(-1);
        // Captured out of time order, so capture order and time order differ.
        int[] order = [3, 0, 4, 1, 2];
        var events = order.Select(i => CommissioningEvent([Urn(serials[i])], eventTime: EpcisTime.Format(baseTime.AddMinutes(i)))).ToArray();
        await CaptureOneAsync(JsonDocumentOf(events));
        var filter = "MATCH_epc=" + string.Join(",", serials.Select(s => Uri.EscapeDataString(Urn(s))));
        foreach (var direction in new[] { "ASC", "DESC" })
        {
            var seen = new List<DateTimeOffset>();
            string? next = $"/epcis/events?{filter}&orderBy=eventTime&orderDirection={direction}&perPage=2";
            var pages = 0;
            while (next is not null)
            {
                var (response, body) = await SendAsync(fixture.Maker, next);
                Assert.True(response.StatusCode == HttpStatusCode.OK, body);
                seen.AddRange(EpcisReader.Read(body).Events.Select(e => e.EventTime));
                next = response.Headers.TryGetValues("Link", out var link) ? link.Single().Split('<', '>')[1] : null;
                pages++;
            }
            Assert.Equal(3, pages);
            var expected = Enumerable.Range(0, 5).Select(i => baseTime.AddMinutes(i)).ToList();
            if (direction == "DESC")
                expected.Reverse();
            Assert.Equal(expected.Select(t => t.ToUnixTimeMilliseconds()), seen.Select(t => t.ToUnixTimeMilliseconds()));
        }
        var (bad, _) = await SendAsync(fixture.Maker, "/epcis/events?orderBy=bizStep");
        var p = await Problem.ReadAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal("orderBy", p.Member("field"));
        Assert.Equal("enum", p.Member("rule"));
    }

    private static string SensorEvent(string serial, double max, string component, string note) =>
        "{\"type\":\"ObjectEvent\",\"eventTime\":\"" + Now() + "\",\"eventTimeZoneOffset\":\"+00:00\","
        + "\"epcList\":[\"" + Urn(serial) + "\"],\"action\":\"OBSERVE\",\"bizStep\":\"sensor_reporting\",\"readPoint\":{\"id\":\"" + Sgln(MakerLine) + "\"},"
        + "\"sensorElementList\":[{\"sensorReport\":[{\"type\":\"Temperature\",\"value\":" + max.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"maxValue\":" + max.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + ",\"uom\":\"CEL\",\"component\":\"" + component + "\"}]}],"
        + "\"ex:note\":\"" + note + "\"}";

    [Fact]
    public async Task SensorFilters_ComponentExpansion_AndExtensionPrefixSurviveTheRoundTrip()
    {
        var serial = NewSerial("SF");
        await CaptureOneAsync(JsonDocumentOf(CommissioningEvent([Urn(serial)])));
        var document = "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\",{\"ex\":\"https://example.org/epcis/\"}],"
            + "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":\"" + Now() + "\",\"epcisBody\":{\"eventList\":["
            + SensorEvent(serial, 9.5, "latitude", serial) + "]}}";
        var hashId = await CaptureOneAsync(document);
        var epc = Uri.EscapeDataString(Urn(serial));
        var hit = await FlowKitJson($"/epcis/events?MATCH_epc={epc}&GE_maxValue_CEL=8&EQ_type=Temperature&EXISTS_sensorElementList=");
        var e = Assert.Single(EventList(hit).EnumerateArray());
        Assert.Equal(hashId, e.GetProperty("eventID").GetString());
        // The captured prefix and its IRI come back with the extension.
        Assert.Equal(serial, e.GetProperty("ex:note").GetString());
        Assert.Contains(hit.GetProperty("@context").EnumerateArray(), c => c.ValueKind == JsonValueKind.Object
            && c.TryGetProperty("ex", out var iri) && iri.GetString() == "https://example.org/epcis/");
        var model = EpcisReader.Read(hit.GetRawText()).Events[0];
        Assert.Equal("https://ref.gs1.org/cbv/Comp-latitude", model.SensorElementList[0].Reports[0].Component);
        Assert.Equal(0, EventList(await FlowKitJson($"/epcis/events?MATCH_epc={epc}&GE_maxValue_CEL=10")).GetArrayLength());
        Assert.Equal(0, EventList(await FlowKitJson($"/epcis/events?MATCH_epc={epc}&GE_maxValue_FAH=8")).GetArrayLength());
        Assert.Equal(1, EventList(await FlowKitJson($"/epcis/events?MATCH_epc={epc}&LT_value_CEL=10")).GetArrayLength());
        var (bad, _) = await SendAsync(fixture.Maker, "/epcis/events?GE_maxValue_CEL=" + Uri.EscapeDataString("٨"));
        var p = await Problem.ReadAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal("GE_maxValue_CEL", p.Member("field"));
        Assert.Equal("number", p.Member("rule"));
    }

    public static TheoryData<string, string, string, string> NonAsciiDigits => new()
    {
        // case, media type, document, field
        { "serial", "application/ld+json", JsonDocumentOf(CommissioningEvent(["urn:epc:id:sgtin:030001.0012345.١٢٣"])), "epcisBody.eventList[0].epcList[0]" },
        { "gtin", "application/ld+json", JsonDocumentOf(CommissioningEvent(["urn:epc:id:sgtin:٠٣٠٠٠١.0012345.1"])), "epcisBody.eventList[0].epcList[0]" },
        { "time", "application/ld+json", JsonDocumentOf(CommissioningEvent([Urn("NA1")], eventTime: "٢٠٢٤-01-01T00:00:00Z")), "epcisBody.eventList[0].eventTime" },
        { "xml-quantity", "application/xml", XmlDocument("NA2", Now()).Replace("<epcList><epc>" + Urn("NA2") + "</epc></epcList>",
            "<epcList/>", StringComparison.Ordinal).Replace("</ilmd>", "</ilmd>", StringComparison.Ordinal)
            .Replace("<ilmd>", "<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:030001.0012345.L1</epcClass><quantity>٥</quantity></quantityElement></quantityList><ilmd>", StringComparison.Ordinal),
            "epcisBody.eventList[0].quantityList[0].quantity" },
    };

    [Theory]
    [MemberData(nameof(NonAsciiDigits))]
    public async Task Capture_NonAsciiDigits_400NamingFieldAndRule_NothingWritten(string name, string mediaType, string document, string field)
    {
        var before = await HeadAsync(fixture.Regulator);
        using var response = await CaptureAsync(fixture.Maker, document, mediaType);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.Type() == "epcisException:ValidationException", $"{name}: {problem}");
        Assert.True(field == problem.Member("field"), $"{name}: {problem}");
        Assert.True(problem.Member("rule") is "ascii-digits" or "format", $"{name}: {problem}");
        Assert.Equal(before, await HeadAsync(fixture.Regulator));
    }
}
