namespace Ledger.Protocol.Tests.Epcis;

/// <summary>Locates the EPCIS vectors copied next to the tests (see tests/vectors/epcis/README.md).</summary>
internal static class EpcisVectors
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "vectors", "epcis");

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    public static IEnumerable<string> Files(string relativeDir, params string[] extensions) =>
        Directory.EnumerateFiles(PathOf(relativeDir), "*", SearchOption.AllDirectories)
            .Where(f => extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
}
