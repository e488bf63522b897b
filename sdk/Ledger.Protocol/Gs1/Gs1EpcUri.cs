using System.Text;

namespace Ledger.Protocol.Gs1;

/// <summary>
/// EPC pure identity URIs (GS1 EPC Tag Data Standard §6/§7) for SGTIN, SSCC and SGLN:
/// <c>urn:epc:id:sgtin:{CompanyPrefix}.{Indicator}{ItemRef}.{Serial}</c>, <c>urn:epc:id:sscc:{CompanyPrefix}.{Extension}{SerialRef}</c>,
/// <c>urn:epc:id:sgln:{CompanyPrefix}.{LocationRef}.{Extension}</c> (extension <c>0</c> = no AI (254)).
/// The GS1 Company Prefix length (6-12) cannot be derived from a GTIN, so generation takes it as a parameter.
/// </summary>
public static class Gs1EpcUri
{
    private const string Unescaped = "-_.:;=!'()*+,";

    /// <summary>Parses an SGTIN, SSCC or SGLN URN into AI elements and the company-prefix length.</summary>
    /// <exception cref="Gs1FormatException">Field <c>epc-uri</c>, or the AI that is invalid.</exception>
    public static (IReadOnlyList<Gs1Element> Elements, int CompanyPrefixLength) Parse(string urn, Gs1ParseOptions? options = null)
    {
        const string Prefix = "urn:epc:id:";
        if (!urn.StartsWith(Prefix, StringComparison.Ordinal))
            throw Error("must start with urn:epc:id:");
        var colon = urn.IndexOf(':', Prefix.Length);
        if (colon < 0)
            throw Error("missing scheme, e.g. urn:epc:id:sgtin:");
        var scheme = urn[Prefix.Length..colon];
        var body = urn[(colon + 1)..];
        var dot1 = body.IndexOf('.', StringComparison.Ordinal);
        if (dot1 < 0)
            throw Error("missing '.' after the company prefix");
        var cp = body[..dot1];
        if (cp.Length is < 6 or > 12 || !Gs1ElementStrings.AllDigits(cp))
            throw new Gs1FormatException("epc-uri", "gcp-length", $"company prefix '{cp}' must be 6 to 12 digits");
        List<Gs1Element> elements;
        switch (scheme)
        {
            case "sgtin":
            {
                var dot2 = body.IndexOf('.', dot1 + 1);
                if (dot2 < 0)
                    throw Error("sgtin needs CompanyPrefix.IndicatorItemRef.Serial");
                var iir = body[(dot1 + 1)..dot2];
                if (cp.Length + iir.Length != 13 || !Gs1ElementStrings.AllDigits(iir))
                    throw Error("company prefix plus indicator/item reference must be 13 digits");
                var g = iir[0] + cp + iir[1..];
                elements = [new("01", g + CheckDigit.Compute(g)), new("21", Unescape(body[(dot2 + 1)..]))];
                break;
            }
            case "sscc":
            {
                var sr = body[(dot1 + 1)..];
                if (cp.Length + sr.Length != 17 || !Gs1ElementStrings.AllDigits(sr))
                    throw Error("company prefix plus serial reference must be 17 digits");
                var s = sr[0] + cp + sr[1..];
                elements = [new("00", s + CheckDigit.Compute(s))];
                break;
            }
            case "sgln":
            {
                var dot2 = body.IndexOf('.', dot1 + 1);
                if (dot2 < 0)
                    throw Error("sgln needs CompanyPrefix.LocationRef.Extension");
                var lr = body[(dot1 + 1)..dot2];
                if (cp.Length + lr.Length != 12 || (lr.Length > 0 && !Gs1ElementStrings.AllDigits(lr)))
                    throw Error("company prefix plus location reference must be 12 digits");
                var gln = cp + lr;
                elements = [new("414", gln + CheckDigit.Compute(gln))];
                var ext = Unescape(body[(dot2 + 1)..]);
                if (ext != "0")
                    elements.Add(new("254", ext));
                break;
            }
            default:
                throw Error($"unsupported EPC scheme '{scheme}' (sgtin, sscc, sgln)");
        }
        Gs1ElementStrings.Validate(elements, options);
        return (elements, cp.Length);
    }

    /// <summary>
    /// Builds the URN: SGTIN from (01)+(21), else SSCC from (00), else SGLN from (414) with optional (254).
    /// </summary>
    /// <exception cref="Gs1FormatException">Field <c>epc-uri</c>: no suitable key, or rule <c>gcp-length</c>.</exception>
    public static string Generate(IReadOnlyList<Gs1Element> elements, int companyPrefixLength)
    {
        if (companyPrefixLength is < 6 or > 12)
            throw new Gs1FormatException("epc-uri", "gcp-length", $"company prefix length must be 6 to 12, got {companyPrefixLength}");
        string? Get(string ai) => elements.FirstOrDefault(e => e.Ai == ai)?.Value;
        var l = companyPrefixLength;
        if (Get("01") is { } gtin && Get("21") is { } serial)
            return $"urn:epc:id:sgtin:{gtin[1..(1 + l)]}.{gtin[0]}{gtin[(1 + l)..13]}.{Escape(serial)}";
        if (Get("00") is { } sscc)
            return $"urn:epc:id:sscc:{sscc[1..(1 + l)]}.{sscc[0]}{sscc[(1 + l)..17]}";
        if (Get("414") is { } gln)
            return $"urn:epc:id:sgln:{gln[..l]}.{gln[l..12]}.{Escape(Get("254") ?? "0")}";
        throw Error("an EPC URI needs (01)+(21), (00) or (414)");
    }

    /// <summary>Escapes a serial for an EPC URI: A-Z a-z 0-9 and <c>-_.:;=!'()*+,</c> stay; others become %XX.</summary>
    public static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c) || Unescaped.Contains(c, StringComparison.Ordinal))
                sb.Append(c);
            else
                sb.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string Unescape(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                    throw Error("bad %-escape in the URN");
                sb.Append((char)Convert.ToInt32(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (char.IsAsciiLetterOrDigit(c) || Unescaped.Contains(c, StringComparison.Ordinal))
            {
                sb.Append(c);
            }
            else
            {
                throw Error($"character {Gs1Linters.Describe(c)} must be %-escaped in an EPC URI");
            }
        }
        return sb.ToString();
    }

    private static Gs1FormatException Error(string detail) => new("epc-uri", "epc-uri", detail);
}
