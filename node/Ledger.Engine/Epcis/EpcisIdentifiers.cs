using Ledger.Protocol.Epcis.Hashing;

namespace Ledger.Engine.Epcis;

/// <summary>
/// The one normal form the query compares identifiers in: EPC URNs (<c>urn:epc:id:…</c>, <c>urn:epc:class:lgtin:…</c>,
/// <c>urn:epc:idpat:sgtin:CP.IIR.*</c>) and GS1 Digital Link URIs on any domain become the constrained canonical Digital
/// Link of CBV 2.0 (<c>https://id.gs1.org/01/{gtin14}/21/{serial}</c>, <c>…/414/{gln}/254/{ext}</c>, <c>…/00/{sscc}</c>);
/// any other URI is kept as given (trimmed) and compared exactly.
/// </summary>
public static class EpcisIdentifiers
{
    /// <summary>The canonical Digital Link stem.</summary>
    public const string CanonicalStem = "https://id.gs1.org/";

    /// <summary>
    /// The canonical key of <paramref name="id"/>: its canonical GS1 Digital Link when it carries a GS1 key, else the
    /// trimmed text. Two spellings of one identifier (URN and Digital Link) give the same key.
    /// </summary>
    public static string Canonical(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var t = id.Trim();
        return DigitalLinkNormaliser.Normalise(t) ?? t;
    }

    /// <summary>True when <paramref name="id"/> has a canonical GS1 Digital Link form (it carries a recognised GS1 key).</summary>
    public static bool IsGs1(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return DigitalLinkNormaliser.Normalise(id.Trim()) is not null;
    }
}

/// <summary>A canonical identifier split into the parts a pattern looks at.</summary>
internal readonly record struct EpcisIdKey(string Canonical, string? Ai, string? Key, string? QualifierAi)
{
    public static EpcisIdKey From(string id)
    {
        var t = id.Trim();
        var c = DigitalLinkNormaliser.Normalise(t);
        if (c is null)
            return new(t, null, null, null);
        var parts = c[EpcisIdentifiers.CanonicalStem.Length..].Split('/');
        return new(c, parts[0], parts.Length > 1 ? parts[1] : null, parts.Length > 3 ? parts[2] : null);
    }
}
