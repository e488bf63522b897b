using Xunit;
using static Ledger.Engine.Tests.Epcis.EpcisQueryTestKit;

namespace Ledger.Engine.Tests.Epcis;

/// <summary>
/// Queries over the published GS1 EPCIS 2.0 example documents (gs1/EPCIS JSON/…, copied verbatim under
/// vectors/epcis/gs1-EPCIS; origins in tests/vectors/epcis/README.md), read through the project's EPCIS reader.
/// Each case names the events (by index in the document) the query must select.
/// </summary>
public sealed class EpcisQueryVectorTests
{
    public static TheoryData<string, string, string, int[]> Cases => new()
    {
        // Example_9.6.1: two ObjectEvents on urn:epc:id:sgtin:0614141.107346.{2017,2018}
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_bizStep", "shipping", [0] },
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_bizStep", "urn:epcglobal:cbv:bizstep:receiving", [1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_disposition", "https://ref.gs1.org/cbv/Disp-in_progress", [1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "MATCH_epc", "https://id.gs1.org/01/10614141073464/21/2018", [0, 1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "MATCH_epc", "https://id.gs1.org/01/10614141073464/21/2017", [0] },
        { "Example_9.6.1-ObjectEvent.jsonld", "MATCH_epc", "urn:epc:idpat:sgtin:0614141.*.*", [0, 1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "MATCH_epc", "urn:epc:idpat:sgtin:0614142.*.*", [] },
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_readPoint", "https://id.gs1.org/414/0614141073467/254/1234", [0] },
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_bizLocation", "urn:epc:id:sgln:0012345.11111.0", [1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_bizTransaction_po", "http://transaction.acme.com/po/12345678", [0, 1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_bizTransaction_desadv", "urn:epcglobal:cbv:bt:0614141073467:1152", [1] },
        // the first event is at 2005-04-03T20:33:31.116-06:00 = 2005-04-04T02:33:31.116Z: GE is inclusive
        { "Example_9.6.1-ObjectEvent.jsonld", "GE_eventTime", "2005-04-04T02:33:31.116Z", [0, 1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "GE_eventTime", "2005-04-04T02:33:31.117Z", [1] },
        { "Example_9.6.1-ObjectEvent.jsonld", "LT_eventTime", "2005-04-03T20:33:31.117-06:00", [0] },
        { "Example_9.6.1-ObjectEvent.jsonld", "EQ_eventID", "ni:///sha-256;00e1e6eba3a7cc6125be4793a631f0af50f8322e0ab5f2c0bab994a11cec1d79?ver=CBV2.0", [1] },
        // the same example written with Digital Links (GTIN 70614141123451 = urn:epc:id:sgtin:0614141.712345.*)
        { "WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld", "MATCH_epc", "urn:epc:id:sgtin:0614141.712345.2017", [0] },
        { "WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld", "MATCH_anyEPC", "urn:epc:idpat:sgtin:0614141.712345.*", [0, 1] },
        { "WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld", "MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017", [] },
        // Example_9.6.2: quantities, sources and destinations
        { "Example_9.6.2-ObjectEvent.jsonld", "MATCH_epcClass", "https://id.gs1.org/01/04012345123456/10/998877", [0] },
        { "Example_9.6.2-ObjectEvent.jsonld", "MATCH_epcClass", "urn:epc:idpat:sgtin:4012345.012345.*", [0] },
        { "Example_9.6.2-ObjectEvent.jsonld", "MATCH_epc", "urn:epc:idpat:sgtin:4012345.012345.*", [] },
        { "Example_9.6.2-ObjectEvent.jsonld", "EQ_source_possessing_party", "https://id.gs1.org/414/4012345000016", [0] },
        { "Example_9.6.2-ObjectEvent.jsonld", "EQ_source_owning_party", "urn:epc:id:sgln:4012345.00001.0", [] },
        { "Example_9.6.2-ObjectEvent.jsonld", "EQ_destination_location", "urn:epc:id:sgln:0614141.00777.0", [0] },
        // Example_9.6.3: an AggregationEvent with an SSCC parent and class-level children
        { "Example_9.6.3-AggregationEvent.jsonld", "MATCH_parentID", "urn:epc:idpat:sscc:0614141.*", [0] },
        { "Example_9.6.3-AggregationEvent.jsonld", "MATCH_epc", "urn:epc:idpat:sscc:0614141.*", [] },
        { "Example_9.6.3-AggregationEvent.jsonld", "MATCH_anyEPC", "urn:epc:idpat:sscc:0614141.*", [0] },
        { "Example_9.6.3-AggregationEvent.jsonld", "MATCH_epcClass", "urn:epc:idpat:sgtin:4012345.098765.*", [0] },
        { "Example_9.6.3-AggregationEvent.jsonld", "MATCH_epcClass", "urn:epc:class:lgtin:4012345.012345.998877", [0] },
        { "Example_9.6.3-AggregationEvent.jsonld", "EQ_action", "OBSERVE", [0] },
        { "Example_9.6.3-AggregationEvent.jsonld", "EQ_action", "ADD", [] },
        // Example_9.6.4: a TransformationEvent with ILMD
        { "Example_9.6.4-TransformationEvent.jsonld", "MATCH_inputEPC", "urn:epc:idpat:sgtin:4000001.*.*", [0] },
        { "Example_9.6.4-TransformationEvent.jsonld", "MATCH_outputEPC", "urn:epc:idpat:sgtin:4000001.*.*", [] },
        { "Example_9.6.4-TransformationEvent.jsonld", "MATCH_outputEPC", "urn:epc:id:sgtin:4012345.077889.27", [0] },
        { "Example_9.6.4-TransformationEvent.jsonld", "MATCH_inputEPCClass", "urn:epc:class:lgtin:0614141.077777.987", [0] },
        { "Example_9.6.4-TransformationEvent.jsonld", "MATCH_outputEPCClass", "urn:epc:class:lgtin:0614141.077777.987", [] },
        { "Example_9.6.4-TransformationEvent.jsonld", "EQ_ILMD_batch", "XYZ", [0] },
        { "Example_9.6.4-TransformationEvent.jsonld", "EQ_ILMD_http://ns.example.com/epcis/#bestBeforeDate", "2014-12-10", [0] },
        { "Example_9.6.4-TransformationEvent.jsonld", "eventType", "ObjectEvent|AggregationEvent", [] },
        // error declarations: the first of two TransformationEvents declares an error
        { "WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld", "EXISTS_errorDeclaration", "", [0] },
        { "WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld", "EQ_errorReason", "incorrect_data", [0] },
        { "WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld", "EQ_correctiveEventID", "urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8", [0] },
        { "WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld", "EQ_eventID", "urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8", [1] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Query_OverPublishedExample_SelectsExpectedEvents(string document, string name, string value, int[] expected)
    {
        var events = ReadVector(["gs1-EPCIS", "JSON", .. document.Split('/')]);
        var q = Q((name, value));
        var selected = Enumerable.Range(0, events.Count).Where(i => q.Matches(events[i])).ToArray();
        Assert.Equal(expected, selected);
    }
}
