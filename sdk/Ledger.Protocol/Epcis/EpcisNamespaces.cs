namespace Ledger.Protocol.Epcis;

/// <summary>Chooses prefixes for the extension namespaces a writer needs (document prefixes first, then generated ones).</summary>
internal sealed class EpcisNamespaces
{
    private readonly Dictionary<string, string> _prefixByUri = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _uriByPrefix = new(StringComparer.Ordinal);

    /// <summary>Prefix → URI pairs that must be declared (in first-use order).</summary>
    public List<KeyValuePair<string, string>> Declared { get; } = [];

    public EpcisNamespaces(EpcisDocument doc, IEnumerable<KeyValuePair<string, string>> predefined, IEnumerable<string> reservedPrefixes)
    {
        foreach (var kv in predefined)
        {
            _prefixByUri.TryAdd(kv.Value, kv.Key);
            _uriByPrefix[kv.Key] = kv.Value;
        }
        foreach (var p in reservedPrefixes)
            _uriByPrefix.TryAdd(p, "");
        _documentPrefixes = doc.Namespaces.Concat(EpcisJsonReader.StandardPrefixes).ToList();
        foreach (var ns in UsedNamespaces(doc))
            PrefixFor(ns);
    }

    private readonly List<KeyValuePair<string, string>> _documentPrefixes;

    public string PrefixFor(string uri)
    {
        if (_prefixByUri.TryGetValue(uri, out var p))
            return p;
        var preferred = _documentPrefixes.FirstOrDefault(kv => kv.Value == uri).Key;
        if (preferred is null || preferred.Length == 0 || _uriByPrefix.TryGetValue(preferred, out var taken) && taken != uri && !IsOverridable(preferred))
        {
            var i = 1;
            while (_uriByPrefix.ContainsKey("ns" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                i++;
            preferred = "ns" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (_uriByPrefix.TryGetValue(preferred, out var old) && old.Length > 0)
            _prefixByUri.Remove(old);
        _prefixByUri[uri] = preferred;
        _uriByPrefix[preferred] = uri;
        Declared.Add(new(preferred, uri));
        return preferred;
    }

    // Standard JSON-LD prefixes may be re-bound by a document (e.g. cbvmda with a trailing colon).
    private static bool IsOverridable(string prefix) => prefix == "cbvmda";

    private static IEnumerable<string> UsedNamespaces(EpcisDocument doc)
    {
        IEnumerable<EpcisExtension> All(IEnumerable<EpcisExtension> xs) => xs.SelectMany(x => All(x.Children).Prepend(x));
        var all = new List<EpcisExtension>();
        all.AddRange(All(doc.Header));
        all.AddRange(All(doc.MasterData));
        foreach (var e in doc.Events)
        {
            all.AddRange(All(e.Extensions));
            if (e is IHasIlmd h)
                all.AddRange(All(h.Ilmd));
            if (e.ReadPoint is { } rp)
                all.AddRange(All(rp.Extensions));
            if (e.BizLocation is { } bl)
                all.AddRange(All(bl.Extensions));
            if (e.ErrorDeclaration is { } ed)
                all.AddRange(All(ed.Extensions));
            foreach (var se in e.SensorElementList)
            {
                all.AddRange(All(se.Extensions));
                if (se.Metadata is { } m)
                    all.AddRange(All(m.Extensions));
                foreach (var r in se.Reports)
                    all.AddRange(All(r.Extensions));
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var x in all)
        {
            if (x.Namespace.Length > 0 && seen.Add(x.Namespace))
                yield return x.Namespace;
            foreach (var a in x.Attributes)
                if (a.Namespace.Length > 0 && seen.Add(a.Namespace))
                    yield return a.Namespace;
        }
    }
}
