using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Storage.RocksDb;

namespace Ledger.Engine.Lane;

/// <summary>
/// A record about an item written outside the item's custody chain (docs/spec/custody.md §8): a per-serial recall by a
/// party on another lane. It does not move the item's chain (its <c>LatestRecord</c>); it marks the item, and the mark
/// counts for a record of the custody chain only when it is in that record's causal past.
/// </summary>
/// <param name="Lane">The lane number (in this store) of the block that holds the record.</param>
/// <param name="Height">That block's height.</param>
/// <param name="Record">The record id.</param>
internal readonly record struct ItemFact(int Lane, long Height, Hash32 Record);

/// <summary>
/// The rule that makes records about one item on different lanes reach the same state on every node whatever the order
/// in which their blocks arrive (docs/spec/custody.md §8).
/// <para>
/// An item's custody chain (its <c>LatestRecord</c>, status, custodian) is written by one lane at a time, the
/// <em>chain lane</em>: the lane of the node hosting the item's custodian; while the item is in transit to a party
/// hosted on another node, only that party's Receive of the pending Ship, on the recipient's lane, continues the chain.
/// Records of the chain are therefore causally ordered (each names the last in its <c>deps</c>, a hand-over needs the
/// certified Ship in the receiving block's past) and every node folds them in the same order.
/// </para>
/// <para>
/// A record naming an existing item from any other lane is <em>out of chain</em>: a Verify or an Observation changes no
/// item state; a per-serial Recall adds an <see cref="ItemFact"/>; any other kind is refused (<c>out-of-lane</c>: the
/// custodian's node writes the custody chain). Out-of-chain records need only a dependency on a record already on the
/// ledger. In one-node consortia every record is in chain, so the rules are exactly the custody rules.
/// </para>
/// </summary>
internal sealed class CrossLane(ConsortiumDirectory consortium)
{
    /// <summary>Code of a custody step written outside the lane of the item's custodian.</summary>
    public const string OutOfLaneCode = "out-of-lane";

    /// <summary>The node (lane) hosting <paramref name="party"/>, or null for an unknown party.</summary>
    public Address? HostOf(Address party) => consortium.Find(party)?.Node;

    /// <summary>True when a record on <paramref name="lane"/> continues the chain of the item in state <paramref name="state"/>.</summary>
    public bool InChain(ItemState state, LedgerRecord record, Address lane)
    {
        var custodianLane = HostOf(state.Custodian);
        if (state.Status == ItemStatus.InTransit && state.PendingShip is { } pending)
        {
            var recipientLane = HostOf(pending.ToParty);
            if (recipientLane == custodianLane)
                return custodianLane == lane;
            return record.Payload is ReceivePayload r && r.Ship == pending.Ship && recipientLane == lane;
        }
        return custodianLane == lane;
    }

    /// <summary>The kinds that may be written out of chain.</summary>
    public static bool MayBeOutOfChain(LedgerRecord record) =>
        record.Payload is VerifyPayload or ObservationPayload || (record.Payload is RecallPayload r && r.Lot.Length == 0 && r.Items.Count > 0);

    /// <summary>The mark key of a lot recall (GTIN, lot): lot facts carry their causal position like item marks.</summary>
    public static Hash32 RecallMarkKey(string gtin, string lot) => Ledger.Protocol.Crypto.Sha256.Hash(System.Text.Encoding.UTF8.GetBytes("ledger/node/lot-recall\0" + gtin + "\0" + lot));

    /// <summary>The mark key of a withdrawal of a lot, or of the whole product (<paramref name="lot"/> empty).</summary>
    public static Hash32 WithdrawMarkKey(string gtin, string lot) => Ledger.Protocol.Crypto.Sha256.Hash(System.Text.Encoding.UTF8.GetBytes("ledger/node/withdraw\0" + gtin + "\0" + lot));

    /// <summary>The mark key of a lot-level record (a lot recall or a withdrawal), or null for any other record.</summary>
    public static Hash32? LotMarkKey(LedgerRecord record) => record.Payload switch
    {
        RecallPayload { Lot.Length: > 0 } r => RecallMarkKey(r.Gtin, r.Lot),
        WithdrawPayload w => WithdrawMarkKey(w.Gtin, w.Lot),
        _ => null,
    };

    /// <summary>
    /// The lot facts a record of the chain sees: a fact whose marks are all outside the record's causal past is left out
    /// (a fact without marks — written in a one-node consortium — always counts).
    /// </summary>
    public static LotFacts VisibleLots(LotFacts lots, FactBook facts, Func<ItemFact, bool> visible)
    {
        bool Hidden(Hash32 key)
        {
            var marks = facts.Of(key);
            return marks.Count > 0 && !marks.Any(visible);
        }
        var recalled = lots.RecalledLots.Where(x => Hidden(RecallMarkKey(x.Gtin, x.Lot))).ToList();
        var products = lots.WithdrawnProducts.Where(g => Hidden(WithdrawMarkKey(g, ""))).ToList();
        var withdrawn = lots.WithdrawnLots.Where(x => Hidden(WithdrawMarkKey(x.Gtin, x.Lot))).ToList();
        if (recalled.Count == 0 && products.Count == 0 && withdrawn.Count == 0)
            return lots;
        return lots with
        {
            RecalledLots = lots.RecalledLots.Except(recalled),
            WithdrawnProducts = lots.WithdrawnProducts.Except(products),
            WithdrawnLots = lots.WithdrawnLots.Except(withdrawn),
        };
    }

    /// <summary>Every fact of either (lot facts only grow).</summary>
    public static LotFacts Union(LotFacts a, LotFacts b) => a with
    {
        RecalledLots = a.RecalledLots.Union(b.RecalledLots),
        WithdrawnProducts = a.WithdrawnProducts.Union(b.WithdrawnProducts),
        WithdrawnLots = a.WithdrawnLots.Union(b.WithdrawnLots),
    };

    /// <summary>True when both hold the same facts.</summary>
    public static bool SameFacts(LotFacts a, LotFacts b) =>
        a.RecalledLots.SetEquals(b.RecalledLots) && a.WithdrawnProducts.SetEquals(b.WithdrawnProducts) && a.WithdrawnLots.SetEquals(b.WithdrawnLots);

    /// <summary>The status a record of the chain sees: the stored one, or Recalled when a visible recall mark holds.</summary>
    public static ItemState WithVisibleFacts(ItemState state, IEnumerable<ItemFact> facts, Func<ItemFact, bool> visible) =>
        state.Status is ItemStatus.Destroyed or ItemStatus.Stolen or ItemStatus.Recalled || !facts.Any(visible)
            ? state
            : state with { Status = ItemStatus.Recalled };
}

/// <summary>
/// The out-of-chain marks (<see cref="ItemFact"/>) of every item, in memory (they are rare: per-serial recalls from
/// other lanes) and in the <c>item-facts</c> family (key: item state key ‖ lane ‖ height ‖ record id, empty value).
/// Layers as the overlay's: committed, the block in flight, this block, this submission.
/// </summary>
internal sealed class FactBook
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Hash32, List<ItemFact>> _committed = [];
    private int _committedCount;
    private List<(Hash32 Key, ItemFact Fact)> _inFlight = [];
    private readonly List<(Hash32 Key, ItemFact Fact)> _block = [];
    private readonly List<(Hash32 Key, ItemFact Fact)> _submission = [];

    public static FactBook Load(LaneStore store)
    {
        var book = new FactBook();
        using var it = store.Db.NewIterator(store[LaneStore.ItemFacts]);
        for (it.SeekToFirst(); it.Valid(); it.Next())
        {
            var (key, fact) = DecodeKey(it.Key());
            book.AddCommitted(key, fact);
        }
        return book;
    }

    private void AddCommitted(Hash32 key, ItemFact fact)
    {
        lock (_lock)
        {
            if (!_committed.TryGetValue(key, out var list))
                _committed[key] = list = [];
            list.Add(fact);
            _committedCount++;
        }
    }

    /// <summary>True when no item has a mark (the common case: every lookup skips the book).</summary>
    public bool IsEmpty
    {
        get
        {
            if (Volatile.Read(ref _committedCount) > 0)
                return false;
            return _inFlight.Count == 0 && _block.Count == 0 && _submission.Count == 0;
        }
    }

    public IReadOnlyList<ItemFact> Of(Hash32 stateKey)
    {
        var result = new List<ItemFact>();
        lock (_lock)
        {
            if (_committed.TryGetValue(stateKey, out var list))
                result.AddRange(list);
        }
        foreach (var layer in new[] { _inFlight, _block, _submission })
            foreach (var (k, f) in layer)
                if (k == stateKey)
                    result.Add(f);
        return result;
    }

    public void Stage(Hash32 stateKey, ItemFact fact) => _submission.Add((stateKey, fact));

    public void CommitSubmission()
    {
        _block.AddRange(_submission);
        _submission.Clear();
    }

    public void DropSubmission() => _submission.Clear();

    public void ResetBlock()
    {
        _submission.Clear();
        _block.Clear();
    }

    /// <summary>This block's marks into its write batch; they stay in flight until <see cref="Committed"/>.</summary>
    public void WriteTo(LaneStore store, WriteBatch wb)
    {
        foreach (var (key, fact) in _block)
            wb.Put(store[LaneStore.ItemFacts], EncodeKey(key, fact), []);
    }

    /// <summary>On the sequencer, after the block's batch is handed over: its marks are in flight.</summary>
    public List<(Hash32 Key, ItemFact Fact)> Seal()
    {
        var sealedFacts = new List<(Hash32, ItemFact)>(_block);
        _inFlight = sealedFacts;
        _block.Clear();
        return sealedFacts;
    }

    /// <summary>After the block's batch is durable.</summary>
    public void Committed(List<(Hash32 Key, ItemFact Fact)> facts)
    {
        foreach (var (key, fact) in facts)
            AddCommitted(key, fact);
        if (ReferenceEquals(_inFlight, facts))
            _inFlight = [];
    }

    public static byte[] EncodeKey(Hash32 stateKey, ItemFact fact)
    {
        var b = new byte[32 + 4 + 8 + 32];
        stateKey.CopyTo(b);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(32), fact.Lane);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(36), fact.Height);
        fact.Record.CopyTo(b.AsSpan(44));
        return b;
    }

    public static (Hash32 Key, ItemFact Fact) DecodeKey(ReadOnlySpan<byte> b) => b.Length == 76
        ? (new Hash32(b[..32]), new ItemFact(BinaryPrimitives.ReadInt32BigEndian(b[32..]), BinaryPrimitives.ReadInt64BigEndian(b[36..]), new Hash32(b[44..])))
        : throw new InvalidOperationException($"an item-facts key is {b.Length} bytes, expected 76: the store is damaged");
}
