using System.Text.Json;
using Ledger.Protocol.Gs1;
using Xunit;

namespace Ledger.Protocol.Tests.Gs1;

/// <summary>Loads the gs1-syntax-engine vector files copied under vectors/gs1 and maps their engine flags to <see cref="Gs1ParseOptions"/>.</summary>
internal static class Gs1Vectors
{
    private static readonly Dictionary<string, JsonElement[]> Cache = new(StringComparer.Ordinal);

    public static JsonElement[] Cases(string file)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(file, out var cases))
            {
                var path = Path.Combine(AppContext.BaseDirectory, "vectors", "gs1", file);
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                cases = [.. doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone())];
                Cache[file] = cases;
            }
            return cases;
        }
    }

    /// <summary>One theory row per case, named by its upstream line number (unique within each file).</summary>
    public static TheoryData<string> Ids(string file)
    {
        var data = new TheoryData<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Cases(file))
        {
            var id = Id(c);
            while (!seen.Add(id))
                id += "b";
            data.Add(id);
        }
        return data;
    }

    private static string Id(JsonElement c) =>
        (c.Str("linter") is { } l ? l + ":" : "") + c.GetProperty("line").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static JsonElement Case(string file, string id)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Cases(file))
        {
            var cid = Id(c);
            while (!seen.Add(cid))
                cid += "b";
            if (cid == id)
                return c;
        }
        throw new KeyNotFoundException(id);
    }

    public static string? Str(this JsonElement c, string name) =>
        c.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static bool Flag(this JsonElement c, string name) => c.TryGetProperty(name, out var v) && v.GetBoolean();

    public static bool EngineFlag(this JsonElement c, string name) =>
        c.TryGetProperty("engine_options_set_earlier_in_test_fn", out var o) && o.TryGetProperty(name, out var v) && v.GetBoolean();

    public static Gs1ParseOptions Options(this JsonElement c)
    {
        var unknownNotAttr = true;
        if (c.TryGetProperty("engine_options_set_earlier_in_test_fn", out var o) && o.TryGetProperty("validation:vUNKNOWN_AI_NOT_DL_ATTR", out var v))
            unknownNotAttr = v.GetBoolean();
        return new Gs1ParseOptions
        {
            PermitUnknownAis = c.EngineFlag("PermitUnknownAIs"),
            PermitZeroSuppressedGtinInDigitalLink = c.EngineFlag("PermitZeroSuppressedGTINinDLuris"),
            PermitConvenienceAlphas = c.EngineFlag("permitConvenienceAlphas"),
            UnknownAiNotDigitalLinkAttribute = unknownNotAttr,
        };
    }

    public static Gs1Symbology Symbology(string name) => name switch
    {
        "NONE" => Gs1Symbology.None,
        "QR" => Gs1Symbology.Qr,
        "DM" => Gs1Symbology.DataMatrix,
        "DotCode" => Gs1Symbology.DotCode,
        "DataBarExpanded" => Gs1Symbology.DataBarExpanded,
        "DataBarOmni" => Gs1Symbology.DataBarOmni,
        "DataBarLimited" => Gs1Symbology.DataBarLimited,
        "GS1_128_CCA" or "GS1_128_CCC" => Gs1Symbology.Gs1Code128,
        "EAN13" => Gs1Symbology.Ean13,
        "EAN8" => Gs1Symbology.Ean8,
        "UPCA" => Gs1Symbology.Upca,
        "UPCE" => Gs1Symbology.Upce,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "symbology name not mapped"),
    };
}
