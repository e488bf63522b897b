using BenchmarkDotNet.Attributes;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;

namespace Ledger.Benchmarks;

/// <summary>EPCIS: parse a small JSON-LD document, hash its event, write it as 2.0 XML.</summary>
[MemoryDiagnoser]
public class EpcisBenchmarks
{
    // STANDARDS.md §2 worked example (RalphTro examples/epcisDocWithSingleEvent.jsonld, trimmed)
    private const string Json = """
        {"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0",
         "creationDate":"2022-02-17T11:30:47.0Z","epcisBody":{"eventList":[{"type":"ObjectEvent",
         "eventTime":"2022-02-16T20:33:31.116000-06:00","eventTimeZoneOffset":"-06:00",
         "epcList":["urn:epc:id:sgtin:0614141.107346.2017","urn:epc:id:sgtin:0614141.107346.2018"],"action":"OBSERVE",
         "bizStep":"shipping","disposition":"in_transit","readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234"},
         "bizTransactionList":[{"type":"po","bizTransaction":"http://transaction.acme.com/po/12345678"}]}]}}
        """;

    private readonly string _json = Json;
    private EpcisDocument _doc = null!;

    [GlobalSetup]
    public void Setup() => _doc = EpcisReader.Read(_json);

    [Benchmark]
    public EpcisDocument ReadJson() => EpcisReader.Read(_json);

    [Benchmark]
    public string HashEvent() => EpcisEventHash.Compute(_doc.Events[0]);

    [Benchmark]
    public string WriteXml20() => EpcisXmlWriter.Write20(_doc);
}
