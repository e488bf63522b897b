using System.Collections.Frozen;
using System.Globalization;

namespace Ledger.Protocol.Gs1;

/// <summary>The character set / type of one component of an AI's data field.</summary>
public enum Gs1ComponentType
{
    /// <summary>N: digits.</summary>
    Numeric,

    /// <summary>X: GS1 AI encodable character set 82.</summary>
    Cset82,

    /// <summary>Y: GS1 AI encodable character set 39.</summary>
    Cset39,

    /// <summary>Z: base64url (character set 64).</summary>
    Cset64,
}

/// <summary>One component of an AI's format, e.g. <c>N13,csum</c> or <c>[X..16]</c>.</summary>
public sealed record Gs1AiComponent(Gs1ComponentType Type, int MinLength, int MaxLength, bool Optional, IReadOnlyList<string> Linters);

/// <summary>One AI of the GS1 Barcode Syntax Dictionary.</summary>
public sealed class Gs1AiEntry
{
    internal Gs1AiEntry(string ai, string flags, IReadOnlyList<Gs1AiComponent> components, IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> requires,
        IReadOnlyList<string> excludes, bool isPrimaryKey, IReadOnlyList<IReadOnlyList<string>> keyQualifiers, string title)
    {
        Ai = ai;
        PredefinedLength = flags.Contains('*', StringComparison.Ordinal);
        DigitalLinkAttribute = flags.Contains('?', StringComparison.Ordinal);
        Components = components;
        Requires = requires;
        Excludes = excludes;
        IsDigitalLinkPrimaryKey = isPrimaryKey;
        DigitalLinkQualifiers = keyQualifiers;
        Title = title;
        MaxLength = components.Sum(c => c.MaxLength);
    }

    /// <summary>The AI, e.g. <c>01</c>.</summary>
    public string Ai { get; }

    /// <summary>Flag <c>*</c>: predefined length, no FNC1 separator needed after it.</summary>
    public bool PredefinedLength { get; }

    /// <summary>Flag <c>?</c>: allowed as a GS1 Digital Link data attribute (query parameter).</summary>
    public bool DigitalLinkAttribute { get; }

    /// <summary>The data field components in order.</summary>
    public IReadOnlyList<Gs1AiComponent> Components { get; }

    /// <summary>Each <c>req=</c> attribute: a list of alternatives, each a list of AIs/patterns that must all be present.</summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> Requires { get; }

    /// <summary>The <c>ex=</c> AIs/patterns (<c>n</c> matches any digit) this AI must not appear with.</summary>
    public IReadOnlyList<string> Excludes { get; }

    /// <summary>Has a <c>dlpkey</c> attribute: a GS1 Digital Link primary key.</summary>
    public bool IsDigitalLinkPrimaryKey { get; }

    /// <summary>The alternative ordered qualifier sequences of <c>dlpkey=</c> (empty when none).</summary>
    public IReadOnlyList<IReadOnlyList<string>> DigitalLinkQualifiers { get; }

    /// <summary>The short title, e.g. <c>GTIN</c>.</summary>
    public string Title { get; }

    /// <summary>The maximum total data length.</summary>
    public int MaxLength { get; }
}

/// <summary>
/// The GS1 Barcode Syntax Dictionary (release <see cref="Release"/>), parsed from the embedded verbatim text
/// (<see cref="Gs1SyntaxDictionaryText"/>).
/// </summary>
public static class Gs1AiTable
{
    private static readonly FrozenDictionary<string, Gs1AiEntry> Entries = Load();

    /// <summary>Length of an AI by its first two digits, derived from the dictionary entries.</summary>
    private static readonly FrozenDictionary<string, int> LengthByPrefix =
        Entries.Keys.GroupBy(k => k[..2], StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.First().Length, StringComparer.Ordinal);

    /// <summary>The dictionary release.</summary>
    public static string Release => Gs1SyntaxDictionaryText.Release;

    /// <summary>All AIs.</summary>
    public static IEnumerable<Gs1AiEntry> All => Entries.Values.OrderBy(e => e.Ai, StringComparer.Ordinal);

    /// <summary>Looks up an AI exactly.</summary>
    public static bool TryGet(string ai, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Gs1AiEntry? entry) =>
        Entries.TryGetValue(ai, out entry);

    /// <summary>Finds the AI that starts <paramref name="data"/> (AIs are prefix-free).</summary>
    internal static Gs1AiEntry? FindByPrefix(ReadOnlySpan<char> data)
    {
        for (var len = 2; len <= 4 && len <= data.Length; len++)
            if (Entries.TryGetValue(data[..len].ToString(), out var e))
                return e;
        return null;
    }

    /// <summary>The AI length implied by the first two digits, when the dictionary has any AI with that prefix.</summary>
    internal static int? AiLengthForPrefix(ReadOnlySpan<char> data) =>
        data.Length >= 2 && LengthByPrefix.TryGetValue(data[..2].ToString(), out var n) ? n : null;

    /// <summary>True when <paramref name="ai"/> matches <paramref name="pattern"/> (<c>n</c> = any digit).</summary>
    internal static bool Matches(string ai, string pattern)
    {
        if (ai.Length != pattern.Length)
            return false;
        for (var i = 0; i < ai.Length; i++)
            if (pattern[i] != ai[i] && !(pattern[i] == 'n' && char.IsAsciiDigit(ai[i])))
                return false;
        return true;
    }

    private static FrozenDictionary<string, Gs1AiEntry> Load()
    {
        var map = new Dictionary<string, Gs1AiEntry>(StringComparer.Ordinal);
        foreach (var rawLine in Gs1SyntaxDictionaryText.Text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
                continue;
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            var title = hash >= 0 ? line[(hash + 1)..].Trim() : "";
            var tokens = (hash >= 0 ? line[..hash] : line).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var i = 1;
            var flags = "";
            if (i < tokens.Length && tokens[i].All(c => "*!?\"$%&'()+,-./:;<=>@[\\]^_`{|}~".Contains(c, StringComparison.Ordinal)))
                flags = tokens[i++];
            var components = new List<Gs1AiComponent>();
            while (i < tokens.Length && !tokens[i].Contains('=', StringComparison.Ordinal) && tokens[i] != "dlpkey")
                components.Add(ParseComponent(tokens[i++]));
            var requires = new List<IReadOnlyList<IReadOnlyList<string>>>();
            var excludes = new List<string>();
            var isKey = false;
            var qualifiers = new List<IReadOnlyList<string>>();
            for (; i < tokens.Length; i++)
            {
                var t = tokens[i];
                if (t.StartsWith("req=", StringComparison.Ordinal))
                    requires.Add([.. t[4..].Split(',').Select(alt => (IReadOnlyList<string>)alt.Split('+'))]);
                else if (t.StartsWith("ex=", StringComparison.Ordinal))
                    excludes.AddRange(t[3..].Split(','));
                else if (t == "dlpkey")
                    isKey = true;
                else if (t.StartsWith("dlpkey=", StringComparison.Ordinal))
                {
                    isKey = true;
                    qualifiers.AddRange(t[7..].Split('|').Select(seq => (IReadOnlyList<string>)seq.Split(',')));
                }
            }
            var range = tokens[0].Split('-');
            var first = int.Parse(range[0], CultureInfo.InvariantCulture);
            var last = range.Length == 2 ? int.Parse(range[1], CultureInfo.InvariantCulture) : first;
            for (var n = first; n <= last; n++)
            {
                var ai = n.ToString(CultureInfo.InvariantCulture).PadLeft(range[0].Length, '0');
                map[ai] = new Gs1AiEntry(ai, flags, components, requires, excludes, isKey, qualifiers, title);
            }
        }
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static Gs1AiComponent ParseComponent(string token)
    {
        var parts = token.Split(',');
        var spec = parts[0];
        var optional = spec.StartsWith('[');
        spec = spec.Trim('[', ']');
        var type = spec[0] switch
        {
            'N' => Gs1ComponentType.Numeric,
            'X' => Gs1ComponentType.Cset82,
            'Y' => Gs1ComponentType.Cset39,
            'Z' => Gs1ComponentType.Cset64,
            _ => throw new InvalidOperationException($"syntax dictionary: unknown component type in '{token}'"),
        };
        var len = spec[1..];
        int min, max;
        var dots = len.IndexOf("..", StringComparison.Ordinal);
        if (dots >= 0)
        {
            min = dots == 0 ? 1 : int.Parse(len[..dots], CultureInfo.InvariantCulture);
            max = int.Parse(len[(dots + 2)..], CultureInfo.InvariantCulture);
        }
        else
        {
            min = max = int.Parse(len, CultureInfo.InvariantCulture);
        }
        return new Gs1AiComponent(type, min, max, optional, parts[1..]);
    }
}
