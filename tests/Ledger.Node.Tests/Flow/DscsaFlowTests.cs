using System.Net;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;
using Xunit;

namespace Ledger.Node.Tests.Flow;

/// <summary>
/// The issue's end-to-end DSCSA test: the GS1 US pharma example through the EPCIS capture API, continued with receive,
/// unpack, ship, receive, dispense, a lot recall and counterfeit scans (<see cref="DscsaFlow"/> runs it once).
/// </summary>
public sealed class DscsaFlowTests(DscsaFlow flow) : IClassFixture<DscsaFlow>
{
    /// <summary>
    /// The example's lot expires on 2025-03-27 (ILMD itemExpirationDate, YYMMDD 250327). Its events are dated 2023, so the
    /// commissioning, shipping, receiving and the dispense (dated 2023-04-10) happen before the expiry and are allowed. The node
    /// answers reads and verifications at its own clock, though: once that date has passed, an Active or InTransit pack reads as
    /// Expired (custody.md §2: a condition computed at read time, never stored) and a verification of a genuine pack carries
    /// additionalInfo Expired (custody.md §6). Computed from the date rather than assumed, so the test states the rule.
    /// </summary>
    private static readonly bool ExpiredNow = DateOnly.FromDateTime(DateTime.UtcNow) > new DateOnly(2025, 3, 27);

    private static string Live(string stored) => ExpiredNow && stored is "Active" or "InTransit" ? "Expired" : stored;

    private TestPartyNames Names => new(flow);

    // ---- 1. capture of the GS1 US pharma example ----

    [Fact]
    public void MakerCapture_GS1UsPharmaExample_AcceptsEveryEvent()
    {
        var events = flow.MakerCapture.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(8, events.Count);
        Assert.All(events, e => Assert.Equal("accepted", e.Str("outcome")));
        // E1/E2 commission packs and cases (one Commission per GTIN), E3-E5 and E7 pack, E8 ships; E6 commissions the SSCC,
        // which maps to no record: a logistic unit comes into being with the Pack that fills it (epcis-mapping.md).
        Assert.Equal([1, 1, 1, 1, 1, 0, 1, 1], events.Select(e => e.GetProperty("recordIds").GetArrayLength()));
        Assert.Equal(7, events.SelectMany(e => e.GetProperty("recordIds").EnumerateArray()).Select(r => r.GetString()).Distinct().Count());
    }

    [Fact]
    public void MakerCapture_SameFileAgain_AnswersDuplicateWithTheSameRecordIdsAndLeavesTheHead()
    {
        var first = flow.MakerCapture.GetProperty("events").EnumerateArray().ToList();
        var again = flow.MakerRecapture.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(first.Count, again.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal("duplicate", again[i].Str("outcome"));
            Assert.Equal(first[i].Str("eventHashID"), again[i].Str("eventHashID"));
            Assert.Equal(RecordIds(first[i]), RecordIds(again[i]));
        }
        Assert.Equal(flow.HeadBeforeRecapture.GetProperty("height").GetInt64(), flow.HeadAfterRecapture.GetProperty("height").GetInt64());
        Assert.Equal(flow.HeadBeforeRecapture.Str("hash"), flow.HeadAfterRecapture.Str("hash"));
        Assert.Equal(flow.HeadBeforeRecapture.GetProperty("logSize").GetInt64(), flow.HeadAfterRecapture.GetProperty("logSize").GetInt64());
    }

    [Fact]
    public void Captures_WholesalerPharmacyAndRecallDocuments_AcceptEveryEvent()
    {
        foreach (var (job, count) in new[] { (flow.WholesalerCapture, 4), (flow.PharmacyCapture, 2), (flow.RecallCapture, 2) })
        {
            var events = job.GetProperty("events").EnumerateArray().ToList();
            Assert.Equal(count, events.Count);
            Assert.All(events, e => Assert.Equal("accepted", e.Str("outcome")));
            Assert.All(events, e => Assert.Equal(1, e.GetProperty("recordIds").GetArrayLength()));
        }
    }

    // ---- 2./3. statuses, custodians and hierarchy at each step ----

    [Fact]
    public void Passport_AfterTheMakerShipped_PalletAndContentsInTransitToTheWholesaler()
    {
        var pallet = flow.At(DscsaFlow.Shipped, FlowKit.Pallet);
        AssertState(pallet, "InTransit", "InTransit", Names.Maker, FlowKit.MakerDock);
        AssertInTransitTo(pallet, Names.Wholesaler, FlowKit.WholesalerDc);
        Assert.Equal([Item(FlowKit.Case("110")), Item(FlowKit.Case("111")), Item(FlowKit.Case("121"))], Children(pallet));

        // Pack 11 was commissioned at the line and packed into case 110 there; the pallet was packed at the dock (goods move
        // between the maker's own sites without a record, custody.md §4), so it is at the ship-from dock inside case 110.
        var pack = flow.At(DscsaFlow.Shipped, FlowKit.Pack("11"));
        AssertState(pack, "InTransit", Live("InTransit"), Names.Maker, FlowKit.MakerDock);
        AssertInTransitTo(pack, Names.Wholesaler, FlowKit.WholesalerDc);
        Assert.Equal(Item(FlowKit.Case("110")), pack.State.Str("parent"));
        Assert.Equal([Item(FlowKit.Case("110")), Item(FlowKit.Pallet)], Parents(pack));
        Assert.Equal(FlowKit.Lot, pack.Passport.Str("lot"));
        Assert.Equal(FlowKit.Expiry, pack.Passport.Str("expiry"));
        Assert.Equal("maker", pack.Passport.Str("brandOwner"));
        Assert.Equal(["Commission", "Pack", "Pack", "Ship"], pack.HistoryKinds);
    }

    [Fact]
    public void Passport_AfterTheWholesalersDocument_ReceivedUnpackedAndTwoPacksInTransitToThePharmacy()
    {
        var step = DscsaFlow.AtWholesaler;
        var pallet = flow.At(step, FlowKit.Pallet);
        AssertState(pallet, "Active", "Active", Names.Wholesaler, FlowKit.WholesalerDc);
        Assert.Empty(Children(pallet));
        Assert.True(pallet.State.IsAbsent("inTransitTo"));

        var case110 = flow.At(step, FlowKit.Case("110"));
        AssertState(case110, "Active", Live("Active"), Names.Wholesaler, FlowKit.WholesalerDc);
        Assert.Empty(Children(case110));
        Assert.Empty(Parents(case110));

        // Case 111 left the pallet but still holds its packs: the hierarchy below an unpacked level is kept.
        var case111 = flow.At(step, FlowKit.Case("111"));
        Assert.Empty(Parents(case111));
        Assert.Equal(new[] { "15", "16", "17", "18" }.Select(s => Item(FlowKit.Pack(s))), Children(case111));
        var pack15 = flow.At(step, FlowKit.Pack("15"));
        AssertState(pack15, "Active", Live("Active"), Names.Wholesaler, FlowKit.WholesalerDc);
        Assert.Equal([Item(FlowKit.Case("111"))], Parents(pack15));

        var pack13 = flow.At(step, FlowKit.Pack("13"));
        AssertState(pack13, "Active", Live("Active"), Names.Wholesaler, FlowKit.WholesalerDc);
        Assert.Empty(Parents(pack13));

        // In transit the shipper keeps custody at the ship-from location (custody.md §2).
        var pack11 = flow.At(step, FlowKit.Pack("11"));
        AssertState(pack11, "InTransit", Live("InTransit"), Names.Wholesaler, FlowKit.WholesalerDc);
        AssertInTransitTo(pack11, Names.Pharmacy, FlowKit.PharmacyGln);
        Assert.Empty(Parents(pack11));
        Assert.Equal(["Commission", "Pack", "Pack", "Ship", "Receive", "Unpack", "Unpack", "Ship"], pack11.HistoryKinds);
    }

    [Fact]
    public void Passport_AfterThePharmacysDocument_OnePackSuppliedTheOtherActiveAtThePharmacy()
    {
        var pack11 = flow.At(DscsaFlow.AtPharmacy, FlowKit.Pack("11"));
        AssertState(pack11, "Supplied", "Supplied", Names.Pharmacy, FlowKit.PharmacyGln);
        Assert.True(pack11.State.IsAbsent("inTransitTo"));
        var pack12 = flow.At(DscsaFlow.AtPharmacy, FlowKit.Pack("12"));
        AssertState(pack12, "Active", Live("Active"), Names.Pharmacy, FlowKit.PharmacyGln);

        // Every record that changed the pack's state is in its history, with its author: the chain of custody.
        Assert.Equal(["Commission", "Pack", "Pack", "Ship", "Receive", "Unpack", "Unpack", "Ship", "Receive", "Decommission"], pack11.HistoryKinds);
        Assert.Equal(["maker", "maker", "maker", "maker", "wholesaler", "wholesaler", "wholesaler", "wholesaler", "pharmacy", "pharmacy"],
            pack11.Passport.GetProperty("history").EnumerateArray().Select(h => h.Str("authorName")));
        Assert.Equal(["Commission", "Pack", "Pack", "Ship", "Receive", "Unpack", "Unpack", "Ship", "Receive"], pack12.HistoryKinds);
    }

    [Fact]
    public void Passport_AfterTheLotRecall_EveryItemOfTheLotReadsRecalled()
    {
        var step = DscsaFlow.Recalled;
        // A lot recall is a lot-level fact (custody.md §2): no item's stored state changes, every item of (GTIN, lot) counts
        // as Recalled — the dispensed pack too, since Supplied is not terminal; its stored status stays Supplied.
        AssertState(flow.At(step, FlowKit.Pack("11")), "Supplied", "Recalled", Names.Pharmacy, FlowKit.PharmacyGln);
        AssertState(flow.At(step, FlowKit.Pack("12")), "Active", "Recalled", Names.Pharmacy, FlowKit.PharmacyGln);
        AssertState(flow.At(step, FlowKit.Pack("13")), "Active", "Recalled", Names.Wholesaler, FlowKit.WholesalerDc);
        AssertState(flow.At(step, FlowKit.Pack("15")), "Active", "Recalled", Names.Wholesaler, FlowKit.WholesalerDc);
        // The case GTIN's lot A123 is recalled by the document's second event.
        AssertState(flow.At(step, FlowKit.Case("111")), "Active", "Recalled", Names.Wholesaler, FlowKit.WholesalerDc);
        // An SSCC has no lot: the empty pallet is not recalled.
        AssertState(flow.At(step, FlowKit.Pallet), "Active", "Active", Names.Wholesaler, FlowKit.WholesalerDc);

        // The lot recall names no item, so it is in no item's history (and moves no item's latest record, which the
        // state proof binds); pack 13's history ends with the two verifications recorded for the LVM requests.
        Assert.Equal(["Commission", "Pack", "Pack", "Ship", "Receive", "Unpack", "Unpack", "Ship", "Receive", "Decommission"],
            flow.At(step, FlowKit.Pack("11")).HistoryKinds);
        Assert.Equal(["Commission", "Pack", "Pack", "Ship", "Receive", "Unpack", "Unpack", "Verify", "Verify"], flow.At(step, FlowKit.Pack("13")).HistoryKinds);
        Assert.Equal(["Commission", "Pack", "Pack", "Ship", "Receive", "Unpack"], flow.At(step, FlowKit.Pack("15")).HistoryKinds);
    }

    [Fact]
    public void Provenance_RecordIds_AreThoseTheCapturesAnswered()
    {
        var history = flow.At(DscsaFlow.Recalled, FlowKit.Pack("11")).Provenance.GetProperty("records").EnumerateArray()
            .Select(r => r.GetProperty("record").Str("id")).ToList();
        var maker = flow.MakerCapture.GetProperty("events").EnumerateArray().Select(RecordIds).ToList();
        var wholesaler = flow.WholesalerCapture.GetProperty("events").EnumerateArray().Select(RecordIds).ToList();
        var pharmacy = flow.PharmacyCapture.GetProperty("events").EnumerateArray().Select(RecordIds).ToList();
        // E1 commission, E3 case 110, E7 pallet, E8 ship; receive, unpack pallet, unpack case, ship; receive, dispense.
        string?[] expected = [maker[0][0], maker[2][0], maker[6][0], maker[7][0], wholesaler[0][0], wholesaler[1][0], wholesaler[2][0], wholesaler[3][0],
            pharmacy[0][0], pharmacy[1][0]];
        Assert.Equal(expected, history);
        Assert.Equal(expected[^1], flow.At(DscsaFlow.Recalled, FlowKit.Pack("11")).State.Str("latestRecord"));
        Assert.Equal(history, flow.At(DscsaFlow.Recalled, FlowKit.Pack("11")).Passport.GetProperty("history").EnumerateArray().Select(h => h.Str("record")));
    }

    // ---- 3. verification answers and alerts ----

    [Fact]
    public void Verification_GenuinePackBeforeTheRecall_VerifiedWithTheExpiryInfo()
    {
        var x = flow.GenuineBeforeRecall;
        Assert.Equal(HttpStatusCode.OK, x.Status);
        Assert.True(x.Data.GetProperty("verified").GetBoolean());
        Assert.True(x.Data.IsAbsent("verificationFailureReason"));
        // Lot A123 and expiry 250327 match what was commissioned; the pack is Active. Only the date speaks: see ExpiredNow.
        if (ExpiredNow)
            Assert.Equal("Expired", x.Data.Str("additionalInfo"));
        else
            Assert.True(x.Data.IsAbsent("additionalInfo"));
        Assert.Equal(FlowKit.MakerLine, x.Answer.Str("responderGLN"));
        AssertEchoed(x);
    }

    [Fact]
    public void Verification_GenuinePackAfterTheRecall_VerifiedAndRecalled()
    {
        var x = flow.GenuineAfterRecall;
        Assert.Equal(HttpStatusCode.OK, x.Status);
        Assert.True(x.Data.GetProperty("verified").GetBoolean());
        // Recalled and (after 2025-03-27) Expired both hold; one string carries the most serious (verification.md §2.1).
        Assert.Equal("Recalled", x.Data.Str("additionalInfo"));
        AssertEchoed(x);
    }

    [Fact]
    public void Verification_SerialNeverCommissioned_NotVerifiedAndAnUnknownSerialAlertForTheRegulator()
    {
        var x = flow.NeverCommissioned;
        Assert.Equal(HttpStatusCode.OK, x.Status);
        Assert.False(x.Data.GetProperty("verified").GetBoolean());
        Assert.Equal("No_match_GTIN_Serial", x.Data.Str("verificationFailureReason"));
        Assert.True(x.Data.IsAbsent("additionalInfo"));
        AssertEchoed(x);
        Assert.Contains(Alerts(flow.RegulatorAlerts), a => a.Kind == "UnknownSerial" && a.Item == Item(FlowKit.Pack("9999")));
    }

    [Fact]
    public void Verification_GenuineSerialWithAWrongLot_NotVerifiedAndALotMismatchAlertForTheRegulator()
    {
        var x = flow.WrongLot;
        Assert.Equal(HttpStatusCode.OK, x.Status);
        Assert.False(x.Data.GetProperty("verified").GetBoolean());
        Assert.Equal("No_match_GTIN_Serial_Lot", x.Data.Str("verificationFailureReason"));
        AssertEchoed(x);
        Assert.Contains(Alerts(flow.RegulatorAlerts), a => a.Kind == "LotMismatch" && a.Item == Item(FlowKit.Pack("14")));
    }

    [Fact]
    public void Alerts_CounterfeitScans_NotShownToAPartyThatNeverHeldTheItems()
    {
        var mine = Alerts(flow.PharmacyAlerts);
        Assert.DoesNotContain(mine, a => a.Item == Item(FlowKit.Pack("9999")) || a.Item == Item(FlowKit.Pack("14")));
    }

    // ---- 4. offline checks of one provenance answer ----

    [Fact]
    public async Task Provenance_CheckedOffline_EverySealProofSignatureAndCertificateHolds()
    {
        using var regulator = flow.ClientFor(flow.Consortium.Regulator);
        var nodeAddress = Address.Parse((await FlowKit.GetJsonAsync(regulator, "/v1/node")).Str("address")!);
        var item = FlowKit.Pack("11");
        var answer = await FlowKit.GetJsonAsync(regulator, FlowKit.ProvenancePath(item));

        var headerJson = answer.GetProperty("header");
        var signedHeader = SignedHeader.Decode(Hex.Decode(headerJson.Str("encoded")!));
        var header = signedHeader.Header;
        AssertValid(signedHeader.Verify());
        Assert.Equal(nodeAddress, header.Lane);
        var certificate = Certificate.Decode(Hex.Decode(headerJson.GetProperty("certificate").Str("encoded")!));
        AssertValid(certificate.Verify(header, new HashSet<Address> { nodeAddress }));

        var records = new List<LedgerRecord>();
        foreach (var entry in answer.GetProperty("records").EnumerateArray())
        {
            var record = LedgerRecord.Decode(Hex.Decode(entry.GetProperty("record").Str("encoded")!));
            Assert.Equal(entry.GetProperty("record").Str("id"), record.Id.ToString());
            var seal = RecordSeal.FromRlp(Rlp.Decode(Hex.Decode(entry.Str("seal")!)), "seal");
            AssertValid(seal.Verify(record));
            var inclusion = InclusionProof.Decode(Hex.Decode(entry.Str("inclusionProof")!));
            Assert.Equal(header.LogSize, inclusion.TreeSize);
            Assert.Equal(entry.GetProperty("logIndex").GetInt64(), inclusion.LeafIndex);
            var included = MerkleTree.VerifyInclusion(inclusion, MerkleHash.Leaf(record.Id), header.LogRoot);
            Assert.True(included.IsValid, included.Reason);
            records.Add(record);
        }
        Assert.Equal(10, records.Count);
        // The authors are the parties that signed each step, as the seals proved.
        Assert.Equal(flow.Consortium.Maker.Address, records[0].Author);
        Assert.Equal(flow.Consortium.Wholesaler.Address, records[4].Author);
        Assert.Equal(flow.Consortium.Pharmacy.Address, records[^1].Author);

        var key = item.StateKey();
        Assert.Equal(answer.Str("itemKey"), key.ToString());
        var stateProof = SparseMerkleProof.Decode(Hex.Decode(answer.Str("stateProof")!));
        var last = SparseMerkleTree.Verify(header.StateRoot, key, records[^1].Id, stateProof);
        Assert.True(last.IsValid, last.Reason);
        // A history with its last record dropped would end at the second-to-last record: the state root says otherwise.
        Assert.False(SparseMerkleTree.Verify(header.StateRoot, key, records[^2].Id, stateProof).IsValid);
    }

    // ---- 5. access ----

    [Fact]
    public async Task Access_PassportAndProvenance_OnlyForPartiesThatHandledTheItemAndTheRegulator()
    {
        using var pharmacy = flow.ClientFor(flow.Consortium.Pharmacy);
        using var regulator = flow.ClientFor(flow.Consortium.Regulator);
        using var anonymous = flow.ClientFor(null);
        var neverAtPharmacy = FlowKit.Pack("13");

        Assert.Equal(HttpStatusCode.Forbidden, (await FlowKit.GetAsync(pharmacy, FlowKit.PassportPath(neverAtPharmacy))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await FlowKit.GetAsync(pharmacy, FlowKit.ProvenancePath(neverAtPharmacy))).Status);
        Assert.Equal(HttpStatusCode.OK, (await FlowKit.GetAsync(pharmacy, FlowKit.PassportPath(FlowKit.Pack("11")))).Status);
        Assert.Equal(HttpStatusCode.OK, (await FlowKit.GetAsync(regulator, FlowKit.PassportPath(neverAtPharmacy))).Status);
        Assert.Equal(HttpStatusCode.OK, (await FlowKit.GetAsync(regulator, FlowKit.ProvenancePath(neverAtPharmacy))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await FlowKit.GetAsync(anonymous, FlowKit.PassportPath(neverAtPharmacy))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await FlowKit.GetAsync(anonymous, FlowKit.ProvenancePath(neverAtPharmacy))).Status);
        // The verifications of the flow were all sent without credentials and answered.
        Assert.All(new[] { flow.GenuineBeforeRecall, flow.GenuineAfterRecall, flow.NeverCommissioned, flow.WrongLot },
            x => Assert.Equal(HttpStatusCode.OK, x.Status));
    }

    // ---- helpers ----

    private sealed record TestPartyNames(DscsaFlow Flow)
    {
        public (string Name, string Address) Maker => ("maker", Flow.Consortium.Maker.Address.ToString());
        public (string Name, string Address) Wholesaler => ("wholesaler", Flow.Consortium.Wholesaler.Address.ToString());
        public (string Name, string Address) Pharmacy => ("pharmacy", Flow.Consortium.Pharmacy.Address.ToString());
    }

    private static string Item(ItemId item) => item.ToString();

    private static List<string?> RecordIds(JsonElement captureEvent) =>
        [.. captureEvent.GetProperty("recordIds").EnumerateArray().Select(r => r.GetString())];

    private static List<string?> Children(ItemSnapshot s) => [.. s.State.GetProperty("children").EnumerateArray().Select(c => c.GetString())];

    private static List<string?> Parents(ItemSnapshot s) =>
        [.. s.Passport.GetProperty("hierarchy").GetProperty("parents").EnumerateArray().Select(p => p.Str("item"))];

    private static List<(string? Kind, string? Item)> Alerts(JsonElement alerts) =>
        [.. alerts.GetProperty("alerts").EnumerateArray().Select(a => (a.Str("kind"), a.Str("item")))];

    /// <summary>Stored and effective status, custodian and location agree in the provenance state and the passport.</summary>
    private static void AssertState(ItemSnapshot s, string stored, string status, (string Name, string Address) custodian, string location)
    {
        var item = s.Provenance.Str("item");
        Assert.True(stored == s.State.Str("storedStatus"), $"{item}: stored status {s.State.Str("storedStatus")}, expected {stored}");
        Assert.True(status == s.State.Str("status"), $"{item}: status {s.State.Str("status")}, expected {status}");
        Assert.Equal(status, s.Passport.Str("status"));
        Assert.Equal(custodian.Address, s.State.Str("custodian"));
        Assert.Equal(location, s.State.Str("location"));
        var c = s.Passport.GetProperty("custodian");
        Assert.Equal(custodian.Name, c.Str("name"));
        Assert.Equal(custodian.Address, c.Str("address"));
        Assert.Equal(location, c.Str("location"));
    }

    private static void AssertInTransitTo(ItemSnapshot s, (string Name, string Address) party, string location)
    {
        var to = s.State.GetProperty("inTransitTo");
        Assert.Equal(party.Address, to.Str("party"));
        Assert.Equal(location, to.Str("location"));
    }

    private static void AssertEchoed(LvmExchange x) =>
        Assert.Equal(x.CorrelationId.ToString("D"), x.Answer.Str("corrUUID"));

    private static void AssertValid(VerificationResult result) => Assert.True(result.IsValid, $"{result.Code}: {result.Reason}");
}
