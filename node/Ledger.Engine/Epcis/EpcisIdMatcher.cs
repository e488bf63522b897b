using Ledger.Protocol.Gs1;

namespace Ledger.Engine.Epcis;

/// <summary>
/// One value of a MATCH_* parameter: an exact identifier (compared by canonical key) or an EPC pattern
/// (<c>urn:epc:idpat:sgtin:CP.IIR.*</c>, <c>CP.*.*</c>, <c>*.*.*</c>; <c>sscc:CP.*</c>; <c>sgln:CP.LR.*</c>, <c>CP.*.*</c>),
/// which matches canonical Digital Links by GS1 key, company-prefix digits and qualifier.
/// </summary>
internal sealed class EpcisIdMatcher
{
    private const string PatternPrefix = "urn:epc:idpat:";

    private enum QualifierRule
    {
        Any,
        Serial,
        ClassLevel,
    }

    private readonly string? _exact;
    private readonly string? _ai;
    private readonly string? _key;
    private readonly string? _companyPrefix;
    private readonly int _prefixOffset;
    private readonly QualifierRule _qualifier;

    private EpcisIdMatcher(string exact)
    {
        _exact = exact;
        Description = "=" + exact;
    }

    private EpcisIdMatcher(string ai, string? key, string? companyPrefix, int prefixOffset, QualifierRule qualifier)
    {
        _ai = ai;
        _key = key;
        _companyPrefix = companyPrefix;
        _prefixOffset = prefixOffset;
        _qualifier = qualifier;
        Description = $"~{ai}/{key}/{companyPrefix}/{qualifier}";
    }

    /// <summary>A stable text form of what this matcher selects (equal for equivalent spellings).</summary>
    public string Description { get; }

    public bool Matches(in EpcisIdKey id)
    {
        if (_exact is not null)
            return string.Equals(_exact, id.Canonical, StringComparison.Ordinal);
        if (!string.Equals(_ai, id.Ai, StringComparison.Ordinal) || id.Key is null)
            return false;
        if (_key is not null && !string.Equals(_key, id.Key, StringComparison.Ordinal))
            return false;
        if (_companyPrefix is not null
            && (id.Key.Length < _prefixOffset + _companyPrefix.Length
                || string.CompareOrdinal(id.Key, _prefixOffset, _companyPrefix, 0, _companyPrefix.Length) != 0))
            return false;
        return _qualifier switch
        {
            QualifierRule.Serial => id.QualifierAi == "21",
            QualifierRule.ClassLevel => id.QualifierAi is null or "10",
            _ => true,
        };
    }

    /// <summary>Parses one value; <paramref name="classLevel"/> for MATCH_*EPCClass (quantity elements).</summary>
    public static EpcisIdMatcher Parse(string value, string parameter, bool classLevel)
    {
        var v = value.Trim();
        if (v.Length == 0)
            throw new EpcisQueryException(parameter, "empty", "an empty value is not an identifier");
        if (v.StartsWith(PatternPrefix, StringComparison.Ordinal))
            return ParsePattern(v, parameter, classLevel);
        if (!v.Contains(':', StringComparison.Ordinal))
            throw new EpcisQueryException(parameter, "uri",
                $"'{v}' is not a URI (use an EPC URN like urn:epc:id:sgtin:0614141.107346.2017 or a GS1 Digital Link)");
        var key = EpcisIdKey.From(v);
        if (key.Ai is null)
        {
            if (v.StartsWith("urn:epc:", StringComparison.Ordinal)
                || v.StartsWith("https://id.gs1.org/", StringComparison.OrdinalIgnoreCase)
                || v.StartsWith("http://id.gs1.org/", StringComparison.OrdinalIgnoreCase))
                throw new EpcisQueryException(parameter, "epc", $"'{v}' is not a valid EPC URN or GS1 Digital Link");
            return new EpcisIdMatcher(key.Canonical);
        }
        // A GTIN without lot or serial names the whole class (every lot) when matching quantity elements.
        if (classLevel && key.Ai == "01" && key.QualifierAi is null)
            return new EpcisIdMatcher("01", key.Key, null, 0, QualifierRule.ClassLevel);
        return new EpcisIdMatcher(key.Canonical);
    }

    private static EpcisIdMatcher ParsePattern(string v, string parameter, bool classLevel)
    {
        var rest = v[PatternPrefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? rest : rest[..colon];
        var parts = colon < 0 ? [] : rest[(colon + 1)..].Split('.');
        EpcisQueryException Bad(string detail) => new(parameter, "epc-pattern", $"'{v}': {detail}");
        int expected = scheme switch { "sgtin" or "sgln" => 3, "sscc" => 2, _ => 0 };
        if (expected == 0)
            throw new EpcisQueryException(parameter, "unsupported", $"'{v}': EPC pattern scheme '{scheme}' is not supported (sgtin, sscc, sgln)");
        if (parts.Length != expected)
            throw Bad($"an {scheme} pattern has {expected} dot-separated parts");
        var firstStar = Array.IndexOf(parts, "*");
        if (firstStar >= 0 && parts[firstStar..].Any(p => p != "*"))
            throw Bad("'*' may only replace trailing parts (e.g. 0614141.*.*)");
        if (parts.Any(p => p.Length == 0))
            throw Bad("a part is empty");
        if (firstStar < 0)
        {
            // No wildcard: the pattern names one identifier.
            var id = "urn:epc:id:" + rest;
            var key = EpcisIdKey.From(id);
            if (key.Ai is null)
                throw Bad("not a valid identifier");
            return new EpcisIdMatcher(key.Canonical);
        }
        var cp = parts[0];
        if (cp != "*" && (cp.Length is < 6 or > 12 || !cp.All(char.IsAsciiDigit)))
            throw Bad($"company prefix '{cp}' must be 6 to 12 digits");
        switch (scheme)
        {
            case "sgtin":
            {
                var qualifier = classLevel ? QualifierRule.ClassLevel : QualifierRule.Serial;
                if (cp == "*")
                    return new EpcisIdMatcher("01", null, null, 0, qualifier);
                var iir = parts[1];
                if (iir == "*")
                    return new EpcisIdMatcher("01", null, cp, 1, qualifier);
                if (cp.Length + iir.Length != 13 || !iir.All(char.IsAsciiDigit))
                    throw Bad("company prefix plus indicator/item reference must be 13 digits");
                var g = iir[0] + cp + iir[1..];
                return new EpcisIdMatcher("01", g + CheckDigit.Compute(g), null, 0, qualifier);
            }
            case "sscc":
                return new EpcisIdMatcher("00", null, cp == "*" ? null : cp, 1, QualifierRule.Any);
            default:
            {
                if (cp == "*")
                    return new EpcisIdMatcher("414", null, null, 0, QualifierRule.Any);
                var lr = parts[1];
                if (lr == "*")
                    return new EpcisIdMatcher("414", null, cp, 0, QualifierRule.Any);
                if (cp.Length + lr.Length != 12 || !lr.All(char.IsAsciiDigit))
                    throw Bad("company prefix plus location reference must be 12 digits");
                var gln = cp + lr;
                return new EpcisIdMatcher("414", gln + CheckDigit.Compute(gln), null, 0, QualifierRule.Any);
            }
        }
    }
}
