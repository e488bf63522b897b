using System.Globalization;
using System.Text;

namespace Ledger.Protocol.Gs1;

/// <summary>
/// GS1 Digital Link URIs (GS1 Digital Link standard; gs1-syntax-engine dl.c behaviour):
/// <c>https://id.gs1.org/01/{gtin}/10/{lot}/21/{serial}?17={yymmdd}</c>. Any domain and stem are accepted on parse;
/// the primary key is the rightmost <c>dlpkey</c> AI in the path, followed by its qualifiers in dictionary order;
/// the query carries data attributes (AIs flagged <c>?</c>). Fragments are ignored.
/// </summary>
public static class Gs1DigitalLink
{
    /// <summary>The canonical stem.</summary>
    public const string CanonicalStem = "https://id.gs1.org";

    private const string UriChars = "-._~:/?#[]@!$&'()*+,;=%";

    private static readonly Dictionary<string, string> ConvenienceAlphas = new(StringComparer.Ordinal)
    {
        ["sscc"] = "00", ["gtin"] = "01", ["lot"] = "10", ["ser"] = "21", ["cpv"] = "22", ["gdti"] = "253", ["gcn"] = "255",
        ["ginc"] = "401", ["gsin"] = "402", ["gln"] = "414", ["party"] = "417", ["glnx"] = "254", ["grai"] = "8003",
        ["giai"] = "8004", ["itip"] = "8006", ["cpid"] = "8010", ["cpsn"] = "8011", ["gmn"] = "8013", ["gsrnp"] = "8017",
        ["gsrn"] = "8018", ["srin"] = "8019",
    };

    /// <summary>Parses a Digital Link URI into its AI elements (path first, then query attributes, in URI order) and validates them.</summary>
    /// <exception cref="Gs1FormatException">Rule <c>digital-link</c> for URI structure, or any AI rule.</exception>
    public static IReadOnlyList<Gs1Element> Parse(string uri, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        string rest;
        if (uri.StartsWith("https://", StringComparison.Ordinal) || uri.StartsWith("HTTPS://", StringComparison.Ordinal))
            rest = uri[8..];
        else if (uri.StartsWith("http://", StringComparison.Ordinal) || uri.StartsWith("HTTP://", StringComparison.Ordinal))
            rest = uri[7..];
        else
            throw Error("must start with http:// or https:// (scheme all lower or all upper case)");
        for (var i = 0; i < rest.Length; i++)
            if (!char.IsAsciiLetterOrDigit(rest[i]) && !UriChars.Contains(rest[i], StringComparison.Ordinal))
                throw Error($"character {Gs1Linters.Describe(rest[i])} is not allowed in a URI");
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
            rest = rest[..hash];
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        var query = q >= 0 ? rest[(q + 1)..] : "";
        if (q >= 0)
            rest = rest[..q];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
            throw Error(slash == 0 ? "no domain" : "no path");
        foreach (var c in rest.AsSpan(0, slash))
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or ':' or '[' or ']'))
                throw Error($"character {Gs1Linters.Describe(c)} is not allowed in the domain");
        var path = rest[(slash + 1)..];
        if (path.EndsWith('/'))
            throw Error("path must not end with '/'");
        var segments = path.Split('/');

        // The primary key is the rightmost dlpkey AI, found by stepping back over (AI, value) pairs.
        var keyIndex = -1;
        for (var j = segments.Length - 2; j >= 0; j -= 2)
        {
            var ai = PathAi(segments[j], options);
            if (ai is null || !Gs1AiTable.TryGet(ai, out var e))
                break;
            if (e.IsDigitalLinkPrimaryKey)
            {
                keyIndex = j;
                break;
            }
        }
        if (keyIndex < 0)
            throw Error("no GS1 primary key (e.g. /01/{gtin}) in the path");
        var elements = new List<Gs1Element>();
        for (var j = keyIndex; j < segments.Length; j += 2)
        {
            var ai = PathAi(segments[j], options) ?? throw Error($"path segment '{segments[j]}' is not an AI");
            var value = Decode(segments[j + 1], plusIsSpace: false);
            elements.Add(new Gs1Element(ai, Unsuppress(ai, value, options)));
        }
        var key = elements[0].Ai;
        Gs1AiTable.TryGet(key, out var keyEntry);
        var used = elements.Skip(1).Select(e => e.Ai).ToList();
        if (used.Count > 0 && !keyEntry!.DigitalLinkQualifiers.Any(alt => IsOrderedSubset(used, alt)))
            throw Error($"path qualifiers /{string.Join("/", used)} are not valid for key ({key}) in that order");
        var compatible = keyEntry!.DigitalLinkQualifiers.Where(alt => used.All(alt.Contains)).ToList();

        foreach (var param in query.Split('&'))
        {
            var eq = param.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !Gs1ElementStrings.AllDigits(param.AsSpan(0, eq)))
                continue; // empty, singleton or non-numeric parameters are not AIs
            var ai = param[..eq];
            var value = Decode(param[(eq + 1)..], plusIsSpace: true);
            if (value.Length == 0)
                throw new Gs1FormatException(Gs1Element.FieldFor(ai), "length", "empty value in the Digital Link query");
            if (!Gs1AiTable.TryGet(ai, out var entry))
            {
                if (!options.PermitUnknownAis)
                    throw new Gs1FormatException(Gs1Element.FieldFor(ai), "unknown-ai", "AI is not in the GS1 Barcode Syntax Dictionary");
                if (options.UnknownAiNotDigitalLinkAttribute)
                    throw new Gs1FormatException(Gs1Element.FieldFor(ai), "digital-link", "an unknown AI is not a Digital Link data attribute");
            }
            else if (!entry.DigitalLinkAttribute)
                throw new Gs1FormatException(Gs1Element.FieldFor(ai), "digital-link", "is not allowed as a Digital Link data attribute");
            else if (compatible.Any(alt => alt.Contains(ai)))
                throw new Gs1FormatException(Gs1Element.FieldFor(ai), "digital-link", $"is a key qualifier of ({key}) and must be in the path, not the query");
            elements.Add(new Gs1Element(ai, Unsuppress(ai, value, options)));
        }
        var dup = elements.GroupBy(e => e.Ai, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new Gs1FormatException(Gs1Element.FieldFor(dup.Key), "duplicate", "appears more than once in the Digital Link URI");
        Gs1ElementStrings.Validate(elements, options);
        return elements;
    }

    /// <summary>
    /// Generates a Digital Link URI: the first primary-key AI, its qualifiers (the dlpkey alternative with most AIs present)
    /// in order, then the other AIs as query attributes (predefined-length AIs first). <paramref name="stem"/> defaults to
    /// <see cref="CanonicalStem"/>; a trailing '/' is dropped.
    /// </summary>
    /// <exception cref="Gs1FormatException">Rule <c>digital-link</c>: no primary key, or an AI that cannot be a data attribute.</exception>
    public static string Generate(IReadOnlyList<Gs1Element> elements, string? stem = null, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        var keyAt = -1;
        for (var i = 0; i < elements.Count && keyAt < 0; i++)
            if (Gs1AiTable.TryGet(elements[i].Ai, out var e) && e.IsDigitalLinkPrimaryKey)
                keyAt = i;
        if (keyAt < 0)
            throw Error("no GS1 primary key AI, so no Digital Link URI can be formed");
        var key = elements[keyAt];
        Gs1AiTable.TryGet(key.Ai, out var keyEntry);
        var present = elements.Select(e => e.Ai).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> best = [];
        foreach (var alt in keyEntry!.DigitalLinkQualifiers)
            if (alt.Count(present.Contains) > best.Count(present.Contains))
                best = alt;
        var sb = new StringBuilder((stem ?? CanonicalStem).TrimEnd('/'));
        var emitted = new List<Gs1Element> { key };
        sb.Append('/').Append(key.Ai).Append('/').Append(Encode(key.Value));
        foreach (var ai in best)
        {
            var q = elements.FirstOrDefault(e => e.Ai == ai);
            if (q is null)
                continue;
            emitted.Add(q);
            sb.Append('/').Append(q.Ai).Append('/').Append(Encode(q.Value));
        }
        var attributes = new List<Gs1Element>();
        foreach (var e in elements)
        {
            if (emitted.Contains(e) || attributes.Contains(e))
                continue;
            if (emitted.Concat(attributes).Any(x => x.Ai == e.Ai))
                throw new Gs1FormatException(e.Field, "duplicate", "appears twice with different values");
            if (!Gs1AiTable.TryGet(e.Ai, out var entry))
            {
                if (options.UnknownAiNotDigitalLinkAttribute)
                    throw new Gs1FormatException(e.Field, "digital-link", "an unknown AI is not a Digital Link data attribute");
            }
            else if (!entry.DigitalLinkAttribute)
                throw new Gs1FormatException(e.Field, "digital-link", "is not allowed as a Digital Link data attribute");
            attributes.Add(e);
        }
        var sep = '?';
        foreach (var e in attributes.Where(a => a.PredefinedLength).Concat(attributes.Where(a => !a.PredefinedLength)))
        {
            sb.Append(sep).Append(e.Ai).Append('=').Append(Encode(e.Value));
            sep = '&';
        }
        return sb.ToString();
    }

    /// <summary>Percent-encodes everything except the URI unreserved characters A-Z a-z 0-9 - . _ ~.</summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static string Decode(string s, bool plusIsSpace)
    {
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
                    throw Error($"bad percent-escape at '{s[i..Math.Min(s.Length, i + 3)]}'");
                var b = byte.Parse(s.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (b == 0)
                    throw Error("%00 is not allowed");
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)(plusIsSpace && c == '+' ? ' ' : c));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static string? PathAi(string segment, Gs1ParseOptions options)
    {
        if (Gs1ElementStrings.AllDigits(segment))
            return segment;
        return options.PermitConvenienceAlphas && ConvenienceAlphas.TryGetValue(segment, out var ai) ? ai : null;
    }

    private static string Unsuppress(string ai, string value, Gs1ParseOptions options) =>
        ai == "01" && options.PermitZeroSuppressedGtinInDigitalLink && value.Length is 8 or 12 or 13 && Gs1ElementStrings.AllDigits(value)
            ? value.PadLeft(14, '0')
            : value;

    private static bool IsOrderedSubset(List<string> used, IReadOnlyList<string> sequence)
    {
        var k = 0;
        foreach (var ai in used)
        {
            while (k < sequence.Count && sequence[k] != ai)
                k++;
            if (k == sequence.Count)
                return false;
            k++;
        }
        return true;
    }

    private static Gs1FormatException Error(string detail) => new("digital-link", "digital-link", detail);
}
