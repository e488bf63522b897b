namespace Ledger.Protocol.Epcis;

/// <summary>Reads an EPCIS document in any supported binding, detected from its content.</summary>
public static class EpcisReader
{
    /// <summary>Detects the binding: JSON-LD (starts with <c>{</c>), EPCIS 2.0 XML or 1.x XML (by namespace).</summary>
    /// <exception cref="EpcisFormatException">Neither JSON nor XML (rule <c>syntax</c>).</exception>
    public static EpcisBinding Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.AsSpan().TrimStart('\uFEFF').TrimStart();
        if (t.StartsWith("{"))
            return EpcisBinding.JsonLd;
        if (t.StartsWith("<"))
            return text.Contains(EpcisXmlReader.Ns1, StringComparison.Ordinal) || text.Contains(EpcisXmlReader.QueryNs1, StringComparison.Ordinal)
                ? EpcisBinding.Xml1 : EpcisBinding.Xml20;
        throw new EpcisFormatException("$", "syntax", "the document is neither JSON-LD (starting with '{') nor XML (starting with '<')");
    }

    /// <summary>Parses <paramref name="text"/> as JSON-LD or XML (2.0 or 1.x).</summary>
    /// <exception cref="EpcisFormatException">The document is malformed or breaks a rule of the standard.</exception>
    public static EpcisDocument Read(string text) => Read(text, EpcisReadOptions.Strict);

    /// <summary>Parses <paramref name="text"/> as JSON-LD or XML (2.0 or 1.x) with <paramref name="options"/>.</summary>
    /// <exception cref="EpcisFormatException">The document is malformed or breaks a rule of the standard.</exception>
    public static EpcisDocument Read(string text, EpcisReadOptions options) =>
        Detect(text) == EpcisBinding.JsonLd ? EpcisJsonReader.Read(text) : EpcisXmlReader.Read(text.TrimStart('\uFEFF'), options);
}
