namespace Ledger.Protocol.Gs1;

/// <summary>The barcode symbology named by an AIM symbology identifier.</summary>
public enum Gs1Symbology
{
    /// <summary>No or unknown symbology.</summary>
    None,

    /// <summary>QR Code: <c>]Q3</c> GS1 mode, <c>]Q1</c> plain data.</summary>
    Qr,

    /// <summary>Data Matrix: <c>]d2</c> GS1 mode, <c>]d1</c> plain data.</summary>
    DataMatrix,

    /// <summary>DotCode: <c>]J1</c> GS1 mode, <c>]J0</c> plain data.</summary>
    DotCode,

    /// <summary>GS1-128 (<c>]C1</c>); with a composite component the scan is reported as <c>]e0</c>.</summary>
    Gs1Code128,

    /// <summary>GS1 DataBar Expanded (<c>]e0</c>).</summary>
    DataBarExpanded,

    /// <summary>GS1 DataBar Omnidirectional (<c>]e0</c>).</summary>
    DataBarOmni,

    /// <summary>GS1 DataBar Limited (<c>]e0</c>).</summary>
    DataBarLimited,

    /// <summary>EAN-13 (<c>]E0</c>).</summary>
    Ean13,

    /// <summary>EAN-8 (<c>]E4</c>).</summary>
    Ean8,

    /// <summary>UPC-A, transmitted as EAN-13 (<c>]E0</c>).</summary>
    Upca,

    /// <summary>UPC-E, transmitted expanded as EAN-13 (<c>]E0</c>).</summary>
    Upce,
}

/// <summary>
/// Scanner output (AIM symbology identifier + data, GS = FNC1) to and from the engine's "data string": GS1 data as
/// an unbracketed element string <c>^…</c>; plain data as is, with a leading <c>^</c> escaped as <c>\^</c>;
/// EAN/UPC as digits with an optional <c>|^…</c> composite.
/// </summary>
public static class Gs1ScanData
{
    private const char Gs = Gs1ElementStrings.GroupSeparator;

    /// <summary>Splits scan data into its symbology and data string, validating GS1 content.</summary>
    /// <exception cref="Gs1FormatException">Field <c>scan-data</c>, or the AI that is invalid.</exception>
    public static (Gs1Symbology Symbology, string Data) Parse(string scanData, Gs1ParseOptions? options = null)
    {
        if (scanData.Length < 3 || scanData[0] != ']')
            throw Error("must start with an AIM symbology identifier such as ]d2, ]Q3 or ]C1");
        var data = scanData[3..];
        switch (scanData[..3])
        {
            case "]C1": return (Gs1Symbology.Gs1Code128, Gs1Data(data, options));
            case "]e0": return (Gs1Symbology.DataBarExpanded, Gs1Data(data, options));
            case "]d2": return (Gs1Symbology.DataMatrix, Gs1Data(data, options));
            case "]Q3": return (Gs1Symbology.Qr, Gs1Data(data, options));
            case "]J1": return (Gs1Symbology.DotCode, Gs1Data(data, options));
            case "]d1": return (Gs1Symbology.DataMatrix, PlainData(data, options));
            case "]Q1": return (Gs1Symbology.Qr, PlainData(data, options));
            case "]J0": return (Gs1Symbology.DotCode, PlainData(data, options));
            case "]E0": return (Gs1Symbology.Ean13, EanData(data, 13, options));
            case "]E4": return (Gs1Symbology.Ean8, EanData(data, 8, options));
            default: throw Error($"unsupported symbology identifier '{scanData[..3]}'");
        }
    }

    /// <summary>
    /// Builds scan data for <paramref name="symbology"/> from a data string (see the type summary).
    /// <paramref name="addCheckDigit"/> lets EAN/UPC data omit the check digit.
    /// </summary>
    /// <exception cref="Gs1FormatException">Field <c>scan-data</c>: the data cannot be carried by that symbology.</exception>
    public static string Generate(Gs1Symbology symbology, string data, bool addCheckDigit = false)
    {
        switch (symbology)
        {
            case Gs1Symbology.Qr:
            case Gs1Symbology.DataMatrix:
            case Gs1Symbology.DotCode:
                if (data.StartsWith(Gs1ElementStrings.Fnc1))
                    return (symbology switch { Gs1Symbology.Qr => "]Q3", Gs1Symbology.DataMatrix => "]d2", _ => "]J1" }) + ToGs(data);
                var plain = symbology switch { Gs1Symbology.Qr => "]Q1", Gs1Symbology.DataMatrix => "]d1", _ => "]J0" };
                var slashes = data.Length - data.TrimStart('\\').Length;
                return plain + (slashes > 0 && slashes < data.Length && data[slashes] == '^' ? data[1..] : data);
            case Gs1Symbology.Gs1Code128:
            case Gs1Symbology.DataBarExpanded:
            {
                if (!data.StartsWith(Gs1ElementStrings.Fnc1))
                    throw Error("GS1-128 and DataBar Expanded carry only GS1 AI data (^...)");
                var bar = data.IndexOf('|', StringComparison.Ordinal);
                if (bar < 0)
                    return (symbology == Gs1Symbology.Gs1Code128 ? "]C1" : "]e0") + ToGs(data);
                var primary = data[..bar];
                var last = Gs1ElementStrings.ParseElementString(primary, new Gs1ParseOptions { PermitUnknownAis = true, ValidateAssociations = false })[^1];
                return "]e0" + ToGs(primary) + (last.PredefinedLength ? "" : Gs.ToString()) + Composite(data[(bar + 1)..]);
            }
            case Gs1Symbology.DataBarOmni:
            case Gs1Symbology.DataBarLimited:
            {
                var (gtin, composite) = Primary(data, 14, addCheckDigit);
                if (symbology == Gs1Symbology.DataBarLimited && gtin[0] > '1')
                    throw Error("DataBar Limited carries only GTINs with indicator 0 or 1");
                return "]e001" + gtin + (composite is null ? "" : Composite(composite));
            }
            case Gs1Symbology.Ean13:
            case Gs1Symbology.Upca:
            case Gs1Symbology.Upce:
            case Gs1Symbology.Ean8:
            {
                var (len, zeros) = symbology switch { Gs1Symbology.Ean13 => (13, 1), Gs1Symbology.Ean8 => (8, 6), _ => (12, 2) };
                var (gtin, composite) = Primary(data, len, addCheckDigit);
                if (gtin.AsSpan(0, zeros).ContainsAnyExcept('0'))
                    throw Error($"the GTIN {gtin} does not fit {symbology}");
                var prefix = symbology == Gs1Symbology.Ean8 ? "]E4" : "]E0";
                var digits = symbology == Gs1Symbology.Ean8 ? gtin[6..] : gtin[1..];
                return prefix + digits + (composite is null ? "" : "|]e0" + Composite(composite)[0..]);
            }
            default:
                throw Error("no symbology given");
        }
    }

    private static string ToGs(string elementString) => elementString[1..].Replace(Gs1ElementStrings.Fnc1, Gs);

    private static string Composite(string composite)
    {
        if (!composite.StartsWith(Gs1ElementStrings.Fnc1))
            throw Error("the composite component must be GS1 AI data (^...)");
        return ToGs(composite);
    }

    /// <summary>The GTIN-14 of an EAN/UPC/DataBar primary ("^01…" or bare digits) and the composite data string, if any.</summary>
    private static (string Gtin14, string? Composite) Primary(string data, int bareLength, bool addCheckDigit)
    {
        var bar = data.IndexOf('|', StringComparison.Ordinal);
        var primary = bar < 0 ? data : data[..bar];
        var composite = bar < 0 ? null : data[(bar + 1)..];
        string digits;
        if (primary.StartsWith("^01", StringComparison.Ordinal))
        {
            digits = primary[3..];
            if (digits.Length != 14)
                throw Error("the primary must be (01) with 14 digits");
        }
        else
        {
            digits = primary;
            if (addCheckDigit && digits.Length == bareLength - 1 && Gs1ElementStrings.AllDigits(digits))
                digits += CheckDigit.Compute(digits);
            if (digits.Length != bareLength)
                throw Error($"the primary must be {bareLength} digits");
        }
        if (!CheckDigit.IsValid(digits))
            throw Error($"'{digits}' is not digits with a valid check digit");
        return (digits.PadLeft(14, '0'), composite);
    }

    private static string Gs1Data(string data, Gs1ParseOptions? options)
    {
        if (data.Length == 0)
            throw Error("no GS1 data after the symbology identifier");
        if (data.Contains(Gs1ElementStrings.Fnc1, StringComparison.Ordinal))
            throw Error("'^' is not allowed in GS1 data");
        var s = Gs1ElementStrings.Fnc1 + data.Replace(Gs, Gs1ElementStrings.Fnc1);
        Gs1ElementStrings.ParseElementString(s, options);
        return s;
    }

    private static string PlainData(string data, Gs1ParseOptions? options)
    {
        if (data.StartsWith("https://", StringComparison.Ordinal) || data.StartsWith("http://", StringComparison.Ordinal)
            || data.StartsWith("HTTPS://", StringComparison.Ordinal) || data.StartsWith("HTTP://", StringComparison.Ordinal))
        {
            Gs1DigitalLink.Parse(data, options);
            return data;
        }
        var slashes = data.Length - data.TrimStart('\\').Length;
        return slashes < data.Length && data[slashes] == '^' ? "\\" + data : data;
    }

    private static string EanData(string data, int length, Gs1ParseOptions? options)
    {
        var bar = data.IndexOf('|', StringComparison.Ordinal);
        var primary = bar < 0 ? data : data[..bar];
        if (primary.Length != length || !Gs1ElementStrings.AllDigits(primary))
            throw Error($"EAN-{length} data must be {length} digits");
        if (Gs1Linters.Csum(primary) is { } e)
            throw new Gs1FormatException("scan-data", e.Rule, e.Message, "GS1_LINTER_" + e.Code);
        if (bar < 0)
            return primary;
        var composite = data[(bar + 1)..];
        if (!composite.StartsWith("]e0", StringComparison.Ordinal))
            throw Error("a composite component must start with ]e0");
        return primary + "|" + Gs1Data(composite[3..], options);
    }

    private static Gs1FormatException Error(string detail) => new("scan-data", "scan-data", detail);
}
