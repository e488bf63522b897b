using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;

namespace Ledger.Engine.Lane;

/// <summary>One record of an item's history with everything needed to check it offline.</summary>
/// <param name="Record">The record.</param>
/// <param name="Seal">Its batch header, the author's batch signature and the record's path in the batch.</param>
/// <param name="Height">The block that holds it.</param>
/// <param name="LogIndex">Its index in the lane log.</param>
/// <param name="Proof">Its inclusion proof in the lane log at the answer's header (tree size = header log size).</param>
public sealed record ProvenanceEntry(LedgerRecord Record, RecordSeal Seal, long Height, long LogIndex, InclusionProof Proof);

/// <summary>
/// The records of a lot or a product (lot-level recalls and withdrawals) at one header, with the state-map proof of
/// the key's chain head (docs/spec/lane.md §3), or of its absence when the lot has no record.
/// </summary>
/// <param name="Gtin">The GTIN-14.</param>
/// <param name="Lot">The lot; null for a product's history.</param>
/// <param name="Key">The state-map key (<see cref="LotMap.LotKey"/> or <see cref="LotMap.ProductKey"/>).</param>
/// <param name="Records">The key's records in lane order.</param>
/// <param name="Proof">Sparse Merkle proof of key → chain head over <paramref name="Records"/> (or absence).</param>
public sealed record LotHistory(string Gtin, string? Lot, Hash32 Key, IReadOnlyList<ProvenanceEntry> Records, SparseMerkleProof Proof);

/// <summary>
/// An item's provenance at one certified header: every record that touched it with its seal and inclusion proof, and the
/// state-root proof that the last of them is the item's latest record (so no later record was left out).
/// </summary>
/// <param name="Item">The item.</param>
/// <param name="State">Its state at the header (null when the ledger does not know it).</param>
/// <param name="Status">Its effective status at <paramref name="StatusAt"/>: the lot's and product's records at the header and the expiry date applied.</param>
/// <param name="Records">Its history in lane order.</param>
/// <param name="Header">The signed header every proof is against.</param>
/// <param name="Certificate">The header's certificate.</param>
/// <param name="StateProof">Sparse Merkle proof of item → latest record id (or absence) at the header's state root.</param>
/// <param name="Alerts">Alerts about the item.</param>
/// <param name="Children">The items directly inside it, with their states.</param>
/// <param name="Lot">The history of the item's lot with its state proof (null for an SSCC, an unknown item, or a store of state map version 1).</param>
/// <param name="Product">The history of the item's product (GTIN) with its state proof (null likewise).</param>
/// <param name="StatusAt">The time <paramref name="Status"/> was evaluated at (expiry).</param>
public sealed record ProvenanceAnswer(
    ItemId Item,
    ItemState? State,
    ItemStatus? Status,
    IReadOnlyList<ProvenanceEntry> Records,
    SignedHeader? Header,
    Certificate? Certificate,
    SparseMerkleProof? StateProof,
    IReadOnlyList<LedgerAlert> Alerts,
    IReadOnlyList<ItemState> Children,
    LotHistory? Lot = null,
    LotHistory? Product = null,
    DateTimeOffset StatusAt = default);

public sealed partial class LedgerEngine
{
    /// <summary>The provenance of an item at the committed head (consistent: proofs, state and history are of one header).</summary>
    public ProvenanceAnswer GetProvenance(ItemId item, DateTimeOffset? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        for (var attempt = 0; ; attempt++)
        {
            var head = _head;
            var answer = BuildProvenance(item, head, asOf ?? _time.GetUtcNow());
            if (answer is not null)
                return answer;
            if (attempt > 100)
                throw new InvalidOperationException("the head kept moving while the provenance answer was read");
            Thread.Sleep(1);
        }
    }

    private ProvenanceAnswer? BuildProvenance(ItemId item, LaneHead head, DateTimeOffset asOf)
    {
        if (head.Header is null)
            return new ProvenanceAnswer(item, null, null, [], null, null, null, [], [], StatusAt: asOf);
        var key = item.StateKey();
        if (_stateNodes.ReadView(head.Height) is not { } stateNodes)
            return null; // a state-map checkpoint above this head started since it was read: read again
        var stateTree = new SparseMerkleTree(stateNodes, head.Header.Header.StateRoot);
        // One walk of the state map: the proof's leaf is the item's entry when its key is the item's.
        var proof = stateTree.Prove(key);
        var latest = proof.Leaf is { } leaf && leaf.Key == key ? leaf.Value : (Hash32?)null;
        var state = Store.GetItem(item);
        // The item's latest record may be of another lane the node replicates: the answer proves the own lane's part.
        var foreignLatest = state is not null && Store.FindRecord(state.LatestRecord) is { } at && at.Lane != Store.LaneNumber;
        if (latest is { } l && state is not null && state.LatestRecord != l && !foreignLatest)
            return null; // the state is newer than the head just read: read again
        var log = MerkleLog.Open(new LogNodeStore(Store), head.LogSize);
        var entries = Entries(Store.GetHistory(key), head, log);
        state = latest is null && !foreignLatest ? null : state;
        LotHistory? lot = null, product = null;
        var lots = LotFacts.Empty;
        if (!_lotMap)
        {
            // A store of state map version 1: its lot facts are in meta/lots only, committed by no state root.
            lots = Store.GetLots();
        }
        else if (state is { Gtin: { } gtin })
        {
            lot = History(gtin, state.Lot ?? "", LotMap.LotKey(gtin, state.Lot ?? ""), stateTree, head, log);
            product = History(gtin, null, LotMap.ProductKey(gtin), stateTree, head, log);
            foreach (var e in lot.Records.Concat(product.Records))
                lots = LotMap.Apply(lots, e.Record);
        }
        ItemStatus? status = null;
        if (state is not null)
        {
            status = CustodyRules.EffectiveStatus(state, lots);
            if (status is ItemStatus.Active or ItemStatus.InTransit && CustodyRules.IsExpired(state, asOf.ToUnixTimeMilliseconds()))
                status = ItemStatus.Expired;
        }
        var children = state?.Children.Select(Store.GetItem).OfType<ItemState>().ToList() ?? [];
        return new ProvenanceAnswer(item, state, status, entries, head.Header, head.Certificate, proof,
            Store.GetItemAlerts(item), children, lot, product, asOf);
    }

    private LotHistory History(string gtin, string? lot, Hash32 key, SparseMerkleTree stateTree, LaneHead head, MerkleLog log)
    {
        var proof = stateTree.Prove(key);
        return new LotHistory(gtin, lot, key, Entries(Store.GetHistory(key), head, log), proof);
    }

    /// <summary>The records of a history that are in the log at the head, with their seals and inclusion proofs.</summary>
    private List<ProvenanceEntry> Entries(IReadOnlyList<Hash32> ids, LaneHead head, MerkleLog log)
    {
        var entries = new List<ProvenanceEntry>();
        foreach (var id in ids)
        {
            // The answer proves the own lane's records against its header; records of other lanes the node replicates
            // are proved against their own lanes' headers (not part of this answer).
            if (Store.FindRecord(id) is not { } loc || loc.Lane != Store.LaneNumber || loc.LogIndex >= head.LogSize)
                continue;
            var (record, seal) = Store.GetRecordAt(loc);
            Store.CheckRecord(record, id, loc);
            entries.Add(new ProvenanceEntry(record, seal, loc.Height, loc.LogIndex, log.CreateInclusionProof(loc.LogIndex, head.LogSize)));
        }
        return entries;
    }

    /// <summary>An inclusion proof of the record in the lane log at the head, or null when the record is not on the ledger.</summary>
    public (RecordLocation Location, InclusionProof Proof, LaneHead Head)? GetInclusionProof(Hash32 recordId)
    {
        var head = _head;
        if (Store.FindRecord(recordId) is not { } loc || loc.Lane != Store.LaneNumber || loc.LogIndex >= head.LogSize)
            return null;
        return (loc, MerkleLog.Open(new LogNodeStore(Store), head.LogSize).CreateInclusionProof(loc.LogIndex, head.LogSize), head);
    }

    /// <summary>A consistency proof between two lane log sizes (both at most the head's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, above the head's, or old &gt; new.</exception>
    public ConsistencyProof GetConsistencyProof(long oldSize, long newSize)
    {
        var head = _head;
        if (oldSize < 0 || newSize > head.LogSize || oldSize > newSize)
            throw new ArgumentOutOfRangeException(nameof(oldSize), $"sizes must satisfy 0 ≤ old ≤ new ≤ {head.LogSize}; got {oldSize} and {newSize}");
        return MerkleLog.Open(new LogNodeStore(Store), head.LogSize).CreateConsistencyProof(oldSize, newSize);
    }
}
