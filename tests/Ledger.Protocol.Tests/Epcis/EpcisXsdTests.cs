using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Ledger.Protocol.Epcis;
using Xunit;

namespace Ledger.Protocol.Tests.Epcis;

/// <summary>EPCIS 2.0 XML written by <see cref="EpcisXmlWriter"/> validates against the standard's XSD set (gs1/EPCIS XSD/).</summary>
public class EpcisXsdTests
{
    private static readonly Lazy<XmlSchemaSet> Schemas = new(() =>
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        foreach (var name in new[] { "EPCglobal-epcis-2_0.xsd", "EPCglobal-epcis-query-2_0.xsd" })
        {
            using var reader = XmlReader.Create(EpcisVectors.PathOf("gs1-EPCIS/XSD/" + name), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = new XmlUrlResolver() });
            set.Add(null, reader);
        }
        set.Compile();
        return set;
    });

    private static List<string> Validate(string xml)
    {
        var errors = new List<string>();
        XDocument.Parse(xml).Validate(Schemas.Value, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        return errors;
    }

    [Theory]
    [MemberData(nameof(EpcisRoundTripTests.Sources), MemberType = typeof(EpcisRoundTripTests))]
    public void Write20_ValidExample_ValidatesAgainstXsd(string file)
    {
        var doc = EpcisRoundTripTests.ReadVector(file);
        if (doc.CreationDate is null)
        {
            // The XSD requires creationDate; the source (an openepcis query document) has none and the writer does
            // not invent one, so the only expected error is that missing attribute.
            Assert.Equal(["Error: The required attribute 'creationDate' is missing."], Validate(EpcisXmlWriter.Write20(doc)));
            return;
        }
        var errors = Validate(EpcisXmlWriter.Write20(doc));
        Assert.True(errors.Count == 0, file + ":\n" + string.Join("\n", errors.Take(5)));
    }

    [Fact]
    public void Validate_OriginalExample_Passes()
    {
        // the oracle itself accepts a published 2.0 example
        Assert.Empty(Validate(EpcisVectors.Read("gs1-EPCIS/XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml")));
    }
}
