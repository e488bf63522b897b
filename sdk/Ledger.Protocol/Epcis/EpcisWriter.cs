namespace Ledger.Protocol.Epcis;

/// <summary>Writes an EPCIS document in the chosen binding.</summary>
public static class EpcisWriter
{
    /// <summary>
    /// <see cref="EpcisBinding.JsonLd"/> → EPCIS 2.0 JSON-LD, <see cref="EpcisBinding.Xml20"/> → EPCIS 2.0 XML,
    /// <see cref="EpcisBinding.Xml1"/> → EPCIS 1.2 XML.
    /// </summary>
    /// <exception cref="EpcisUnsupportedFeatureException">EPCIS 1.2 cannot carry a 2.0-only feature of the document.</exception>
    public static string Write(EpcisDocument doc, EpcisBinding binding) => binding switch
    {
        EpcisBinding.JsonLd => EpcisJsonWriter.Write(doc),
        EpcisBinding.Xml20 => EpcisXmlWriter.Write20(doc),
        EpcisBinding.Xml1 => EpcisXmlWriter.Write12(doc),
        _ => throw new ArgumentOutOfRangeException(nameof(binding)),
    };
}
