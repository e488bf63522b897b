using System.Text.Json;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;
using Xunit;

namespace Ledger.Protocol.Tests.Epcis;

/// <summary>openepcis hash_equivalence_pairs.json and the Invalid capture documents.</summary>
public class OpenEpcisTests
{
    private const string Base = "openepcis-test-resources/";

    public static TheoryData<string, string, string?, string> Pairs()
    {
        using var doc = JsonDocument.Parse(EpcisVectors.Read(Base + "hash_equivalence_pairs.json"));
        var data = new TheoryData<string, string, string?, string>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("test").GetString()!, c.GetProperty("a").GetString()!,
                c.TryGetProperty("b", out var b) ? b.GetString() : null, c.GetProperty("expect").GetString()!);
        return data;
    }

    /// <summary>
    /// JumbledFieldsOrder.xml (capture and query) shuffles the XML elements of its events, which the XSD forbids; it is
    /// read with <see cref="EpcisReadOptions.LenientXmlOrder"/> here (the strict reader rejects it: see
    /// Read_JumbledXml_StrictOrderRejects).
    /// </summary>
    private static EpcisReadOptions OptionsFor(string path) =>
        path.EndsWith("JumbledFieldsOrder.xml", StringComparison.Ordinal) ? EpcisReadOptions.LenientXmlOrder : EpcisReadOptions.Strict;

    private static EpcisDocument Doc(string path) => EpcisReader.Read(EpcisVectors.Read(Base + path), OptionsFor(path));

    private static IReadOnlyList<string> Hashes(string path) => EpcisEventHash.ComputeAll(Doc(path));

    [Theory]
    [InlineData("2.0/EPCIS/XML/Capture/Documents/JumbledFieldsOrder.xml", "epcisBody.eventList[0].eventTimeZoneOffset")]
    [InlineData("2.0/EPCIS/XML/Query/JumbledFieldsOrder.xml", "epcisBody.queryResults.resultsBody.eventList[0].eventTimeZoneOffset")]
    public void Read_JumbledXml_StrictOrderRejects(string path, string field)
    {
        var ex = Assert.Throws<EpcisFormatException>(() => EpcisReader.Read(EpcisVectors.Read(Base + path)));
        Assert.Equal((field, "order"), (ex.Field, ex.Rule));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void ComputeAll_EquivalencePair_SameHashList(string test, string a, string? b, string expect)
    {
        var ha = Hashes(a);
        if (b is null)
        {
            var count = int.Parse(expect.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(count == ha.Count, $"{test}: expected {count} hash IDs, got {ha.Count}");
            Assert.Equal(ha.Count, ha.Distinct().Count());
            return;
        }
        var hb = Hashes(b);
        if (!ha.SequenceEqual(hb))
        {
            var da = Doc(a);
            var db = Doc(b);
            var i = Enumerable.Range(0, Math.Min(ha.Count, hb.Count)).FirstOrDefault(k => ha[k] != hb[k]);
            var pa = EpcisEventHash.PreHash(da.Events[i]);
            var pb = EpcisEventHash.PreHash(db.Events[i]);
            var at = Math.Max(0, Enumerable.Range(0, Math.Min(pa.Length, pb.Length)).FirstOrDefault(k => pa[k] != pb[k]) - 60);
            Assert.Fail($"{test}: {ha.Count} vs {hb.Count} events; first difference in event {i}\n a: …{pa[at..]}\n b: …{pb[at..]}");
        }
    }

    [Fact]
    public void Pairs_File_Has33Assertions() => Assert.Equal(33, Pairs().Count);

    /// <summary>Each invalid file with the field and rule its name describes.</summary>
    public static TheoryData<string, string, string> InvalidDocuments() => new()
    {
        { "JSON/Capture/Invalid/Combination_of_events_with_missing_mandatory_fields.json", "epcisBody.eventList[0].action", "required" },
        { "JSON/Capture/Invalid/Combination_of_multiple_invalid_fields.json", "epcisBody.eventList[0].bizStep", "enum" },
        { "JSON/Capture/Invalid/Combination_of_non_standard_bizStep_and_disposition.json", "epcisBody.eventList[0].bizStep", "enum" },
        { "JSON/Capture/Invalid/EPCISDocument_without_context.json", "@context", "required" },
        { "JSON/Capture/Invalid/ObjectEvent_with_ilmd_field_without_namespace.json", "epcisBody.eventList[0].ilmd.materialType", "namespace" },
        { "JSON/Capture/Invalid/ObjectEvent_with_invalid_action.json", "epcisBody.eventList[0].action", "enum" },
        { "JSON/Capture/Invalid/ObjectEvent_with_invalid_certificationInfo.json", "epcisBody.eventList[0].certificationInfo[0]", "type" },
        { "JSON/Capture/Invalid/ObjectEvent_with_invalid_eventTime_format.json", "epcisBody.eventList[0].eventTime", "format" },
        { "JSON/Capture/Invalid/ObjectEvent_with_non_standard_bizStep.json", "epcisBody.eventList[0].bizStep", "enum" },
        { "JSON/Capture/Invalid/ObjectEvent_with_non_standard_bizStep_in_second_event.json", "epcisBody.eventList[1].bizStep", "enum" },
        { "JSON/Capture/Invalid/ObjectEvent_with_non_standard_disposition.json", "epcisBody.eventList[0].disposition", "enum" },
        { "JSON/Capture/Invalid/ObjectEvent_with_quantity_as_text.json", "epcisBody.eventList[0].quantityList[0].quantity", "type" },
        { "JSON/Capture/Invalid/ObjectEvent_with_unknown_field_in_quantityList.json", "epcisBody.eventList[0].quantityList[0].weight", "unknown-field" },
        { "JSON/Capture/Invalid/ObjectEvent_without_action_and_eventTime.json", "epcisBody.eventList[0].eventTime", "required" },
        { "JSON/Capture/Invalid/ObjectEvent_without_identifier_list.json", "epcisBody.eventList[0].epcList", "required" },
        { "XML/Capture/Invalid/ObjectEvent_bare_event_without_action.xml", "event.action", "required" },
        { "XML/Capture/Invalid/ObjectEvent_with_invalid_action.xml", "epcisBody.eventList[0].action", "enum" },
        { "XML/Capture/Invalid/ObjectEvent_with_invalid_eventTime_format.xml", "epcisBody.eventList[0].eventTime", "format" },
        { "XML/Capture/Invalid/ObjectEvent_with_near_miss_action.xml", "epcisBody.eventList[0].action", "enum" },
        { "XML/Capture/Invalid/ObjectEvent_with_unknown_element.xml", "epcisBody.eventList[0].madeUpField", "unknown-field" },
        { "XML/Capture/Invalid/ObjectEvent_with_wrong_element_order.xml", "epcisBody.eventList[0].eventTime", "order" },
        { "XML/Capture/Invalid/ObjectEvent_without_eventTime.xml", "epcisBody.eventList[0].eventTime", "required" },
    };

    [Theory]
    [MemberData(nameof(InvalidDocuments))]
    public void Read_InvalidDocument_RejectedWithFieldAndRule(string file, string field, string rule)
    {
        var ex = Assert.Throws<EpcisFormatException>(() => EpcisReader.Read(EpcisVectors.Read(Base + "2.0/EPCIS/" + file)));
        Assert.Equal((field, rule), (ex.Field, ex.Rule));
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidDocuments_CoverEveryInvalidFile()
    {
        var listed = InvalidDocuments().Select(r => (string)r[0]).Order(StringComparer.Ordinal).ToList();
        var onDisk = EpcisVectors.Files(Base + "2.0/EPCIS/JSON/Capture/Invalid", ".json")
            .Concat(EpcisVectors.Files(Base + "2.0/EPCIS/XML/Capture/Invalid", ".xml"))
            .Select(f => f[(Base.Length + "2.0/EPCIS/".Length)..]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(onDisk, listed);
    }
}
