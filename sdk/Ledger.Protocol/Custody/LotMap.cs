using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Custody;

/// <summary>
/// The lot entries of the state map (docs/spec/lane.md §3, state map version 2): facts that apply to many items at once
/// are committed by the state root as a per-lot and a per-product record chain, so an answer can prove them.
/// A lot's key is SHA-256("ledger/lot/v1" || 0x00 || RLP([gtin, lot])), a product's SHA-256("ledger/product/v1" || 0x00 ||
/// RLP([gtin])); the value is the chain head over the key's records in lane order:
/// head₀ = 32 zero bytes, headₙ = SHA-256("ledger/lot-chain/v1" || 0x00 || RLP([headₙ₋₁, recordIdₙ])).
/// </summary>
public static class LotMap
{
    /// <summary>The state-map key of a lot.</summary>
    public static Hash32 LotKey(string gtin, string lot)
    {
        ArgumentNullException.ThrowIfNull(gtin);
        ArgumentNullException.ThrowIfNull(lot);
        return DomainTags.Hash(DomainTags.Lot, Rlp.Rlp.Encode(RlpItem.List(RlpItem.Text(gtin), RlpItem.Text(lot))));
    }

    /// <summary>The state-map key of a product (every lot of a GTIN).</summary>
    public static Hash32 ProductKey(string gtin)
    {
        ArgumentNullException.ThrowIfNull(gtin);
        return DomainTags.Hash(DomainTags.Product, Rlp.Rlp.Encode(RlpItem.List(RlpItem.Text(gtin))));
    }

    /// <summary>The chain head after <paramref name="record"/> (previous null = the chain is empty).</summary>
    public static Hash32 Chain(Hash32? previous, Hash32 record) =>
        DomainTags.Hash(DomainTags.LotChain, Rlp.Rlp.Encode(RlpItem.List(RlpItem.Hash(previous ?? Hash32.Zero), RlpItem.Hash(record))));

    /// <summary>The chain head over records in order, or null for none.</summary>
    public static Hash32? Fold(IEnumerable<Hash32> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        Hash32? head = null;
        foreach (var r in records)
            head = Chain(head, r);
        return head;
    }

    /// <summary>
    /// The lot or product key an accepted record extends: a Recall of a lot (payload lot not empty), a Withdraw of a lot
    /// (lot key) or of a product (lot empty: product key). Null for every other record, and for a Recall of serials
    /// (that changes the items' own states).
    /// </summary>
    public static Hash32? KeyOf(LedgerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Payload switch
        {
            RecallPayload { Lot.Length: > 0 } p => LotKey(p.Gtin, p.Lot),
            WithdrawPayload { Lot.Length: > 0 } p => LotKey(p.Gtin, p.Lot),
            WithdrawPayload p => ProductKey(p.Gtin),
            _ => null,
        };
    }

    /// <summary>Applies a lot or product record to lot facts (the same facts the custody rules keep).</summary>
    public static LotFacts Apply(LotFacts facts, LedgerRecord record)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(record);
        return record.Payload switch
        {
            RecallPayload { Lot.Length: > 0 } p => facts with { RecalledLots = facts.RecalledLots.Add((p.Gtin, p.Lot)) },
            WithdrawPayload { Lot.Length: > 0 } p => facts with { WithdrawnLots = facts.WithdrawnLots.Add((p.Gtin, p.Lot)) },
            WithdrawPayload p => facts with { WithdrawnProducts = facts.WithdrawnProducts.Add(p.Gtin) },
            _ => facts,
        };
    }
}
