using Ledger.Protocol.Crypto;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Mapping;
using Ledger.Protocol.Records;
using Ledger.Protocol.Tests.Records;
using Xunit;

namespace Ledger.Protocol.Tests.Mapping;

/// <summary>A party directory and ship index over dictionaries, as a node would provide from its state.</summary>
internal sealed class TestMappingContext : IEpcisMappingContext
{
    public Dictionary<string, Address> Parties { get; } = [];
    public Dictionary<ItemId, Hash32> Ships { get; } = [];

    public Address? PartyForGln(string gln) => Parties.TryGetValue(gln, out var a) ? a : null;

    public string? GlnForParty(Address party) => Parties.FirstOrDefault(p => p.Value == party).Key;

    public Hash32? ShipFor(IReadOnlyList<ItemId> items) => items.Count > 0 && Ships.TryGetValue(items[0], out var h) ? h : null;

    public static TestMappingContext ForSamples() => new()
    {
        Parties =
        {
            ["0614141000012"] = RecordSamples.Manufacturer.Address,
            ["0614141000029"] = RecordSamples.Wholesaler.Address,
        },
    };
}

public class EpcisRecordMapperTests
{
    private static readonly string PharmaExample = Path.Combine(AppContext.BaseDirectory, "vectors", "epcis", "openepcis-test-resources",
        "1.2", "EPCIS", "XML", "Capture", "Documents", "GS1_US_Pharma_Example_2_2_1_1.xml");

    // GLNs of the GS1 US pharma example's parties (SGLN urn:epc:id:sgln:039999.999999.0 etc. with the computed check digit).
    private const string WholesalerGln = "0399999999991";

    [Fact]
    public void Map_GS1UsPharmaExample_GivesCommissionPackAndShipRecords()
    {
        // GS1 US guideline §2.2.1.1 (openepcis test resources): items and cases commissioned, packed into cases and an SSCC pallet, shipped.
        var doc = EpcisReader.Read(File.ReadAllText(PharmaExample));
        var wholesaler = RecordSamples.Wholesaler.Address;
        var context = new TestMappingContext { Parties = { [WholesalerGln] = wholesaler } };

        var mapped = EpcisRecordMapper.Map(doc, context);

        var kinds = mapped.Select(m => m.Payload.Kind).ToList();
        Assert.Equal(2, kinds.Count(k => k == RecordKind.Commission)); // items, cases; the SSCC's commissioning maps to nothing
        Assert.Equal(4, kinds.Count(k => k == RecordKind.Pack));
        Assert.Equal(1, kinds.Count(k => k == RecordKind.Ship));

        var items = (CommissionPayload)mapped[0].Payload;
        Assert.Equal("0030001012345" + CheckDigit.Compute("0030001012345"), items.Gtin); // urn:epc:id:sgtin:030001.0012345.*
        Assert.Equal("A123", items.Lot);
        Assert.Equal("250327", items.Expiry);
        Assert.Equal(12, items.Serials.Count);

        var ship = (ShipPayload)mapped.Single(m => m.Payload.Kind == RecordKind.Ship).Payload;
        Assert.Equal(wholesaler, ship.ToParty);
        Assert.Equal(ItemScheme.Sscc, Assert.Single(ship.Items).Scheme);
        Assert.Contains(ship.Transactions, t => t.Type == "po" && t.Id == "urn:epcglobal:cbv:bt:0399999999991:XYZPO189");

        var pallet = mapped.Select(m => m.Payload).OfType<PackPayload>().Single(p => p.Parent.Scheme == ItemScheme.Sscc);
        Assert.Equal(3, pallet.Children.Count);
    }

    [Fact]
    public void Map_SameEventTwice_GivesTheSameRecordId()
    {
        var doc = EpcisReader.Read(File.ReadAllText(PharmaExample));
        var context = new TestMappingContext { Parties = { [WholesalerGln] = RecordSamples.Wholesaler.Address } };
        var first = EpcisRecordMapper.Map(doc, context).Select(m => m.ToRecord(RecordSamples.Manufacturer.Address).Id).ToList();
        var again = EpcisRecordMapper.Map(EpcisReader.Read(File.ReadAllText(PharmaExample)), context).Select(m => m.ToRecord(RecordSamples.Manufacturer.Address).Id).ToList();
        Assert.Equal(first, again);
        Assert.Equal(first.Count, first.Distinct().Count());
    }

    [Fact]
    public void Map_ShipToUnknownParty_NamesTheDestinationField()
    {
        var doc = EpcisReader.Read(File.ReadAllText(PharmaExample));
        var ex = Assert.Throws<EpcisMappingException>(() => EpcisRecordMapper.Map(doc, new TestMappingContext()));
        Assert.Equal("party-unknown", ex.Rule);
        Assert.Equal("eventList[7].destinationList.owning_party", ex.Field);
    }

    [Fact]
    public void Map_EventWithNoLedgerMeaning_IsRejectedNamingTheEvent()
    {
        var e = new ObjectEvent
        {
            EventTime = DateTimeOffset.UnixEpoch, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Observe,
            EpcList = [RecordEpcisMapper.Epc(RecordSamples.Pack("1"))], BizStep = Cbv.WebBase + "BizStep-cycle_counting",
        };
        var ex = Assert.Throws<EpcisMappingException>(() => EpcisRecordMapper.Map(e, 3, new TestMappingContext()));
        Assert.Equal("eventList[3]", ex.Field);
        Assert.Equal("unmapped", ex.Rule);
        Assert.Contains("cycle_counting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_CommissioningWithoutLot_NamesTheIlmd()
    {
        var e = new ObjectEvent
        {
            EventTime = DateTimeOffset.UnixEpoch, EventTimeZoneOffset = "+00:00", Action = EpcisAction.Add,
            EpcList = [RecordEpcisMapper.Epc(RecordSamples.Pack("1"))], BizStep = Cbv.WebBase + "BizStep-commissioning",
            BizLocation = new EpcisLocation("https://id.gs1.org/414/" + RecordSamples.Site),
        };
        var ex = Assert.Throws<EpcisMappingException>(() => EpcisRecordMapper.Map(e, 0, new TestMappingContext()));
        Assert.Equal("eventList[0].ilmd", ex.Field);
        Assert.Equal("required", ex.Rule);
    }

    public static TheoryData<EpcisBinding?> Bindings() => [null, EpcisBinding.JsonLd, EpcisBinding.Xml20];

    [Theory]
    [MemberData(nameof(Bindings))]
    public void RecordToEventAndBack_EveryKind_KeepsThePayload(EpcisBinding? binding)
    {
        var context = TestMappingContext.ForSamples();
        var records = RecordSamples.OneOfEachKind();
        var doc = RecordEpcisMapper.ToDocument(records, context, DateTimeOffset.FromUnixTimeMilliseconds(RecordSamples.T0));
        if (binding is { } b)
            doc = EpcisReader.Read(EpcisWriter.Write(doc, b)); // through a real document, as a partner would exchange it
        for (var i = 0; i < records.Count; i++)
        {
            var mapped = Assert.Single(EpcisRecordMapper.Map(doc.Events[i], i, context));
            Assert.Equal(records[i].Kind, mapped.Payload.Kind);
            Assert.Equal(Hex.Encode(Ledger.Protocol.Rlp.Rlp.Encode(records[i].Payload.ToRlp())), Hex.Encode(Ledger.Protocol.Rlp.Rlp.Encode(mapped.Payload.ToRlp())));
            Assert.Equal(records[i].TimeMs, mapped.TimeMs);
        }
    }

    [Fact]
    public void RecordToEpcis12_FeaturesWithoutA12Form_AreNamedNotDropped()
    {
        // EPCIS 1.2 XML (US partners) has no sensor data; everything else of a DSCSA flow must go through 1.2.
        var context = TestMappingContext.ForSamples();
        var records = RecordSamples.OneOfEachKind().Where(r => r.Kind != RecordKind.Observation).ToList();
        var doc = RecordEpcisMapper.ToDocument(records, context, DateTimeOffset.FromUnixTimeMilliseconds(RecordSamples.T0));
        var back = EpcisReader.Read(EpcisWriter.Write(doc, EpcisBinding.Xml1));
        for (var i = 0; i < records.Count; i++)
        {
            var mapped = Assert.Single(EpcisRecordMapper.Map(back.Events[i], i, context));
            Assert.Equal(Hex.Encode(Ledger.Protocol.Rlp.Rlp.Encode(records[i].Payload.ToRlp())), Hex.Encode(Ledger.Protocol.Rlp.Rlp.Encode(mapped.Payload.ToRlp())));
        }
    }
}
