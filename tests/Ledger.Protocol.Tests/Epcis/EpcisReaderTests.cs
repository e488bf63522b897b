using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;
using Xunit;

namespace Ledger.Protocol.Tests.Epcis;

public class EpcisReaderTests
{
    /// <summary>Files in the valid example trees that are not EPCIS documents, with the reason.</summary>
    private static readonly Dictionary<string, string> NotDocuments = new(StringComparer.Ordinal)
    {
        ["gs1-EPCIS/XML/CaptureJob/Example-CaptureJobRunning.xml"] = "EPCISCaptureJob status document of the REST binding, not an EPCIS document",
        ["gs1-EPCIS/XML/CaptureJob/Example-CaptureJobSuccess.xml"] = "EPCISCaptureJob status document of the REST binding, not an EPCIS document",
        ["gs1-EPCIS/XML/CaptureJob/Example-CaptureJobWithErrorFile.xml"] = "EPCISCaptureJob status document of the REST binding, not an EPCIS document",
        ["gs1-EPCIS/XML/CaptureJob/Example-CaptureJobWithErrors.xml"] = "EPCISCaptureJob status document of the REST binding, not an EPCIS document",
        ["gs1-EPCIS/epcis-context.jsonld"] = "the JSON-LD context itself",
        ["gs1-EPCIS/XML/CBV/CBV-11.4-2020-06-16a.xml"] = "EPCISMasterDataDocument (master data only, no events)",
        ["gs1-EPCIS/XML/Mimasu/Example-masterData.xml"] = "EPCISMasterDataDocument (master data only, no events)",
    };

    public static TheoryData<string> ValidDocuments() => new(ValidDocumentList());

    internal static List<string> ValidDocumentList()
    {
        var data = new List<string>();
        foreach (var f in EpcisVectors.Files("gs1-EPCIS", ".json", ".jsonld", ".xml")
                     .Concat(EpcisVectors.Files("hash-RalphTro", ".xml", ".jsonld"))
                     .Concat(EpcisVectors.Files("hash-RalphTro/expected_equal", ".json"))
                     .Concat(EpcisVectors.Files("openepcis-test-resources/2.0", ".json", ".xml").Where(f => !f.Contains("/Invalid/", StringComparison.Ordinal)))
                     .Concat(EpcisVectors.Files("openepcis-test-resources/1.2", ".xml")))
            if (!NotDocuments.ContainsKey(f))
                data.Add(f);
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidDocuments))]
    public void Read_ValidExample_ParsesWithEvents(string file)
    {
        var options = file.EndsWith("JumbledFieldsOrder.xml", StringComparison.Ordinal) ? EpcisReadOptions.LenientXmlOrder : EpcisReadOptions.Strict;
        var doc = EpcisReader.Read(EpcisVectors.Read(file), options);
        if (file.EndsWith("masterdata_all_possible_fields.xml", StringComparison.Ordinal))
        {
            Assert.NotEmpty(doc.MasterData); // an EPCISDocument that carries master data and no events
            return;
        }
        Assert.NotEmpty(doc.Events);
        foreach (var e in doc.Events)
            Assert.StartsWith("ni:///sha-256;", EpcisEventHash.Compute(e), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PharmaExample_ExposesDscsaFields()
    {
        // GS1 US guideline §2.2.1.1 (STANDARDS.md §1): 3× commissioning/active with lot+expiry, 4× packing, 1× shipping
        var doc = EpcisReader.Read(EpcisVectors.Read("openepcis-test-resources/1.2/EPCIS/XML/Capture/Documents/GS1_US_Pharma_Example_2_2_1_1.xml"));
        Assert.Equal("1.2", doc.SchemaVersion);
        Assert.Equal(8, doc.Events.Count);
        var commissioning = doc.Events.OfType<ObjectEvent>().Where(e => e.BizStepShortName == "commissioning").ToList();
        Assert.Equal(3, commissioning.Count);
        var items = commissioning.Where(e => e.EpcList.All(x => x.StartsWith("urn:epc:id:sgtin:", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, items.Count); // the third commissions the pallet SSCC and has no ILMD
        Assert.All(items, e =>
        {
            Assert.Equal("active", e.DispositionShortName);
            Assert.NotNull(EpcisIlmd.LotNumber(e));
            Assert.NotNull(EpcisIlmd.ItemExpirationDate(e));
        });
        var packing = doc.Events.OfType<AggregationEvent>().ToList();
        Assert.Equal(4, packing.Count);
        Assert.All(packing, e => Assert.Equal(("packing", "in_progress", EpcisAction.Add), (e.BizStepShortName, e.DispositionShortName, e.Action)));
        Assert.Contains(packing, e => e.ParentId == "urn:epc:id:sscc:030001.41234567890");
        var shipping = Assert.Single(doc.Events, e => e.BizStepShortName == "shipping");
        Assert.Equal("in_transit", shipping.DispositionShortName);
        Assert.Contains(shipping.SourceList, s => s.TypeShortName == "owning_party");
        Assert.Contains(shipping.DestinationList, s => s.TypeShortName == "owning_party");
        Assert.NotEmpty(doc.Header);
        Assert.NotEmpty(doc.MasterData);
    }

    [Theory]
    [InlineData("shipping", "https://ref.gs1.org/cbv/BizStep-shipping")]
    [InlineData("cbv:BizStep-shipping", "https://ref.gs1.org/cbv/BizStep-shipping")]
    [InlineData("https://ref.gs1.org/cbv/BizStep-shipping", "https://ref.gs1.org/cbv/BizStep-shipping")]
    [InlineData("urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping")]
    [InlineData("http://epcis.example.com/user/vocab/bizstep/exampling", "http://epcis.example.com/user/vocab/bizstep/exampling")]
    public void Normalize_BizStepSpellings_CanonicalWebUri(string input, string expected)
    {
        Assert.Equal(expected, Cbv.Normalize(CbvVocabulary.BizStep, input, "bizStep"));
    }

    [Theory]
    [InlineData("transforming")]
    [InlineData("urn:epcglobal:cbv:bizstep:transforming")]
    [InlineData("cbv:BizStep-transforming")]
    public void Normalize_NonCbvBizStep_ThrowsEnum(string input)
    {
        var ex = Assert.Throws<EpcisFormatException>(() => Cbv.Normalize(CbvVocabulary.BizStep, input, "x.bizStep"));
        Assert.Equal(("x.bizStep", "enum"), (ex.Field, ex.Rule));
    }

    [Fact]
    public void Read_EventTimeWithOffset_KeepsOffset()
    {
        var doc = EpcisReader.Read(EpcisVectors.Read("hash-RalphTro/examples/epcisDocWithSingleEvent.jsonld"));
        var e = doc.Events[0];
        Assert.Equal(TimeSpan.FromHours(-6), e.EventTime.Offset);
        Assert.Equal("-06:00", e.EventTimeZoneOffset);
    }

    [Theory]
    [InlineData("not json or xml", "$", "syntax")]
    [InlineData("{\"@context\": [", "$", "syntax")]
    [InlineData("<EPCISDocument", "$", "syntax")]
    [InlineData("<x:EPCISDocument xmlns:x=\"urn:other\"/>", "$", "namespace")]
    public void Read_Malformed_ThrowsSyntaxOrNamespace(string text, string field, string rule)
    {
        var ex = Assert.Throws<EpcisFormatException>(() => EpcisReader.Read(text));
        Assert.Equal((field, rule), (ex.Field, ex.Rule));
    }
}

public class EpcisValidationTests
{
    private static string Doc(string eventJson) =>
        "{\"@context\":[\"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld\",{\"ex\":\"https://ns.example.com/\"}]," +
        "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":\"2024-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[" + eventJson + "]}}";

    private const string Head = "\"eventTime\":\"2024-01-01T10:00:00.000+01:00\",\"eventTimeZoneOffset\":\"+01:00\"";

    [Theory]
    [InlineData("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"ADD\",\"epcList\":[\"not a uri\"]}", "epcisBody.eventList[0].epcList[0]", "pattern")]
    [InlineData("{\"type\":\"AggregationEvent\"," + Head + ",\"action\":\"ADD\",\"childEPCs\":[\"urn:epc:id:sgtin:0614141.107346.1\"]}", "epcisBody.eventList[0].parentID", "required")]
    [InlineData("{\"type\":\"TransformationEvent\"," + Head + "}", "epcisBody.eventList[0].inputEPCList", "required")]
    [InlineData("{\"type\":\"TransactionEvent\"," + Head + ",\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"]}", "epcisBody.eventList[0].bizTransactionList", "required")]
    [InlineData("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"ADD\",\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.998877\",\"uom\":\"KGM\"}]}", "epcisBody.eventList[0].quantityList[0].quantity", "required")]
    [InlineData("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"ADD\",\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:4012345.012345.998877\",\"quantity\":1,\"uom\":\"kg\"}]}", "epcisBody.eventList[0].quantityList[0].uom", "pattern")]
    [InlineData("{\"type\":\"ObjectEvent\",\"eventTime\":\"2024-01-01T10:00:00+01:00\",\"eventTimeZoneOffset\":\"+1:00\",\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"]}", "epcisBody.eventList[0].eventTimeZoneOffset", "pattern")]
    [InlineData("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],\"foo:bar\":1}", "epcisBody.eventList[0].foo:bar", "namespace")]
    [InlineData("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],\"childEPCs\":[]}", "epcisBody.eventList[0].childEPCs", "unknown-field")]
    [InlineData("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],\"sourceList\":[{\"type\":\"place\",\"source\":\"urn:epc:id:pgln:0614141.00001\"}]}", "epcisBody.eventList[0].sourceList[0].type", "enum")]
    [InlineData("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"ADD\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],\"bizTransactionList\":[{\"type\":\"invoice\",\"bizTransaction\":\"urn:x:1\"}]}", "epcisBody.eventList[0].bizTransactionList[0].type", "enum")]
    [InlineData("{\"type\":\"Event\"," + Head + "}", "epcisBody.eventList[0].type", "enum")]
    public void Read_RuleBroken_ThrowsFieldAndRule(string eventJson, string field, string rule)
    {
        var ex = Assert.Throws<EpcisFormatException>(() => EpcisJsonReader.Read(Doc(eventJson)));
        Assert.Equal((field, rule), (ex.Field, ex.Rule));
    }

    [Fact]
    public void Read_UserVocabularyBizStepAndExtension_Accepted()
    {
        var doc = EpcisJsonReader.Read(Doc("{\"type\":\"ObjectEvent\"," + Head + ",\"action\":\"OBSERVE\",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"],\"bizStep\":\"https://example.com/bizstep/weighing\",\"ex:weight\":12.5}"));
        var e = Assert.Single(doc.Events);
        Assert.Equal("https://example.com/bizstep/weighing", e.BizStep);
        Assert.Null(e.BizStepShortName);
        var x = Assert.Single(e.Extensions);
        Assert.Equal(("https://ns.example.com/", "weight", "12.5", EpcisValueKind.Number), (x.Namespace, x.LocalName, x.Value, x.Kind));
    }
}

public class EpcisXmlSafetyTests
{
    [Fact]
    public void Read_XmlWithDtdEntity_NotExpandedRejectedAsSyntax()
    {
        const string xml = "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY lol \"lol\">]><epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\" creationDate=\"2024-01-01T00:00:00Z\"><EPCISBody><EventList>&lol;</EventList></EPCISBody></epcis:EPCISDocument>";
        var ex = Assert.Throws<EpcisFormatException>(() => EpcisReader.Read(xml));
        Assert.Equal(("$", "syntax"), (ex.Field, ex.Rule));
    }
}
