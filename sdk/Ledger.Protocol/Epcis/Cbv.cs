using System.Collections.Frozen;

namespace Ledger.Protocol.Epcis;

/// <summary>CBV 2.0 vocabularies used by EPCIS events.</summary>
public enum CbvVocabulary
{
    /// <summary>Business steps (BizStep-…, urn:epcglobal:cbv:bizstep:…).</summary>
    BizStep,
    /// <summary>Dispositions (Disp-…, urn:epcglobal:cbv:disp:…).</summary>
    Disposition,
    /// <summary>Business transaction types (BTT-…).</summary>
    BizTransactionType,
    /// <summary>Source/destination types (SDT-…).</summary>
    SourceDestinationType,
    /// <summary>Error reasons (ER-…).</summary>
    ErrorReason,
}

/// <summary>
/// CBV 2.0 terms and their spellings: bare (<c>shipping</c>, JSON-LD), CURIE (<c>cbv:BizStep-shipping</c>),
/// Web URI (<c>https://ref.gs1.org/cbv/BizStep-shipping</c>, the model's canonical form) and URN
/// (<c>urn:epcglobal:cbv:bizstep:shipping</c>, XML).
/// </summary>
public static class Cbv
{
    /// <summary>CBV Web URI base.</summary>
    public const string WebBase = "https://ref.gs1.org/cbv/";

    /// <summary>GS1 Web vocabulary base (sensor measurement types, exceptions, components).</summary>
    public const string Gs1VocBase = "https://gs1.org/voc/";

    private static readonly FrozenSet<string> BizSteps = FrozenSet.ToFrozenSet(
    [
        "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning", "creating_class_instance",
        "cycle_counting", "decommissioning", "departing", "destroying", "disassembling", "dispensing", "encoding",
        "entering_exiting", "holding", "inspecting", "installing", "killing", "loading", "other", "packing", "picking",
        "receiving", "removing", "repackaging", "repairing", "replacing", "reserving", "retail_selling", "shipping",
        "staging_outbound", "stock_taking", "stocking", "storing", "transporting", "unloading", "unpacking",
        "void_shipping", "sensor_reporting", "sampling",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string> Dispositions = FrozenSet.ToFrozenSet(
    [
        "active", "container_closed", "damaged", "destroyed", "dispensed", "disposed", "encoded", "expired",
        "in_progress", "in_transit", "inactive", "no_pedigree_match", "non_sellable_other", "partially_dispensed",
        "recalled", "reserved", "retail_sold", "returned", "sellable_accessible", "sellable_not_accessible", "stolen",
        "unknown", "available", "completeness_verified", "completeness_inferred", "conformant", "container_open",
        "mismatch_instance", "mismatch_class", "mismatch_quantity", "needs_replacement", "non_conformant", "unavailable",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string> BizTransactionTypes = FrozenSet.ToFrozenSet(
    [
        "bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd", "testres", "upevt",
    ], StringComparer.Ordinal);

    private static readonly FrozenSet<string> SourceDestinationTypes = FrozenSet.ToFrozenSet(
        ["owning_party", "possessing_party", "location"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> ErrorReasons = FrozenSet.ToFrozenSet(
        ["did_not_occur", "incorrect_data"], StringComparer.Ordinal);

    private static (string WebPrefix, string UrnPrefix, FrozenSet<string> Terms) Info(CbvVocabulary v) => v switch
    {
        CbvVocabulary.BizStep => ("BizStep-", "urn:epcglobal:cbv:bizstep:", BizSteps),
        CbvVocabulary.Disposition => ("Disp-", "urn:epcglobal:cbv:disp:", Dispositions),
        CbvVocabulary.BizTransactionType => ("BTT-", "urn:epcglobal:cbv:btt:", BizTransactionTypes),
        CbvVocabulary.SourceDestinationType => ("SDT-", "urn:epcglobal:cbv:sdt:", SourceDestinationTypes),
        _ => ("ER-", "urn:epcglobal:cbv:er:", ErrorReasons),
    };

    /// <summary>True when <paramref name="term"/> is a bare CBV 2.0 term of <paramref name="vocabulary"/>.</summary>
    public static bool IsTerm(CbvVocabulary vocabulary, string term) => Info(vocabulary).Terms.Contains(term);

    /// <summary>
    /// Normalises a vocabulary value to the model's canonical form: CBV terms (bare, CURIE, Web URI or URN) become the
    /// Web URI; any other absolute URI (user vocabulary) is kept as given.
    /// </summary>
    /// <exception cref="EpcisFormatException">A bare word or CBV-namespaced term that is not in the CBV 2.0 list (rule <c>enum</c>).</exception>
    public static string Normalize(CbvVocabulary vocabulary, string value, string field)
    {
        var (webPrefix, urnPrefix, terms) = Info(vocabulary);
        var v = value.Trim();
        string? term = null;
        if (v.StartsWith(urnPrefix, StringComparison.Ordinal))
            term = v[urnPrefix.Length..];
        else if (v.StartsWith(WebBase + webPrefix, StringComparison.Ordinal))
            term = v[(WebBase.Length + webPrefix.Length)..];
        else if (v.StartsWith("cbv:" + webPrefix, StringComparison.Ordinal))
            term = v[(4 + webPrefix.Length)..];
        else if (!v.Contains(':', StringComparison.Ordinal))
            term = v;
        if (term is null)
            return v;
        if (!terms.Contains(term))
            throw new EpcisFormatException(field, "enum",
                $"'{value}' is not a CBV 2.0 {vocabulary} value (a non-CBV value must be an absolute URI)");
        return WebBase + webPrefix + term;
    }

    /// <summary>The bare CBV term of a canonical Web URI (<c>https://ref.gs1.org/cbv/Disp-in_transit</c> → <c>in_transit</c>), else null.</summary>
    public static string? ShortName(string? webUri)
    {
        if (webUri is null || !webUri.StartsWith(WebBase, StringComparison.Ordinal))
            return null;
        var dash = webUri.IndexOf('-', WebBase.Length);
        return dash < 0 ? null : webUri[(dash + 1)..];
    }

    /// <summary>The bare term for JSON-LD when the value is a CBV Web URI of <paramref name="vocabulary"/>, else the value.</summary>
    public static string ToBare(CbvVocabulary vocabulary, string value)
    {
        var prefix = WebBase + Info(vocabulary).WebPrefix;
        return value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value;
    }

    /// <summary>The URN (<c>urn:epcglobal:cbv:…</c>) for XML when the value is a CBV Web URI of <paramref name="vocabulary"/>, else the value.</summary>
    public static string ToUrn(CbvVocabulary vocabulary, string value)
    {
        var (webPrefix, urnPrefix, _) = Info(vocabulary);
        var prefix = WebBase + webPrefix;
        return value.StartsWith(prefix, StringComparison.Ordinal) ? urnPrefix + value[prefix.Length..] : value;
    }

    /// <summary>GS1 Web vocabulary value (sensor type/exception): bare → <c>https://gs1.org/voc/…</c>, <c>gs1:</c> CURIE expanded, else as given.</summary>
    public static string NormalizeGs1Voc(string value)
    {
        var v = value.Trim();
        if (v.StartsWith("gs1:", StringComparison.Ordinal))
            return Gs1VocBase + v[4..];
        return v.Contains(':', StringComparison.Ordinal) ? v : Gs1VocBase + v;
    }

    /// <summary>The CBV 2.0 prefix of sensor components (<c>https://ref.gs1.org/cbv/Comp-</c>).</summary>
    public const string ComponentBase = WebBase + "Comp-";

    /// <summary>
    /// A sensor report <c>component</c>: a bare term is CBV (<c>latitude</c> → <c>https://ref.gs1.org/cbv/Comp-latitude</c>,
    /// as the EPCIS 2.0 JSON-LD context types it), a <c>cbv:</c> CURIE is expanded, anything else is kept as given.
    /// </summary>
    public static string NormalizeComponent(string value)
    {
        var v = value.Trim();
        if (v.StartsWith("cbv:", StringComparison.Ordinal))
            return WebBase + v[4..];
        if (v.Contains(':', StringComparison.Ordinal))
            return v;
        return v.StartsWith("Comp-", StringComparison.Ordinal) ? WebBase + v : ComponentBase + v;
    }

    /// <summary>JSON-LD spelling of a component: the bare CBV term for <c>https://ref.gs1.org/cbv/Comp-…</c>, else as given.</summary>
    public static string ComponentToBare(string value) =>
        value.StartsWith(ComponentBase, StringComparison.Ordinal) && value.Length > ComponentBase.Length ? value[ComponentBase.Length..] : value;

    /// <summary>JSON-LD spelling of a GS1 Web vocabulary value (<c>gs1:Temperature</c>).</summary>
    public static string Gs1VocToCurie(string value) =>
        value.StartsWith(Gs1VocBase, StringComparison.Ordinal) ? "gs1:" + value[Gs1VocBase.Length..] : value;
}
