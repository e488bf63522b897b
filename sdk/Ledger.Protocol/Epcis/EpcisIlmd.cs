namespace Ledger.Protocol.Epcis;

/// <summary>Shortcuts to the CBV master-data ILMD fields used in pharma (DSCSA) events.</summary>
public static class EpcisIlmd
{
    /// <summary>CBV master data namespace as written in XML.</summary>
    public const string CbvMdaNamespace = "urn:epcglobal:cbv:mda";

    /// <summary>True for <c>urn:epcglobal:cbv:mda</c> and the JSON-LD context's <c>urn:epcglobal:cbv:mda:</c>.</summary>
    public static bool IsCbvMda(string ns) => ns is CbvMdaNamespace or CbvMdaNamespace + ":";

    /// <summary>The value of an ILMD <c>cbvmda:</c> field (e.g. "lotNumber"), or null.</summary>
    public static string? CbvMda(EpcisEvent e, string localName) =>
        e is IHasIlmd h ? h.Ilmd.FirstOrDefault(x => IsCbvMda(x.Namespace) && x.LocalName == localName)?.Value?.Trim() : null;

    /// <summary><c>cbvmda:lotNumber</c>.</summary>
    public static string? LotNumber(EpcisEvent e) => CbvMda(e, "lotNumber");

    /// <summary><c>cbvmda:itemExpirationDate</c> (xsd:date text, e.g. "2015-12-31").</summary>
    public static string? ItemExpirationDate(EpcisEvent e) => CbvMda(e, "itemExpirationDate");
}
