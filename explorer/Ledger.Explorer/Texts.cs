using System.Globalization;
using System.Text.Json;

namespace Ledger.Explorer;

/// <summary>
/// Every text the pages show, from one JSON file of <c>"key": "text"</c> pairs (<c>Texts/en.json</c>, built in). A translation
/// is another file with the same keys (option <c>--texts</c>): it is refused at start when a key is missing or extra, so a
/// page never shows a key instead of a text. Texts take positional arguments <c>{0}</c>, <c>{1}</c>, …
/// </summary>
public sealed class Texts
{
    private readonly IReadOnlyDictionary<string, string> _texts;

    private Texts(IReadOnlyDictionary<string, string> texts) => _texts = texts;

    /// <summary>The built-in English texts.</summary>
    public static Texts English { get; } = new(ReadBuiltIn());

    /// <summary>The keys, for checks.</summary>
    public IEnumerable<string> Keys => _texts.Keys;

    /// <summary>The text of <paramref name="key"/> with its arguments filled in.</summary>
    /// <exception cref="KeyNotFoundException">No such key (a bug: every key the pages use is in the file).</exception>
    public string this[string key, params object?[] args] =>
        _texts.TryGetValue(key, out var text)
            ? args.Length == 0 ? text : string.Format(CultureInfo.InvariantCulture, text, args)
            : throw new KeyNotFoundException($"texts: no text for key '{key}'");

    /// <summary>Loads a translation, checked to have exactly the keys of the built-in file.</summary>
    /// <exception cref="FormatException">The file is not a JSON object of strings, or its keys differ (named).</exception>
    public static Texts Load(string path)
    {
        var texts = Parse(File.ReadAllText(path), path);
        var missing = English._texts.Keys.Except(texts.Keys).ToList();
        var extra = texts.Keys.Except(English._texts.Keys).ToList();
        if (missing.Count > 0)
            throw new FormatException($"{path}: missing text '{missing[0]}' (a translation has every key of the built-in texts)");
        if (extra.Count > 0)
            throw new FormatException($"{path}: unknown text '{extra[0]}'");
        return new Texts(texts);
    }

    private static Dictionary<string, string> ReadBuiltIn()
    {
        using var stream = typeof(Texts).Assembly.GetManifestResourceStream("Ledger.Explorer.Texts.en.json")
            ?? throw new InvalidOperationException("the built-in texts are missing from the assembly");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "Texts/en.json");
    }

    private static Dictionary<string, string> Parse(string json, string name)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new FormatException($"{name}: the texts must be one JSON object");
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String)
                throw new FormatException($"{name}: '{p.Name}' must be a string");
            if (!texts.TryAdd(p.Name, p.Value.GetString()!))
                throw new FormatException($"{name}: '{p.Name}' is given twice");
        }
        return texts;
    }
}
