using System.Net;
using System.Text.Json;
using Ledger.Node.Api;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;
using Xunit;
using static Ledger.Node.Tests.BadInput.BadInputKit;

namespace Ledger.Node.Tests.BadInput;

/// <summary>
/// The bad input against a real node: each request gets its status and a problem naming the field and the
/// rule (or the custody code), and the lane head — height, log size, header hash — and the item's provenance stay as
/// they were.
/// </summary>
public sealed class BadInputTests(BadInputNode fixture) : IClassFixture<BadInputNode>
{
    private BadInputNode Clients => fixture;

    // ---- EPCIS capture --------------------------------------------------------------------------------------------

    public static TheoryData<string, string, string, string, string> MalformedEpcis => new()
    {
        // case, media type, document, field, rule
        { "json-syntax", "application/ld+json", "{\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":[", "$", "syntax" },
        { "json-missing-action", "application/ld+json", JsonDocumentOf(CommissioningEvent([Urn("M1")]).Replace("\"action\":\"ADD\",", "", StringComparison.Ordinal)),
            "epcisBody.eventList[0].action", "required" },
        { "json-bad-eventTime", "application/ld+json", JsonDocumentOf(CommissioningEvent([Urn("M2")], eventTime: "yesterday")), "epcisBody.eventList[0].eventTime", "format" },
        { "xml-syntax", "application/xml", "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\"><EPCISBody>", "$", "syntax" },
        { "xml-missing-action", "application/xml", XmlDocument("M3", Now(), withAction: false), "epcisBody.eventList[0].action", "required" },
        { "xml-bad-eventTime", "application/xml", XmlDocument("M4", "2026-13-45T99:00:00Z"), "epcisBody.eventList[0].eventTime", "format" },
    };

    [Theory]
    [MemberData(nameof(MalformedEpcis))]
    public async Task Capture_MalformedDocument_400EpcisFormatNothingWritten(string name, string mediaType, string document, string field, string rule)
    {
        var before = await HeadAsync(Clients.Regulator);
        using var response = await CaptureAsync(Clients.Maker, document, mediaType);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        // The binding's exception type; the node's own type stays in ledgerType.
        Assert.True(EpcisHttp.ValidationException == problem.Type() && ProblemTypes.EpcisFormat == problem.Member("ledgerType"), $"{name}: {problem}");
        Assert.True(field == problem.Member("field") && rule == problem.Member("rule"), $"{name}: expected {field} [{rule}], got {problem}");
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
    }

    [Fact]
    public async Task Capture_EventDatedTenMinutesAhead_RejectedTimeInFutureNothingWritten()
    {
        var serial = NewSerial("CF");
        var future = DateTimeOffset.UtcNow.AddMinutes(10).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var before = await HeadAsync(Clients.Regulator);
        using var response = await CaptureAsync(Clients.Maker, JsonDocumentOf(CommissioningEvent([Urn(serial)], eventTime: future)));
        var job = await ReadJobAsync(response);
        Assert.False(job.GetProperty("success").GetBoolean());
        var error = Assert.Single(job.GetProperty("errors").EnumerateArray());
        Assert.Equal("time-in-future", error.GetProperty("code").GetString());
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(Clients.Regulator, serial), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_EpcWithWrongGtinCheckDigit_EventRejectedNamingCheckDigitNothingWritten()
    {
        var serial = NewSerial("CD");
        var badLink = $"https://id.gs1.org/01/{WrongCheckDigit(Gtin)}/21/{serial}";
        var before = await HeadAsync(Clients.Regulator);
        // The document is well-formed EPCIS (an EPC is a URI to the reader); the EPC is refused when the event is
        // mapped to records, which the capture job reports per event.
        using var response = await CaptureAsync(Clients.Maker, JsonDocumentOf(CommissioningEvent([badLink])));
        var job = await ReadJobAsync(response);
        Assert.False(job.GetProperty("success").GetBoolean());
        var error = Assert.Single(job.GetProperty("errors").EnumerateArray());
        Assert.Equal("invalid-event", error.GetProperty("code").GetString());
        Assert.Contains("AI (01)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("check-digit", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("check-digit", error.GetProperty("rule").GetString());
        Assert.StartsWith("eventList[0]", error.GetProperty("field").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(Clients.Regulator, serial), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DigitalLinkWithWrongCheckDigit_400NamesGtinNothingWritten()
    {
        var serial = NewSerial("VD");
        await CommissionAsync(Clients.Maker, fixture.Consortium.Maker, serial);
        var before = await HeadAsync(Clients.Regulator);
        var provenance = await ProvenanceAsync(Clients.Regulator, serial);
        using var response = await Clients.Anonymous.GetAsync(
            $"/01/{WrongCheckDigit(Gtin)}/21/{serial}?linkType=verificationService&context=dscsaSaleableReturn&reqGLN={WholesalerDock}&corrUUID={Guid.NewGuid()}");
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(ProblemTypes.InvalidRequest, problem.Type());
        Assert.Equal("01", problem.Member("field"));
        Assert.Equal("check-digit", problem.Member("rule"));
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Equal(provenance, await ProvenanceAsync(Clients.Regulator, serial));
    }

    [Fact]
    public async Task Capture_RollbackWithOneRefusedEvent_NothingWritten()
    {
        var good = NewSerial("RB");
        var taken = NewSerial("RT");
        await CommissionAsync(Clients.Maker, fixture.Consortium.Maker, taken);
        var before = await HeadAsync(Clients.Regulator);
        var takenProvenance = await ProvenanceAsync(Clients.Regulator, taken);
        // The second event commissions a pack that exists already: the custody rules refuse it.
        var document = JsonDocumentOf(CommissioningEvent([Urn(good)]), CommissioningEvent([Urn(taken)]));
        using var response = await CaptureAsync(Clients.Maker, document, behaviour: "rollback");
        var job = await ReadJobAsync(response);
        Assert.False(job.GetProperty("success").GetBoolean());
        var events = job.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("rejected", events[0].GetProperty("outcome").GetString());
        Assert.Equal("batch-rejected", events[0].GetProperty("code").GetString());
        Assert.Equal("rejected", events[1].GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrEmpty(events[1].GetProperty("code").GetString()));
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(Clients.Regulator, good), StringComparison.Ordinal);
        // The refused second commissioning is kept as alert evidence (custody.md); the pack's state, records and proofs are unchanged.
        Assert.Equal(WithoutAlerts(takenProvenance), WithoutAlerts(await ProvenanceAsync(Clients.Regulator, taken)));
    }

    [Fact]
    public async Task Capture_ProceedWithOneRefusedEvent_OthersWritten()
    {
        var good = NewSerial("PG");
        var taken = NewSerial("PT");
        await CommissionAsync(Clients.Maker, fixture.Consortium.Maker, taken);
        var before = await HeadAsync(Clients.Regulator);
        var takenProvenance = await ProvenanceAsync(Clients.Regulator, taken);
        var document = JsonDocumentOf(CommissioningEvent([Urn(taken)]), CommissioningEvent([Urn(good)]));
        using var response = await CaptureAsync(Clients.Maker, document, behaviour: "proceed");
        var job = await ReadJobAsync(response);
        Assert.False(job.GetProperty("success").GetBoolean());
        var events = job.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal("rejected", events[0].GetProperty("outcome").GetString());
        Assert.Equal("accepted", events[1].GetProperty("outcome").GetString());
        var after = await HeadAsync(Clients.Regulator);
        Assert.Equal(before.Height + 1, after.Height);
        Assert.Equal(before.LogSize + 1, after.LogSize);
        Assert.Contains("\"known\":true", await ProvenanceAsync(Clients.Regulator, good), StringComparison.Ordinal);
        // The refused pack's own history is untouched (the head moved, so compare its records, not the proofs).
        Assert.Equal(Records(takenProvenance), Records(await ProvenanceAsync(Clients.Regulator, taken)));
    }

    // ---- signed batches -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("{\"batch\":", "body", "json")]
    [InlineData("[1]", "batch", "hex")]
    [InlineData("{\"batch\":\"0xzz\"}", "batch", "hex")]
    public async Task Batch_JsonBodyNotABatch_400NamesTheBody(string body, string field, string rule)
    {
        var before = await HeadAsync(Clients.Regulator);
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Clients.Maker.PostAsync("/v1/batches", content);
        AssertNames(await Problem.ReadAsync(response, HttpStatusCode.BadRequest), "invalid-request", field, rule);
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
    }

    [Fact]
    public async Task Batch_GarbageRlp_400RecordFormat()
    {
        var before = await HeadAsync(Clients.Regulator);
        using var content = new ByteArrayContent([0xc3, 0x01, 0x02]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.ledger.batch");
        using var response = await Clients.Maker.PostAsync("/v1/batches", content);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(ProblemTypes.RecordFormat, problem.Type());
        Assert.False(string.IsNullOrEmpty(problem.Member("field")));
        Assert.False(string.IsNullOrEmpty(problem.Member("rule")));
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
    }

    [Fact]
    public async Task Batch_FlippedSignatureByte_400BatchSignatureNothingWritten()
    {
        var serial = NewSerial("FS");
        var maker = fixture.Consortium.Maker;
        var signed = SignedBatch.Sign([Record(maker, Commission(serial))], maker.Key);
        var bytes = signed.Signature.ToBytes();
        bytes[10] ^= 0x01;
        var forged = SignedBatch.FromParts(signed.Header, Signature.FromBytes(bytes), signed.Records);
        var before = await HeadAsync(Clients.Regulator);
        using var response = await PostBatchAsync(Clients.Maker, forged);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        AssertNames(problem, "record-format", "batch.signature", "batch-signature");
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(Clients.Regulator, serial), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_RecordsByAnotherPartyThanSigner_400BatchAuthorNothingWritten()
    {
        var serial = NewSerial("OA");
        var maker = fixture.Consortium.Maker;
        // Records authored by the wholesaler under a header and signature of the maker: Sign refuses this, so assemble it.
        var records = new[] { Record(fixture.Consortium.Wholesaler, Commission(serial)) };
        var header = BatchHeader.For(maker.Address, records);
        var forged = SignedBatch.FromParts(header, maker.Key.Sign(header.Hash()), records);
        var before = await HeadAsync(Clients.Regulator);
        using var response = await PostBatchAsync(Clients.Maker, forged);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        AssertNames(problem, "record-format", "batch.signature", "batch-author");
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(Clients.Regulator, serial), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_MakerTokenPostsWholesalerBatch_403NothingWritten()
    {
        var serial = NewSerial("WT");
        var wholesaler = fixture.Consortium.Wholesaler;
        var batch = SignedBatch.Sign([Record(wholesaler, new VerifyPayload(Pack(serial), null, null, "dscsaSaleableReturn", WholesalerDock, null))], wholesaler.Key);
        var before = await HeadAsync(Clients.Regulator);
        using var response = await PostBatchAsync(Clients.Maker, batch);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        AssertNames(problem, "forbidden", "Authorization", "permission");
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
    }

    [Fact]
    public async Task Batch_Replayed_SecondAnswersDuplicateHeadUnchanged()
    {
        var serial = NewSerial("RP");
        var maker = fixture.Consortium.Maker;
        var batch = SignedBatch.Sign([Record(maker, Commission(serial))], maker.Key);
        using (var first = await PostBatchAsync(Clients.Maker, batch))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var before = await HeadAsync(Clients.Regulator);
        var provenance = await ProvenanceAsync(Clients.Regulator, serial);
        using var second = await PostBatchAsync(Clients.Maker, batch);
        var body = await second.Content.ReadAsStringAsync();
        Assert.True(second.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var outcome = Assert.Single(json.RootElement.GetProperty("outcomes").EnumerateArray());
        Assert.Equal("duplicate", outcome.GetProperty("outcome").GetString());
        Assert.Equal(before.Height, outcome.GetProperty("block").GetInt64());
        Assert.Equal(outcome.GetProperty("block").GetInt64(), json.RootElement.GetProperty("block").GetInt64());
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Equal(provenance, await ProvenanceAsync(Clients.Regulator, serial));
    }

    [Fact]
    public async Task Batch_ReorderedDependentFirst_422ThenInOrderBothAccepted()
    {
        var serial = NewSerial("RO");
        var maker = fixture.Consortium.Maker;
        var commission = Record(maker, Commission(serial));
        var ship = Record(maker, new ShipPayload([Pack(serial)], MakerLine, fixture.Consortium.Wholesaler.Address, WholesalerDock), [commission.Id]);
        var batch1 = SignedBatch.Sign([commission], maker.Key);
        var batch2 = SignedBatch.Sign([ship], maker.Key);
        var before = await HeadAsync(Clients.Regulator);
        using (var early = await PostBatchAsync(Clients.Maker, batch2))
        {
            var problem = await Problem.ReadAsync(early, HttpStatusCode.UnprocessableEntity);
            Assert.Equal(ProblemTypes.CustodyRejected, problem.Type());
            Assert.Contains(problem.Member("code"), new[] { "stale-dependency", "unknown-item", "NMVS_NC_PC_01" });
            Assert.Equal("records", problem.Member("field"));
        }
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(Clients.Regulator, serial), StringComparison.Ordinal);
        using (var one = await PostBatchAsync(Clients.Maker, batch1))
            Assert.True(one.StatusCode == HttpStatusCode.OK, await one.Content.ReadAsStringAsync());
        using (var two = await PostBatchAsync(Clients.Maker, batch2))
            Assert.True(two.StatusCode == HttpStatusCode.OK, await two.Content.ReadAsStringAsync());
        var after = await HeadAsync(Clients.Regulator);
        Assert.Equal(before.LogSize + 2, after.LogSize);
    }

    [Fact]
    public async Task Batch_RecordDatedTenMinutesAhead_422TimeInFutureNothingWritten()
    {
        var serial = NewSerial("TF");
        var maker = fixture.Consortium.Maker;
        var future = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();
        var batch = SignedBatch.Sign([Record(maker, Commission(serial), timeMs: future)], maker.Key);
        var before = await HeadAsync(Clients.Regulator);
        using var response = await PostBatchAsync(Clients.Maker, batch);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(ProblemTypes.CustodyRejected, problem.Type());
        Assert.Equal("time-in-future", problem.Member("code"));
        Assert.Equal("time-in-future", problem.Member("rule"));
        Assert.Equal(before, await HeadAsync(Clients.Regulator));
        Assert.Contains("\"known\":false", await ProvenanceAsync(Clients.Regulator, serial), StringComparison.Ordinal);
    }

    // ---- authentication and permission ----------------------------------------------------------------------------

    public static TheoryData<string?, string> BadCredentials => new()
    {
        { null, "required" },
        { "Bearer not-a-token-of-this-node", "token" },
        { "Basic dXNlcjpwYXNz", "scheme" },
    };

    [Theory]
    [MemberData(nameof(BadCredentials))]
    public async Task Provenance_WrongOrAbsentCredentials_401Authorization(string? authorization, string rule)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/provenance?id=" + Uri.EscapeDataString(PackId("X1")));
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await Clients.Anonymous.SendAsync(request);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        AssertNames(problem, "unauthorized", "Authorization", rule);
    }

    [Fact]
    public async Task Verify_Anonymous_200AndRecorded()
    {
        var serial = NewSerial("AV");
        await CommissionAsync(Clients.Maker, fixture.Consortium.Maker, serial);
        var before = await HeadAsync(Clients.Regulator);
        using var response = await Clients.Anonymous.GetAsync(
            $"/01/{Gtin}/21/{serial}?linkType=verificationService&context=dscsaSaleableReturn&reqGLN={WholesalerDock}&corrUUID={Guid.NewGuid()}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.GetProperty("data").GetProperty("verified").GetBoolean(), body);
        // Every verification is recorded, also an anonymous one (authored by the node).
        Assert.Equal(before.LogSize + 1, (await HeadAsync(Clients.Regulator)).LogSize);
    }

    [Fact]
    public async Task Provenance_SignedRequest_Authenticates()
    {
        var serial = NewSerial("SR");
        await CommissionAsync(Clients.Maker, fixture.Consortium.Maker, serial);
        var path = "/v1/provenance?id=" + Uri.EscapeDataString(PackId(serial));
        using var request = Signed(fixture.Consortium.Maker.Key, path, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        using var response = await Clients.Anonymous.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("\"known\":true", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Provenance_SignedRequestStale_401Skew()
    {
        var path = "/v1/provenance?id=" + Uri.EscapeDataString(PackId("X2"));
        using var request = Signed(fixture.Consortium.Maker.Key, path, DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds());
        using var response = await Clients.Anonymous.SendAsync(request);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        AssertNames(problem, "unauthorized", "Authorization.time", "skew");
    }

    [Fact]
    public async Task Provenance_SignedRequestOverAnotherPath_401Signature()
    {
        var path = "/v1/provenance?id=" + Uri.EscapeDataString(PackId("X3"));
        var header = CallerResolver.SignRequest(fixture.Consortium.Maker.Key, "GET", path + "&x=1", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), []);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await Clients.Anonymous.SendAsync(request);
        var problem = await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        AssertNames(problem, "unauthorized", "Authorization.signature", "signature");
    }

    [Fact]
    public async Task Reads_PartyReadsAnothersRecord_403()
    {
        var serial = NewSerial("RR");
        var id = await CommissionAsync(Clients.Maker, fixture.Consortium.Maker, serial);
        using (var record = await Clients.Pharmacy.GetAsync("/v1/records/" + id))
            AssertNames(await Problem.ReadAsync(record, HttpStatusCode.Forbidden), "forbidden", "Authorization", "permission");
        using (var provenance = await Clients.Pharmacy.GetAsync("/v1/provenance?id=" + Uri.EscapeDataString(PackId(serial))))
            AssertNames(await Problem.ReadAsync(provenance, HttpStatusCode.Forbidden), "forbidden", "Authorization", "permission");
        using (var passport = await Clients.Pharmacy.GetAsync($"/01/{Gtin}/21/{serial}"))
            AssertNames(await Problem.ReadAsync(passport, HttpStatusCode.Forbidden), "forbidden", "Authorization", "permission");
        using var own = await Clients.Maker.GetAsync("/v1/records/" + id);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task Reads_ShipRecord_ReadableByItsAddresseeOnly()
    {
        // The addressee of a shipment reads the Ship it must receive against (on another node it has no other way to
        // see it); a third party still cannot.
        var serial = NewSerial("SR");
        var commission = await CommissionAsync(Clients.Maker, fixture.Consortium.Maker, serial);
        var ship = Record(fixture.Consortium.Maker, new ShipPayload([ItemId.Sgtin(Gtin, serial)], MakerLine, fixture.Consortium.Wholesaler.Address, WholesalerDock), [commission]);
        using (var posted = await PostBatchAsync(Clients.Maker, SignedBatch.Sign([ship], fixture.Consortium.Maker.Key)))
            Assert.True(posted.StatusCode == HttpStatusCode.OK, await posted.Content.ReadAsStringAsync());
        using var wholesaler = Clients.ClientFor(fixture.Consortium.Wholesaler);
        using (var addressee = await wholesaler.GetAsync("/v1/records/" + ship.Id))
            Assert.Equal(HttpStatusCode.OK, addressee.StatusCode);
        using (var other = await Clients.Pharmacy.GetAsync("/v1/records/" + ship.Id))
            AssertNames(await Problem.ReadAsync(other, HttpStatusCode.Forbidden), "forbidden", "Authorization", "permission");
        using var commissionRead = await wholesaler.GetAsync("/v1/records/" + commission);
        AssertNames(await Problem.ReadAsync(commissionRead, HttpStatusCode.Forbidden), "forbidden", "Authorization", "permission");
    }

    private static HttpRequestMessage Signed(PrivateKey key, string pathAndQuery, long timeMs)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.TryAddWithoutValidation("Authorization", CallerResolver.SignRequest(key, "GET", pathAndQuery, timeMs, []));
        return request;
    }

    private static async Task<JsonElement> ReadJobAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.Clone();
    }

    private static string WithoutAlerts(string provenance)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(provenance)!.AsObject();
        json["unverified"]!.AsObject().Remove("alerts");
        return json.ToJsonString();
    }

    private static string Records(string provenance)
    {
        using var json = JsonDocument.Parse(provenance);
        return string.Join(",", json.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("record").GetProperty("id").GetString()));
    }
}
