using System.Net;
using System.Text.Json;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;
using Xunit;

namespace Ledger.Sdk.Tests.Client;

/// <summary>Every client method against a real node: the happy path and the typed error for a bad input.</summary>
public sealed class LedgerClientTests(SdkNodeFixture fixture) : IClassFixture<SdkNodeFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<(ItemId Pack1, ItemId Pack2, ItemId Case, SubmitBatchResult Result)> CommissionAndPackAsync(LedgerClient maker)
    {
        var s1 = SdkNodeFixture.NewSerial();
        var s2 = SdkNodeFixture.NewSerial();
        var pack1 = SdkNodeFixture.Pack(s1);
        var pack2 = SdkNodeFixture.Pack(s2);
        var @case = SdkNodeFixture.NewCase();
        var result = await new RecordBatchBuilder(maker)
            .Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [s1, s2])
            .Pack(@case, [pack1, pack2], SdkNodeFixture.Line)
            .SubmitAsync();
        return (pack1, pack2, @case, result);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task SubmitBatchAsync_BuilderCommissionThenPack_AcceptedAndChainedWithinBatch(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var (pack1, _, _, result) = await CommissionAndPackAsync(maker);

        Assert.True(result.Accepted);
        // The node's one-node consortium certifies at once: the same state over HTTP and gRPC.
        Assert.Equal(SubmitBatchResult.CertifiedState, result.State);
        Assert.True(result.IsCertified);
        Assert.Equal(2, result.Outcomes.Count);
        Assert.All(result.Outcomes, o => Assert.Equal("accepted", o.Outcome));
        var commissionId = result.Outcomes[0].RecordIds[0];
        var pack = await maker.GetRecordAsync(result.Outcomes[1].RecordIds[0]);
        Assert.NotNull(pack);
        Assert.Equal(RecordKind.Pack, pack.Kind);
        Assert.Equal([commissionId], pack.Deps);
        Assert.Equal(result.Outcomes[1].RecordIds[0], await maker.GetLatestRecordAsync(pack1));
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task SubmitBatchAsync_SameBatchTwice_SecondAnsweredAsDuplicates(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var batch = await new RecordBatchBuilder(maker)
            .Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).BuildAsync();
        var first = await maker.SubmitBatchAsync(batch);
        var second = await maker.SubmitBatchAsync(batch);
        Assert.Equal("accepted", first.Outcomes[0].Outcome);
        Assert.Equal("duplicate", second.Outcomes[0].Outcome);
        Assert.Equal(first.Outcomes[0].Block, second.Outcomes[0].Block);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task SubmitBatchAsync_MissingDependency_ThrowsCustodyRejectedWithCode(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var (pack1, _, _, _) = await CommissionAndPackAsync(maker);
        var key = fixture.Consortium.Maker.Key;
        var stale = new LedgerRecord(key.Address, 7, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new DecommissionPayload([pack1], DecommissionState.Destroyed, SdkNodeFixture.Line), deps: []);

        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => maker.SubmitBatchAsync(SignedBatch.Sign([stale], key)));

        Assert.Equal((HttpStatusCode)422, e.Status);
        Assert.Equal("custody-rejected", e.ProblemName);
        Assert.Equal("stale-dependency", e.Code);
        Assert.Contains("\"outcomes\"", e.RawJson, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task SubmitBatchAsync_BatchOfAnotherParty_ThrowsForbidden(LedgerTransport transport)
    {
        using var wholesaler = fixture.ClientFor(fixture.Consortium.Wholesaler, transport: transport);
        var maker = fixture.Consortium.Maker.Key;
        var record = new LedgerRecord(maker.Address, 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new CommissionPayload(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]));
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => wholesaler.SubmitBatchAsync(SignedBatch.Sign([record], maker)));
        Assert.Equal(HttpStatusCode.Forbidden, e.Status);
        Assert.Equal("Authorization", e.Field);
        Assert.Equal("permission", e.Rule);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task SignedRequests_PartyKeyOnly_ReadsAndWritesWithoutToken(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, signRequests: true, transport: transport);
        var (_, _, _, result) = await CommissionAndPackAsync(maker);
        Assert.True(result.Accepted);
        var head = await maker.GetHeadAsync();
        Assert.NotNull(head);
        Assert.True(head.Height >= result.Block);
    }

    [Fact]
    public async Task SignedRequests_KeyOfNoParty_ThrowsUnauthorizedUnknownParty()
    {
        using var stranger = new LedgerClient(new LedgerClientOptions { Node = fixture.Node.BaseAddress, PrivateKey = PrivateKey.Generate() });
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => stranger.GetHeadAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, e.Status);
        Assert.Equal("Authorization.address", e.Field);
        Assert.Equal("unknown-party", e.Rule);
    }

    [Fact]
    public async Task SignRequest_PublishedVector_MatchesSpecHeader()
    {
        // docs/spec/api.md §3 worked example (public test key).
        var key = PrivateKey.Parse("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
        var header = LedgerClient.SignRequest(key, "GET", "/v1/head", 1767225600000, []);
        Assert.Equal("Ledger-Signature address=0x2c7536E3605D9C16a7a3D7b1898e529396a65c23, time=1767225600000, signature=0x1911298f38d35a4d5dafe15de37faeed646dbd20cf493b99475560a1c26b669351e6244e7126c6da4c244e4b1c853a3dd96842173d6b16a5d035df825da4264a00", header);
        await Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task GetProvenanceJsonAsync_EveryIdentifierForm_SameItem(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var (pack1, _, @case, _) = await CommissionAndPackAsync(maker);
        var forms = new[]
        {
            $"(01){pack1.Gtin}(21){pack1.Serial}",
            $"01{pack1.Gtin}21{pack1.Serial}",
            $"]d201{pack1.Gtin}21{pack1.Serial}",
            $"https://id.gs1.org/01/{pack1.Gtin}/21/{pack1.Serial}",
            Gs1Identifier.Parse($"(01){pack1.Gtin}(21){pack1.Serial}").ToEpcUri(7),
            $"{pack1.Gtin} {pack1.Serial}",
        };
        foreach (var form in forms)
        {
            using var doc = JsonDocument.Parse(await maker.GetProvenanceJsonAsync(form));
            Assert.True(doc.RootElement.GetProperty("item").GetString() == pack1.ToString(), form);
            Assert.True(doc.RootElement.GetProperty("known").GetBoolean(), form);
        }
        using var sscc = JsonDocument.Parse(await maker.GetProvenanceJsonAsync(@case.Key));
        Assert.Equal(@case.ToString(), sscc.RootElement.GetProperty("item").GetString());
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task GetProvenanceAsync_PackedItem_TypedDocumentWithEveryRecord(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var (pack1, _, @case, result) = await CommissionAndPackAsync(maker);
        var doc = await maker.GetProvenanceAsync(pack1.Gtin!, pack1.Serial);
        Assert.Equal(pack1, doc.Item);
        Assert.True(doc.Known);
        Assert.Equal(result.Outcomes.Select(o => o.RecordIds[0]), doc.Records.Select(r => r.Record.Id));
        Assert.NotNull(doc.Header);
        var sscc = await maker.GetProvenanceAsync(@case.Key);
        Assert.Equal(@case, sscc.Item);
    }

    [Fact]
    public async Task GetProvenanceJsonAsync_BadCheckDigit_ThrowsGs1FormatBeforeSending()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var e = await Assert.ThrowsAsync<Gs1FormatException>(() => maker.GetProvenanceJsonAsync("(01)00300011234502(21)X1"));
        Assert.Equal("check-digit", e.Rule);
        var g = await Assert.ThrowsAsync<Gs1FormatException>(() => maker.GetProvenanceJsonAsync("(01)00300011234501"));
        Assert.Equal("serialised", g.Rule);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task GetProvenanceJsonAsync_PartyNotInvolved_ThrowsForbidden(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        using var pharmacy = fixture.ClientFor(fixture.Consortium.Pharmacy, transport: transport);
        var (pack1, _, _, _) = await CommissionAndPackAsync(maker);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => pharmacy.GetProvenanceJsonAsync(pack1.Gtin + " " + pack1.Serial));
        Assert.Equal(HttpStatusCode.Forbidden, e.Status);
        Assert.Equal("permission", e.Rule);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task WaitForCertificationAsync_AcceptedRecord_ReturnsItsCertifiedBlock(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var (_, _, _, result) = await CommissionAndPackAsync(maker);
        using var cts = new CancellationTokenSource(Timeout);
        var certified = await maker.WaitForCertificationAsync(result.Outcomes[0].RecordIds[0], cancellationToken: cts.Token);
        Assert.Equal(result.Block, certified.Height);
        Assert.Equal(result.Block, certified.Header.Height);
        Assert.NotNull(certified.Header.Certificate);
    }

    [Fact]
    public async Task ReadsOfHeadersBlocksAndProofs_AfterAWrite_AgreeWithEachOther()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        using var fda = fixture.ClientFor(fixture.Consortium.Regulator);
        var (_, _, _, result) = await CommissionAndPackAsync(maker);
        var height = result.Block!.Value;
        var header = await maker.GetHeaderAsync(height);
        Assert.NotNull(header);
        Assert.Equal(height, header.Height);

        var block = await fda.GetBlockAsync(height);
        Assert.NotNull(block);
        Assert.Equal(header.Hash, block.SignedHeader.Hash());
        Assert.Contains(result.Outcomes[0].RecordIds[0], block.RecordIds());

        var inclusion = await maker.GetInclusionProofAsync(result.Outcomes[0].RecordIds[0]);
        Assert.NotNull(inclusion);
        Assert.Equal(height, inclusion.Height);
        Assert.Equal(inclusion.Header.Header.Header.LogSize, inclusion.Proof.TreeSize);

        var consistency = await maker.GetConsistencyProofAsync(1, inclusion.Header.Header.Header.LogSize);
        Assert.Equal(1, consistency.From);

        Assert.Null(await maker.GetHeaderAsync(height + 1_000_000));
        Assert.Null(await maker.GetRecordAsync(Ledger.Protocol.Hash32.Zero));
        Assert.Null(await maker.GetInclusionProofAsync(Ledger.Protocol.Hash32.Zero));
    }

    [Fact]
    public async Task GetRecentHeadersAsync_AfterAWrite_PagesEveryHeaderNewestFirstDownToHeightOne()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var (_, _, _, result) = await CommissionAndPackAsync(maker);
        var height = result.Block!.Value;

        var first = await maker.GetRecentHeadersAsync(before: height + 1, limit: 2);
        Assert.Equal(height, first.Headers[0].Height);
        Assert.Equal((await maker.GetHeaderAsync(height))!.Hash, first.Headers[0].Hash);

        // From the head, page by page: every height once, descending, the last page ends at 1 with no next page.
        var heights = new List<long>();
        long? before = null;
        do
        {
            var page = await maker.GetRecentHeadersAsync(before, limit: 3);
            Assert.InRange(page.Headers.Count, 1, 3);
            heights.AddRange(page.Headers.Select(h => h.Height));
            before = page.Next;
        }
        while (before is not null);
        Assert.Equal(Enumerable.Range(1, heights.Count).Select(i => (long)i).Reverse(), heights);
        Assert.True(heights[0] >= height);

        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => maker.GetRecentHeadersAsync(limit: 0));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.Equal("limit", e.Field);
        Assert.Equal("range", e.Rule);
    }

    [Fact]
    public async Task GetBlockAsync_NotRegulator_ThrowsForbidden()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        await CommissionAndPackAsync(maker);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => maker.GetBlockAsync(1));
        Assert.Equal(HttpStatusCode.Forbidden, e.Status);
    }

    [Fact]
    public async Task GetConsistencyProofAsync_FromAfterTo_ThrowsRange()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => maker.GetConsistencyProofAsync(5, 2));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.Equal("from", e.Field);
        Assert.Equal("range", e.Rule);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task GetAlertsAsync_SecondCommissioningOfAPack_ReturnsItsAlert(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        var serial = SdkNodeFixture.NewSerial();
        await new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [serial]).SubmitAsync();
        await Assert.ThrowsAsync<LedgerRequestException>(() =>
            new RecordBatchBuilder(maker).Commission(SdkNodeFixture.Gtin, "LOT2", "281231", SdkNodeFixture.Line, [serial]).SubmitAsync());

        var alerts = new List<LedgerAlertInfo>();
        await foreach (var a in maker.GetAllAlertsAsync())
            alerts.Add(a);
        Assert.Contains(alerts, a => a.Item == SdkNodeFixture.Pack(serial).ToString());
        var page = await maker.GetAlertsAsync(0, 1);
        Assert.Single(page.Alerts);
        Assert.Equal(page.Alerts[0].Sequence, page.Next);
    }

    [Fact]
    public async Task GetAlertsAsync_NegativeAfter_ThrowsRecordFormatInteger()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => maker.GetAlertsAsync(-1));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.Equal("after", e.Field);
        Assert.Equal("integer", e.Rule);
    }

    [Fact]
    public async Task GetConsortiumAsync_TestConsortium_MapsToDefinition()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var definition = await maker.GetConsortiumAsync();
        Assert.Equal(["maker", "wholesaler", "pharmacy", "fda"], definition.Parties.Where(p => p.Roles != Ledger.Protocol.Custody.PartyRoles.None).Select(p => p.Name));
        var m = Assert.Single(definition.Parties, p => p.Name == "maker");
        Assert.Equal(fixture.Consortium.Maker.Address, m.Address);
        Assert.Equal(Ledger.Protocol.Custody.PartyRoles.Manufacturer, m.Roles);
        Assert.Equal(["030001"], m.CompanyPrefixes);
        Assert.Equal(Ledger.Protocol.Custody.PartyRoles.Regulator, Assert.Single(definition.Parties, p => p.Name == "fda").Roles);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task SubmitBatchAsync_WrongTokenOrKeyOfNoParty_ThrowsUnauthorizedNamingFieldAndRule(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var batch = await new RecordBatchBuilder(maker)
            .Commission(SdkNodeFixture.Gtin, "LOT1", "281231", SdkNodeFixture.Line, [SdkNodeFixture.NewSerial()]).BuildAsync();
        using var wrongToken = new LedgerClient(new LedgerClientOptions
        {
            Node = fixture.Node.BaseAddress, GrpcNode = fixture.Node.GrpcAddress, Transport = transport, ApiToken = "not-a-token",
        });
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => wrongToken.SubmitBatchAsync(batch));
        Assert.Equal(HttpStatusCode.Unauthorized, e.Status);
        Assert.Equal(("Authorization", "token", "unauthorized"), (e.Field, e.Rule, e.ProblemName));

        using var stranger = new LedgerClient(new LedgerClientOptions
        {
            Node = fixture.Node.BaseAddress, GrpcNode = fixture.Node.GrpcAddress, Transport = transport, PrivateKey = PrivateKey.Generate(),
        });
        var s = await Assert.ThrowsAsync<LedgerRequestException>(() => stranger.GetProvenanceJsonAsync("(01)" + SdkNodeFixture.Gtin + "(21)X1"));
        Assert.Equal(HttpStatusCode.Unauthorized, s.Status);
        Assert.Equal(("Authorization.address", "unknown-party"), (s.Field, s.Rule));
    }

    [Fact]
    public async Task GetConsortiumAsync_WrongToken_ThrowsUnauthorizedToken()
    {
        using var client = new LedgerClient(new LedgerClientOptions { Node = fixture.Node.BaseAddress, ApiToken = "not-a-token" });
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => client.GetConsortiumAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, e.Status);
        Assert.Equal("token", e.Rule);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task VerifyProductAsync_CommissionedAndUnknownSerials_VerifiedAndNot(LedgerTransport transport)
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker, transport: transport);
        using var pharmacy = fixture.ClientFor(fixture.Consortium.Pharmacy, transport: transport);
        var (pack1, _, _, _) = await CommissionAndPackAsync(maker);
        var ok = await pharmacy.VerifyProductAsync($"(01){pack1.Gtin}(21){pack1.Serial}", "dscsaSaleableReturn", "0398880000013");
        Assert.True(ok.Verified);
        Assert.Null(ok.FailureReason);
        var unknown = await pharmacy.VerifyProductAsync($"(01){pack1.Gtin}(21)NOSUCH{pack1.Serial}", "dscsaSaleableReturn", "0398880000013");
        Assert.False(unknown.Verified);
        Assert.NotNull(unknown.FailureReason);
    }

    [Theory]
    [MemberData(nameof(SdkNodeFixture.Transports), MemberType = typeof(SdkNodeFixture))]
    public async Task VerifyProductAsync_BadRequestorGln_ThrowsInvalidRequest(LedgerTransport transport)
    {
        using var pharmacy = fixture.ClientFor(fixture.Consortium.Pharmacy, transport: transport);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() =>
            pharmacy.VerifyProductAsync($"(01){SdkNodeFixture.Gtin}(21)X1", "dscsaSaleableReturn", "0398880000014"));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.NotNull(e.Rule);
    }

    [Fact]
    public async Task CaptureEpcisAsync_NotEpcis_ThrowsEpcisFormat()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => maker.CaptureEpcisAsync("{\"not\":\"epcis\"", "application/ld+json"));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.Equal("epcis-format", e.ProblemName);
    }

    [Fact]
    public async Task CaptureEpcisAsync_UsPharmaExample_JobReadableAndEventsQueryable()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var xml = await File.ReadAllTextAsync(RepositoryFile("tests/vectors/epcis/openepcis-test-resources/1.2/EPCIS/XML/Capture/Documents/GS1_US_Pharma_Example_2_2_1_1.xml"));
        var job = await maker.CaptureEpcisAsync(xml, "application/xml", CaptureErrorBehaviour.Proceed);
        Assert.NotEmpty(job.Events);
        Assert.Contains(job.Events, e => e.Outcome is "accepted" or "duplicate");

        var again = await maker.GetCaptureJobAsync(job.CaptureId);
        Assert.NotNull(again);
        Assert.Equal(job.Events.Count, again.Events.Count);
        Assert.Null(await maker.GetCaptureJobAsync("no-such-job"));

        var page = await maker.QueryEpcisEventsAsync([new("perPage", "1")]);
        using var doc = JsonDocument.Parse(page.Json);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public async Task QueryEpcisEventsAsync_BadPerPage_ThrowsNamingParameter()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        var e = await Assert.ThrowsAsync<LedgerRequestException>(() => maker.QueryEpcisEventsAsync([new("perPage", "many")]));
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
        Assert.Equal("perPage", e.Field);
    }

    [Fact]
    public async Task GetHeadAsync_CancelledToken_ThrowsOperationCanceled()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => maker.GetHeadAsync(cts.Token));
    }

    [Fact]
    public async Task WaitForCertificationAsync_UnknownRecordThenCancel_ThrowsOperationCanceled()
    {
        using var maker = fixture.ClientFor(fixture.Consortium.Maker);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => maker.WaitForCertificationAsync(Ledger.Protocol.Hash32.Zero, cancellationToken: cts.Token));
    }

    internal static string RepositoryFile(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Ledger.sln")))
                return Path.Combine(d.FullName, relative);
        }
        throw new InvalidOperationException("Ledger.sln not found above " + AppContext.BaseDirectory);
    }
}
