using System.Text;

namespace Ledger.Protocol.Gs1;

/// <summary>
/// GS1 element strings: the unbracketed form (<c>^0109520123456788^10ABC</c>, <c>^</c> = FNC1), the bracketed
/// human-readable form (<c>(01)09520123456788(10)ABC</c>, <c>\(</c> escapes a literal bracket), and validation of an
/// AI list against the GS1 Barcode Syntax Dictionary (format, linters, req=/ex= associations, repeats).
/// </summary>
public static class Gs1ElementStrings
{
    /// <summary>The FNC1 marker in the unbracketed notation.</summary>
    public const char Fnc1 = '^';

    /// <summary>The ASCII group separator that stands for FNC1 in scanned data.</summary>
    public const char GroupSeparator = '\u001D';

    /// <summary>Parses and validates an unbracketed element string that starts with <c>^</c>.</summary>
    /// <exception cref="Gs1FormatException">Malformed or invalid data.</exception>
    public static IReadOnlyList<Gs1Element> ParseElementString(string elementString, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        var s = elementString;
        if (s.Length == 0 || s[0] != Fnc1)
            throw new Gs1FormatException("element-string", "syntax", "must start with FNC1 (^)");
        var list = new List<Gs1Element>();
        var pos = 1;
        while (pos < s.Length)
        {
            if (s[pos] == Fnc1)
            {
                pos++;
                continue;
            }
            var rest = s.AsSpan(pos);
            var entry = Gs1AiTable.FindByPrefix(rest);
            string ai;
            if (entry is null)
            {
                var shown = rest[..Math.Min(4, rest.Length)].ToString();
                if (!options.PermitUnknownAis)
                    throw new Gs1FormatException("element-string", "unknown-ai", $"no known AI starts the data '{shown}' at position {pos}");
                var n = Gs1AiTable.AiLengthForPrefix(rest);
                if (n is null || n > rest.Length || !AllDigits(rest[..n.Value]))
                    throw new Gs1FormatException("element-string", "unknown-ai", $"cannot determine the AI length of '{shown}' at position {pos}");
                ai = rest[..n.Value].ToString();
            }
            else
            {
                ai = entry.Ai;
            }
            pos += ai.Length;
            string value;
            if (entry is { PredefinedLength: true })
            {
                value = s.Substring(pos, Math.Min(entry.MaxLength, s.Length - pos));
            }
            else
            {
                var end = s.IndexOf(Fnc1, pos);
                value = s[pos..(end < 0 ? s.Length : end)];
            }
            pos += value.Length;
            ValidateElement(ai, value, options);
            list.Add(new Gs1Element(ai, value));
        }
        if (list.Count == 0)
            throw new Gs1FormatException("element-string", "syntax", "FNC1 but no AI data");
        ValidateAssociations(list, options);
        return list;
    }

    /// <summary>Parses and validates a bracketed string such as <c>(01)09520123456788(10)ABC\(1\)</c>.</summary>
    /// <exception cref="Gs1FormatException">Malformed or invalid data.</exception>
    public static IReadOnlyList<Gs1Element> ParseBracketed(string bracketed, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        var s = bracketed;
        if (s.Length == 0 || s[0] != '(')
            throw new Gs1FormatException("bracketed", "syntax", "must start with an AI in brackets, e.g. (01)");
        var list = new List<Gs1Element>();
        var pos = 0;
        var value = new StringBuilder();
        while (pos < s.Length)
        {
            var close = s.IndexOf(')', pos + 1);
            if (close < 0)
                throw new Gs1FormatException("bracketed", "syntax", $"AI at position {pos} is not terminated by ')'");
            var ai = s[(pos + 1)..close];
            if (ai.Length is < 2 or > 4 || !AllDigits(ai))
                throw new Gs1FormatException("bracketed", "syntax", $"'({ai})' is not an AI of 2 to 4 digits");
            pos = close + 1;
            value.Clear();
            while (pos < s.Length && s[pos] != '(')
            {
                if (s[pos] == '\\' && pos + 1 < s.Length && s[pos + 1] == '(')
                    pos++;
                value.Append(s[pos++]);
            }
            var v = value.ToString();
            if (v.Contains(Fnc1, StringComparison.Ordinal))
                throw new Gs1FormatException(Gs1Element.FieldFor(ai), "syntax", "'^' is not allowed in a value (it denotes FNC1)");
            ValidateElement(ai, v, options);
            list.Add(new Gs1Element(ai, v));
        }
        ValidateAssociations(list, options);
        return list;
    }

    /// <summary>Validates every element and the associations between them.</summary>
    /// <exception cref="Gs1FormatException">The first rule broken.</exception>
    public static void Validate(IReadOnlyList<Gs1Element> elements, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        if (elements.Count == 0)
            throw new Gs1FormatException("gs1", "syntax", "no AI data");
        foreach (var e in elements)
            ValidateElement(e.Ai, e.Value, options);
        ValidateAssociations(elements, options);
    }

    /// <summary>Validates one AI value against its dictionary format and linters.</summary>
    /// <exception cref="Gs1FormatException">The value breaks a rule.</exception>
    public static void ValidateElement(string ai, string value, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        var field = Gs1Element.FieldFor(ai);
        if (value.Length == 0)
            throw new Gs1FormatException(field, "length", "value must not be empty");
        if (!Gs1AiTable.TryGet(ai, out var entry))
        {
            if (ai.Length is < 2 or > 4 || !AllDigits(ai))
                throw new Gs1FormatException(field, "syntax", "an AI is 2 to 4 digits");
            if (!options.PermitUnknownAis)
                throw new Gs1FormatException(field, "unknown-ai", "AI is not in the GS1 Barcode Syntax Dictionary");
            if (value.Length > 90)
                throw new Gs1FormatException(field, "length", $"value has {value.Length} characters, maximum 90");
            Throw(field, Gs1Linters.CharSet(value, Gs1Linters.Cset82, "INVALID_CSET82_CHARACTER", "cset82", "is not in GS1 character set 82"));
            return;
        }
        var pos = 0;
        foreach (var c in entry.Components)
        {
            var remaining = value.Length - pos;
            if (c.Optional && remaining == 0)
                break;
            if (remaining < c.MinLength)
                throw new Gs1FormatException(field, "length", value.Length < entry.MaxLength && entry.Components.Count == 1 && c.MinLength == c.MaxLength
                    ? $"value has {value.Length} characters, expected {c.MaxLength}"
                    : $"value '{value}' is too short for format {Describe(entry)}");
            var part = value.Substring(pos, Math.Min(remaining, c.MaxLength));
            Throw(field, c.Type switch
            {
                Gs1ComponentType.Numeric => Gs1Linters.Numeric(part),
                Gs1ComponentType.Cset82 => Gs1Linters.CharSet(part, Gs1Linters.Cset82, "INVALID_CSET82_CHARACTER", "cset82", "is not in GS1 character set 82"),
                Gs1ComponentType.Cset39 => Gs1Linters.CharSet(part, "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "INVALID_CSET39_CHARACTER", "cset39", "is not in GS1 character set 39"),
                _ => Gs1Linters.Cset64(part),
            });
            foreach (var linter in c.Linters)
                Throw(field, Gs1Linters.Run(linter, part));
            pos += part.Length;
        }
        if (pos < value.Length)
            throw new Gs1FormatException(field, "length", $"value has {value.Length} characters, maximum {entry.MaxLength} for format {Describe(entry)}");
    }

    /// <summary>Checks repeats (same AI, same value), ex= exclusions, req= requisites and the digital-signature key rule.</summary>
    /// <exception cref="Gs1FormatException">The first association rule broken.</exception>
    public static void ValidateAssociations(IReadOnlyList<Gs1Element> elements, Gs1ParseOptions? options = null)
    {
        options ??= Gs1ParseOptions.Default;
        if (!options.ValidateAssociations)
            return;
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in elements)
        {
            if (seen.TryGetValue(e.Ai, out var prior) && prior != e.Value)
                throw new Gs1FormatException(e.Field, "duplicate", $"appears twice with different values '{prior}' and '{e.Value}'");
            seen[e.Ai] = e.Value;
        }
        var ais = seen.Keys.ToList();
        foreach (var ai in ais)
        {
            if (!Gs1AiTable.TryGet(ai, out var entry))
                continue;
            foreach (var pattern in entry.Excludes)
                foreach (var other in ais)
                    if (other != ai && Gs1AiTable.Matches(other, pattern))
                        throw new Gs1FormatException(Gs1Element.FieldFor(ai), "excludes", $"must not appear together with AI ({other})");
            foreach (var req in entry.Requires)
            {
                if (req.Any(alt => alt.All(p => ais.Any(a => Gs1AiTable.Matches(a, p)))))
                    continue;
                var wanted = string.Join(" or ", req.Select(alt => string.Join("+", alt.Select(p => $"({p})"))));
                throw new Gs1FormatException(Gs1Element.FieldFor(ai), "requires", $"requires {wanted}");
            }
        }
        if (seen.ContainsKey("8030"))
        {
            // A digital signature needs a serialised key: GDTI/GCN/GRAI with their optional serial component.
            foreach (var (ai, minLength) in new[] { ("253", 14), ("255", 14), ("8003", 15) })
                if (seen.TryGetValue(ai, out var v) && v.Length < minLength)
                    throw new Gs1FormatException("AI (8030)", "requires", $"requires a serialised key, but AI ({ai}) has no serial component");
        }
    }

    /// <summary>Formats the unbracketed element string: leading <c>^</c>, <c>^</c> after each AI that needs FNC1 when more data follows.</summary>
    public static string FormatElementString(IReadOnlyList<Gs1Element> elements) => Concatenate(elements, Fnc1, leading: true);

    /// <summary>Formats the raw data as carried in a symbol: no leading FNC1, GS (0x1D) separators.</summary>
    public static string FormatRaw(IReadOnlyList<Gs1Element> elements) => Concatenate(elements, GroupSeparator, leading: false);

    /// <summary>Formats the bracketed human-readable string; a literal <c>(</c> in a value is written <c>\(</c>.</summary>
    public static string FormatBracketed(IReadOnlyList<Gs1Element> elements)
    {
        var sb = new StringBuilder();
        foreach (var e in elements)
            sb.Append('(').Append(e.Ai).Append(')').Append(e.Value.Replace("(", "\\(", StringComparison.Ordinal));
        return sb.ToString();
    }

    internal static string Concatenate(IReadOnlyList<Gs1Element> elements, char separator, bool leading)
    {
        var sb = new StringBuilder();
        if (leading)
            sb.Append(Fnc1);
        for (var i = 0; i < elements.Count; i++)
        {
            sb.Append(elements[i].Ai).Append(elements[i].Value);
            if (i < elements.Count - 1 && !elements[i].PredefinedLength)
                sb.Append(separator);
        }
        return sb.ToString();
    }

    internal static bool AllDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
            return false;
        foreach (var c in s)
            if (!char.IsAsciiDigit(c))
                return false;
        return true;
    }

    private static string Describe(Gs1AiEntry entry) => string.Join(" ", entry.Components.Select(c =>
    {
        var t = c.Type switch { Gs1ComponentType.Numeric => "N", Gs1ComponentType.Cset82 => "X", Gs1ComponentType.Cset39 => "Y", _ => "Z" };
        var len = c.MinLength == c.MaxLength ? $"{c.MaxLength}" : $"..{c.MaxLength}";
        return c.Optional ? $"[{t}{len}]" : $"{t}{len}";
    }));

    private static void Throw(string field, Gs1LintError? error)
    {
        if (error is not null)
            throw new Gs1FormatException(field, error.Rule, error.Message, "GS1_LINTER_" + error.Code);
    }
}
