namespace Ledger.Protocol.Gs1;

/// <summary>The notation an identifier was read from.</summary>
public enum Gs1InputForm
{
    /// <summary>Unbracketed element string <c>^…</c> (or raw data with GS separators).</summary>
    ElementString,

    /// <summary>Bracketed human-readable <c>(01)…</c>.</summary>
    Bracketed,

    /// <summary>GS1 Digital Link URI.</summary>
    DigitalLink,

    /// <summary>Scanner output with an AIM symbology identifier.</summary>
    ScanData,

    /// <summary>EPC pure identity URN.</summary>
    EpcUri,
}

/// <summary>
/// Validated GS1 AI data in any of its forms, with typed accessors and conversions. Parse with
/// <see cref="Parse"/> (auto-detects the form) and write any form with the To* methods.
/// </summary>
public sealed class Gs1Identifier
{
    private Gs1Identifier(IReadOnlyList<Gs1Element> elements, Gs1InputForm form, Gs1Symbology symbology, int? companyPrefixLength, Gs1ParseOptions options)
    {
        Elements = elements;
        Form = form;
        Symbology = symbology;
        CompanyPrefixLength = companyPrefixLength;
        Options = options;
    }

    /// <summary>The AI elements in input order.</summary>
    public IReadOnlyList<Gs1Element> Elements { get; }

    /// <summary>The form the input was in.</summary>
    public Gs1InputForm Form { get; }

    /// <summary>The symbology, when the input was scan data; otherwise <see cref="Gs1Symbology.None"/>.</summary>
    public Gs1Symbology Symbology { get; }

    /// <summary>The GS1 Company Prefix length, when known (the input was an EPC URI).</summary>
    public int? CompanyPrefixLength { get; }

    /// <summary>The options used to parse.</summary>
    public Gs1ParseOptions Options { get; }

    /// <summary>AI (01).</summary>
    public Gtin? Gtin => Value("01") is { } v ? Ledger.Protocol.Gs1.Gtin.Parse(v) : null;

    /// <summary>AI (21).</summary>
    public string? Serial => Value("21");

    /// <summary>AI (10).</summary>
    public string? Lot => Value("10");

    /// <summary>AI (17) as a GS1 date (resolve the century with <see cref="Gs1Date.Resolve"/>).</summary>
    public Gs1Date? Expiry => Value("17") is { } v ? Gs1Date.Parse(v, "AI (17)") : null;

    /// <summary>AI (00).</summary>
    public Sscc? Sscc => Value("00") is { } v ? Ledger.Protocol.Gs1.Sscc.Parse(v) : null;

    /// <summary>AI (414), the location GLN.</summary>
    public Gln? Gln => Value("414") is { } v ? Ledger.Protocol.Gs1.Gln.Parse(v) : null;

    /// <summary>AI (01) + (21), when both are present.</summary>
    public Sgtin? Sgtin => Gtin is { } g && Serial is { } s ? new Sgtin(g, s) : null;

    /// <summary>The first value of <paramref name="ai"/>, or null.</summary>
    public string? Value(string ai) => Elements.FirstOrDefault(e => e.Ai == ai)?.Value;

    /// <summary>
    /// Parses any supported form, detected from its start: <c>]</c> scan data, <c>^</c> element string, <c>(</c> bracketed,
    /// <c>http(s)://</c> Digital Link, <c>urn:epc:id:</c> EPC URI; data starting with a digit is read as a raw element
    /// string with GS (0x1D) separators.
    /// </summary>
    /// <exception cref="Gs1FormatException">Malformed input; <see cref="Gs1FormatException.Field"/> and <see cref="Gs1FormatException.Rule"/> say why.</exception>
    public static Gs1Identifier Parse(string input, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        if (string.IsNullOrEmpty(input))
            throw new Gs1FormatException("input", "syntax", "empty input");
        if (input[0] == ']')
        {
            var (symbology, data) = Gs1ScanData.Parse(input, options);
            return new(FromDataString(data, options), Gs1InputForm.ScanData, symbology, null, options);
        }
        if (input[0] == Gs1ElementStrings.Fnc1)
            return new(Gs1ElementStrings.ParseElementString(input, options), Gs1InputForm.ElementString, Gs1Symbology.None, null, options);
        if (input[0] == '(')
            return new(Gs1ElementStrings.ParseBracketed(input, options), Gs1InputForm.Bracketed, Gs1Symbology.None, null, options);
        if (input.StartsWith("urn:", StringComparison.Ordinal))
        {
            var (elements, cpl) = Gs1EpcUri.Parse(input, options);
            return new(elements, Gs1InputForm.EpcUri, Gs1Symbology.None, cpl, options);
        }
        if (input.StartsWith("http", StringComparison.OrdinalIgnoreCase))
            return new(Gs1DigitalLink.Parse(input, options), Gs1InputForm.DigitalLink, Gs1Symbology.None, null, options);
        if (char.IsAsciiDigit(input[0]))
        {
            var es = Gs1ElementStrings.Fnc1 + input.Replace(Gs1ElementStrings.GroupSeparator, Gs1ElementStrings.Fnc1);
            return new(Gs1ElementStrings.ParseElementString(es, options), Gs1InputForm.ElementString, Gs1Symbology.None, null, options);
        }
        throw new Gs1FormatException("input", "syntax", "not a recognised GS1 form (scan data ]xx, ^element string, (bracketed), Digital Link URI, or urn:epc:id:)");
    }

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing <see cref="Gs1FormatException"/>.</summary>
    public static bool TryParse(string? input, out Gs1Identifier? identifier, Gs1ParseOptions? options = null)
    {
        identifier = null;
        if (input is null)
            return false;
        try
        {
            identifier = Parse(input, options);
            return true;
        }
        catch (Gs1FormatException)
        {
            return false;
        }
    }

    /// <summary>Wraps an already-built AI list after validating it.</summary>
    /// <exception cref="Gs1FormatException">The list breaks a rule.</exception>
    public static Gs1Identifier FromElements(IReadOnlyList<Gs1Element> elements, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        Gs1ElementStrings.Validate(elements, options);
        return new([.. elements], Gs1InputForm.ElementString, Gs1Symbology.None, null, options);
    }

    /// <summary>The unbracketed element string, <c>^</c> = FNC1.</summary>
    public string ToElementString() => Gs1ElementStrings.FormatElementString(Elements);

    /// <summary>The raw data as a symbol carries it: no leading FNC1, GS (U+001D) after variable-length AIs.</summary>
    public string ToRawElementString() => Gs1ElementStrings.FormatRaw(Elements);

    /// <summary>The bracketed human-readable form.</summary>
    public string ToBracketed() => Gs1ElementStrings.FormatBracketed(Elements);

    /// <summary>The GS1 Digital Link URI (canonical stem unless <paramref name="stem"/> is given).</summary>
    /// <exception cref="Gs1FormatException">No primary key, or an AI that is not a Digital Link attribute.</exception>
    public string ToDigitalLink(string? stem = null) => Gs1DigitalLink.Generate(Elements, stem, Options);

    /// <summary>Scan data as a reader of <paramref name="symbology"/> delivers it.</summary>
    /// <exception cref="Gs1FormatException">The data cannot be carried by that symbology.</exception>
    public string ToScanData(Gs1Symbology symbology) => Gs1ScanData.Generate(symbology, ToElementString());

    /// <summary>The EPC URI; <paramref name="companyPrefixLength"/> defaults to the one read from an EPC input.</summary>
    /// <exception cref="Gs1FormatException">Rule <c>gcp-length</c> when no length is known, or no SGTIN/SSCC/SGLN key.</exception>
    public string ToEpcUri(int? companyPrefixLength = null) =>
        Gs1EpcUri.Generate(Elements, companyPrefixLength ?? CompanyPrefixLength
            ?? throw new Gs1FormatException("epc-uri", "gcp-length", "the GS1 Company Prefix length is needed for an EPC URI"));

    private static List<Gs1Element> FromDataString(string data, Gs1ParseOptions options)
    {
        if (data.StartsWith(Gs1ElementStrings.Fnc1))
            return [.. Gs1ElementStrings.ParseElementString(data, options)];
        if (data.StartsWith("http", StringComparison.OrdinalIgnoreCase) && data.Contains("://", StringComparison.Ordinal))
            return [.. Gs1DigitalLink.Parse(data, options)];
        var bar = data.IndexOf('|', StringComparison.Ordinal);
        var primary = bar < 0 ? data : data[..bar];
        if (primary.Length is 8 or 13 && Gs1ElementStrings.AllDigits(primary))
        {
            var list = new List<Gs1Element> { new("01", primary.PadLeft(14, '0')) };
            if (bar >= 0)
                list.AddRange(Gs1ElementStrings.ParseElementString(data[(bar + 1)..], options));
            Gs1ElementStrings.Validate(list, options);
            return list;
        }
        throw new Gs1FormatException("scan-data", "scan-data", "the scan carries plain (non-GS1) data");
    }
}
