using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;

namespace Ledger.Protocol.Mapping;

/// <summary>
/// What the mapping needs to know beyond the event itself: the consortium's party directory (GLN ⇄ party) and, for a
/// receive, which Ship record it answers. The node implements it over its state; tests over dictionaries.
/// </summary>
public interface IEpcisMappingContext
{
    /// <summary>The party that owns <paramref name="gln"/> (a party GLN, AI 417, or one of its location GLNs), or null.</summary>
    Address? PartyForGln(string gln);

    /// <summary>A GLN that names <paramref name="party"/> in EPCIS (its party GLN), or null.</summary>
    string? GlnForParty(Address party);

    /// <summary>The Ship record that sent <paramref name="items"/> to a receiver, or null when none is known.</summary>
    Hash32? ShipFor(IReadOnlyList<ItemId> items);
}
