using System.Text.Json;

namespace Ledger.Sdk.Verification;

/// <summary>
/// Compares an answer's own JSON text with the canonical form its decoded members give (docs/spec/verifier.md §1): a
/// readable member that disagrees with the encoding it summarises, a member the format does not have, a repeated member or
/// a changed array is a difference named by its JSON path. Members named <c>unverified</c> are not compared.
/// </summary>
internal static class SummaryCheck
{
    public const string UnverifiedMember = "unverified";

    public static List<(string Path, string Detail)> Differences(string source, string canonical, int limit = 50)
    {
        var found = new List<(string, string)>();
        using var a = JsonDocument.Parse(source);
        using var b = JsonDocument.Parse(canonical);
        Compare(a.RootElement, b.RootElement, "", found, limit);
        return found;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Show(string path) => path.Length == 0 ? "answer" : path;

    private static void Compare(JsonElement stated, JsonElement derived, string path, List<(string, string)> found, int limit)
    {
        if (found.Count >= limit)
            return;
        if (stated.ValueKind != derived.ValueKind)
        {
            found.Add((Show(path), $"is {Describe(stated)}, the answer's encodings make it {Describe(derived)}"));
            return;
        }
        switch (stated.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var m in stated.EnumerateObject())
                {
                    var child = Join(path, m.Name);
                    if (!seen.Add(m.Name))
                        found.Add((child, "appears twice"));
                    else if (m.Name == UnverifiedMember)
                        continue;
                    else if (!derived.TryGetProperty(m.Name, out var d))
                    {
                        if (m.Value.ValueKind != JsonValueKind.Null)
                            found.Add((child, "is not a member of the format; an unknown member is not verified"));
                    }
                    else
                        Compare(m.Value, d, child, found, limit);
                }
                foreach (var m in derived.EnumerateObject())
                    if (m.Name != UnverifiedMember && !stated.TryGetProperty(m.Name, out _) && m.Value.ValueKind != JsonValueKind.Null)
                        found.Add((Join(path, m.Name), $"is missing; the answer's encodings make it {Describe(m.Value)}"));
                break;
            case JsonValueKind.Array:
                var sl = stated.GetArrayLength();
                var dl = derived.GetArrayLength();
                if (sl != dl)
                {
                    found.Add((Show(path), $"has {sl} elements, the answer's encodings make {dl}"));
                    return;
                }
                for (var i = 0; i < sl; i++)
                    Compare(stated[i], derived[i], $"{path}[{i}]", found, limit);
                break;
            case JsonValueKind.String:
                if (!string.Equals(stated.GetString(), derived.GetString(), StringComparison.Ordinal))
                    found.Add((Show(path), $"is {Describe(stated)}, the answer's encodings make it {Describe(derived)}"));
                break;
            case JsonValueKind.Number:
                if (!string.Equals(stated.GetRawText(), derived.GetRawText(), StringComparison.Ordinal))
                    found.Add((Show(path), $"is {stated.GetRawText()}, the answer's encodings make it {derived.GetRawText()}"));
                break;
        }
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"\"{Truncate(e.GetString()!)}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {e.GetArrayLength()}",
        _ => e.GetRawText(),
    };

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
