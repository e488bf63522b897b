using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;

namespace Ledger.Engine.Lane;

/// <summary>
/// One lane's part of a provenance answer across lanes (docs/spec/verifier.md §7), read at one header of that lane:
/// the lane's records of the item with inclusion proofs in the lane's log, the state proof of the item key at the
/// header's state root, and the lane's lot and product histories.
/// </summary>
/// <param name="Lane">The lane (a consortium node's address).</param>
/// <param name="Header">The header every proof of the section is against; null when the node holds no header of the lane.</param>
/// <param name="Certificate">Its certificate as held here (the quorum's, unless the item's latest record is above the newest certified header).</param>
/// <param name="StateProof">Item → the lane's last record that touched it (or absence) at the header's state root.</param>
/// <param name="Records">The lane's records of the item, in lane order.</param>
/// <param name="Lot">The lane's history of the item's lot (null without a header, for an SSCC or an unknown item).</param>
/// <param name="Product">The lane's history of the item's product (null likewise).</param>
public sealed record LaneSection(
    Address Lane,
    SignedHeader? Header,
    Certificate? Certificate,
    SparseMerkleProof? StateProof,
    IReadOnlyList<ProvenanceEntry> Records,
    LotHistory? Lot,
    LotHistory? Product);

/// <summary>
/// An item's provenance across every lane the node holds (<c>ledger-provenance/v3</c>): one <see cref="LaneSection"/> per
/// consortium node in the consortium's order, the node-wide state, and the status the sections prove.
/// </summary>
/// <param name="Item">The item.</param>
/// <param name="State">Its node-wide state (the fold of every lane; null when the node does not know it).</param>
/// <param name="Status">Its effective status at <paramref name="StatusAt"/>: every lane's lot and product records, the recall marks among the sections' records, expiry.</param>
/// <param name="Lanes">One section per consortium node.</param>
/// <param name="Alerts">Alerts about the item.</param>
/// <param name="Children">The items directly inside it, with their states.</param>
/// <param name="StatusAt">The time <paramref name="Status"/> was evaluated at.</param>
public sealed record CrossLaneProvenance(
    ItemId Item,
    ItemState? State,
    ItemStatus? Status,
    IReadOnlyList<LaneSection> Lanes,
    IReadOnlyList<LedgerAlert> Alerts,
    IReadOnlyList<ItemState> Children,
    DateTimeOffset StatusAt)
{
    /// <summary>
    /// The answer as one history (every lane's records by record time, then lane order) with no header: for pages that
    /// show a history and a status (the passport, permission checks), not for verification.
    /// </summary>
    public ProvenanceAnswer ToHistory() => new(Item, State, Status,
        [.. Lanes.SelectMany(l => l.Records).OrderBy(e => e.Record.TimeMs)], null, null, null, Alerts, Children, StatusAt: StatusAt);
}

public sealed partial class LedgerEngine
{
    /// <summary>How far below a lane's head the newest certified header is looked for.</summary>
    private const int CertifiedLookBack = 256;

    /// <summary>
    /// The provenance of an item across every lane (docs/spec/verifier.md §7): each lane's section at the newest header
    /// of that lane held here with the quorum's certificate (the head, when the item's latest record lies above it).
    /// </summary>
    public CrossLaneProvenance GetProvenanceAcrossLanes(ItemId item, DateTimeOffset? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        var at = asOf ?? _time.GetUtcNow();
        for (var attempt = 0; ; attempt++)
        {
            var answer = BuildAcrossLanes(item, at);
            if (answer is not null)
                return answer;
            if (attempt > 100)
                throw new InvalidOperationException("the lanes kept moving while the provenance answer was read");
            Thread.Sleep(1);
        }
    }

    private CrossLaneProvenance? BuildAcrossLanes(ItemId item, DateTimeOffset asOf)
    {
        var key = item.StateKey();
        var state = Store.GetItem(item);
        var latest = state is null ? null : Store.FindRecord(state.LatestRecord);
        var history = Store.GetHistory(key);
        var sections = new List<LaneSection>();
        foreach (var node in Consortium.Definition.Nodes)
        {
            LaneSection? section;
            try
            {
                section = Section(node.Address, key, state, latest, history);
            }
            catch (InvalidOperationException) when (Store.GetItem(item)?.LatestRecord != state?.LatestRecord)
            {
                return null; // a lane moved under the reader (a state node of a root being written): read again
            }
            if (section is null)
                return null;
            sections.Add(section);
        }
        // Consistent: the node-wide state did not move while the sections were read.
        if (Store.GetItem(item)?.LatestRecord != state?.LatestRecord)
            return null;
        var ids = sections.SelectMany(s => s.Records).Select(e => e.Record.Id).ToHashSet();
        var lots = LotFacts.Empty;
        foreach (var s in sections)
            foreach (var e in (s.Lot?.Records ?? []).Concat(s.Product?.Records ?? []))
                lots = LotMap.Apply(lots, e.Record);
        ItemStatus? status = null;
        if (state is not null)
        {
            var marked = CrossLane.WithVisibleFacts(state, _facts.Of(key), f => ids.Contains(f.Record));
            status = CustodyRules.EffectiveStatus(marked, lots);
            if (status is ItemStatus.Active or ItemStatus.InTransit && CustodyRules.IsExpired(state, asOf.ToUnixTimeMilliseconds()))
                status = ItemStatus.Expired;
        }
        var children = state?.Children.Select(Store.GetItem).OfType<ItemState>().ToList() ?? [];
        return new CrossLaneProvenance(item, state, status, sections, Store.GetItemAlerts(item), children, asOf);
    }

    /// <summary>One lane's section at one header, or null when that lane's state map moved past what a reader may prove (read again).</summary>
    private LaneSection? Section(Address lane, Hash32 key, ItemState? state, RecordLocation? latest, IReadOnlyList<Hash32> history)
    {
        var own = lane == Lane;
        var view = own ? Store : Store.NumberOf(lane) is { } n ? Store.LaneByNumber(n) : null;
        var headHeight = own ? _head.Height : view?.Head.Height ?? 0;
        if (view is null || headHeight == 0)
            return new LaneSection(lane, null, null, null, [], null, null);
        var height = NewestCertified(view, headHeight);
        if (latest is { } l && l.Lane == view.LaneNumber && l.Height > height)
            height = headHeight; // the item's latest record is above the newest certified header: the head (not proven until certified)
        if (height == 0)
            return new LaneSection(lane, null, null, null, [], null, null);
        var nodes = own ? _stateNodes : _replicas.TryGetValue(view.LaneNumber, out var replica) ? replica.StateNodes : null;
        if (nodes is null)
            return null;
        // A state-map checkpoint above the certified header may have dropped that root's replaced nodes: the head then
        // (its proofs hold; its certificate is what the node holds so far).
        var stateNodes = nodes.ReadView(height);
        if (stateNodes is null && height < headHeight)
            stateNodes = nodes.ReadView(height = headHeight);
        if (stateNodes is null)
            return null;
        var header = view.GetHeader(height)!;
        var certificate = view.GetCertificate(height);
        var stateTree = new SparseMerkleTree(stateNodes, header.Header.StateRoot);
        var proof = stateTree.Prove(key);
        var log = MerkleLog.Open(new LogNodeStore(view), header.Header.LogSize);
        var records = LaneEntries(history, view.LaneNumber, header.Header.LogSize, log);
        LotHistory? lot = null, product = null;
        if (state is { Gtin: { } gtin })
        {
            var lotKey = LotMap.LotKey(gtin, state.Lot ?? "");
            var productKey = LotMap.ProductKey(gtin);
            lot = new LotHistory(gtin, state.Lot ?? "", lotKey, LaneEntries(Store.GetHistory(lotKey), view.LaneNumber, header.Header.LogSize, log), stateTree.Prove(lotKey));
            product = new LotHistory(gtin, null, productKey, LaneEntries(Store.GetHistory(productKey), view.LaneNumber, header.Header.LogSize, log), stateTree.Prove(productKey));
        }
        return new LaneSection(lane, header, certificate, proof, records, lot, product);
    }

    /// <summary>The newest height at or below the head whose certificate holds the quorum, or 0.</summary>
    private long NewestCertified(LaneStore view, long headHeight)
    {
        for (var h = headHeight; h > 0 && h > headHeight - CertifiedLookBack; h--)
        {
            if (view.GetCertificate(h) is { } c && c.Cosignatures.Select(s => s.Node).Distinct().Count(Consortium.NodeAddresses.Contains) >= Quorum)
                return h;
        }
        return 0;
    }

    /// <summary>The records of a history that are in one lane's log below <paramref name="logSize"/>, in log order, with their proofs.</summary>
    private List<ProvenanceEntry> LaneEntries(IReadOnlyList<Hash32> ids, int laneNumber, long logSize, MerkleLog log)
    {
        var entries = new List<ProvenanceEntry>();
        foreach (var id in ids)
        {
            if (Store.FindRecord(id) is not { } loc || loc.Lane != laneNumber || loc.LogIndex >= logSize)
                continue;
            var (record, seal) = Store.GetRecordAt(loc);
            Store.CheckRecord(record, id, loc);
            entries.Add(new ProvenanceEntry(record, seal, loc.Height, loc.LogIndex, log.CreateInclusionProof(loc.LogIndex, logSize)));
        }
        entries.Sort((a, b) => a.LogIndex.CompareTo(b.LogIndex));
        return entries;
    }
}
