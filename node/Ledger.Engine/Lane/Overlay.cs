using Ledger.Protocol.Consortium;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Engine.Lane;

/// <summary>
/// The state as the sequencer sees it while building a block: committed state underneath, then the block in flight
/// (handed to the committer, its RocksDB write not yet done), this block's accepted changes above it, and the current
/// submission's changes on top (dropped when the submission is rejected).
/// </summary>
internal sealed class Overlay(LaneStore store, ConsortiumDirectory consortium, Func<Hash32, bool> isCertified, FactBook facts) : ILaneView
{
    /// <summary>How a record of an item's custody chain sees the item: its out-of-chain marks in the record's causal past applied (CrossLane).</summary>
    public Func<ItemId, ItemState, ItemState>? Adjust { get; set; }

    private readonly Dictionary<ItemId, ItemState> _block = [];
    private readonly Dictionary<ItemId, ItemState> _submission = [];
    private readonly HashSet<Hash32> _blockRecords = [];
    private readonly HashSet<Hash32> _submissionRecords = [];
    private readonly HashSet<string> _blockKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _submissionKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<ItemId, (string Gln, long TimeMs)> _blockScans = [];
    private readonly Dictionary<ItemId, (string Gln, long TimeMs)> _submissionScans = [];
    private readonly Dictionary<Hash32, Hash32> _blockChains = [];
    private readonly Dictionary<Hash32, Hash32> _submissionChains = [];
    private LotFacts? _blockLots;
    private LotFacts? _submissionLots;
    private bool _lotsChanged;
    private InFlightLayer? _inFlight;

    /// <summary>The lot facts as stored and written (every lane's); the custody rules see <see cref="ICustodyContext.Lots"/>.</summary>
    public LotFacts Lots => _submissionLots ?? _blockLots ?? (_blockLots = _inFlight?.Lots ?? store.GetLots());

    /// <summary>How a record of the chain sees the lot facts: those outside its causal past left out (CrossLane).</summary>
    public Func<LotFacts, LotFacts>? AdjustLots { get; set; }

    LotFacts ICustodyContext.Lots => AdjustLots is null || facts.IsEmpty ? Lots : AdjustLots(Lots);

    /// <summary>True when a record of this block changed the lot facts (a recall or withdrawal): only then are they written.</summary>
    public bool LotsChanged => _lotsChanged;

    public IReadOnlyDictionary<ItemId, ItemState> BlockItems => _block;

    /// <summary>The lot and product chain heads this block changed (state-map key → head; docs/spec/lane.md §3).</summary>
    public IReadOnlyDictionary<Hash32, Hash32> BlockLotChains => _blockChains;

    /// <summary>The chain head of a lot or product key as this block and submission left it, or null (read the state map).</summary>
    public Hash32? LotChain(Hash32 key) =>
        _submissionChains.TryGetValue(key, out var h) || _blockChains.TryGetValue(key, out h) ? h : null;

    public void SetLotChain(Hash32 key, Hash32 head) => _submissionChains[key] = head;

    public IReadOnlyDictionary<ItemId, (string Gln, long TimeMs)> BlockScans => _blockScans;

    public IReadOnlyCollection<string> CompanyPrefixes(Address party) => consortium.CompanyPrefixes(party);

    public IReadOnlyCollection<string> DelegatedGtins(Address party) => consortium.DelegatedGtins(party);

    public IReadOnlyCollection<string> Glns(Address party) => consortium.Glns(party);

    public PartyRoles Roles(Address party) => consortium.Roles(party);

    public bool IsShipCertified(Hash32 shipRecord) => isCertified(shipRecord);

    public ItemState? Get(ItemId item)
    {
        var s = GetStored(item);
        return s is null || Adjust is null || facts.IsEmpty ? s : Adjust(item, s);
    }

    /// <summary>The item's state as its custody chain left it (no out-of-chain marks applied).</summary>
    public ItemState? GetStored(ItemId item) =>
        _submission.TryGetValue(item, out var x) ? x
            : _block.TryGetValue(item, out x) ? x
            : _inFlight is not null && _inFlight.Items.TryGetValue(item, out x) ? x
            : store.GetItem(item);

    public IReadOnlyList<Hash32> DepsFor(IEnumerable<ItemId> items) =>
        [.. items.Select(Get).OfType<ItemState>().Select(s => s.LatestRecord).Distinct().Order()];

    public bool HasRecord(Hash32 id) =>
        _submissionRecords.Contains(id) || _blockRecords.Contains(id) || _inFlight?.Records.Contains(id) == true || store.FindRecord(id) is not null;

    /// <summary>The height of a record already on the ledger (committed or in flight), or null.</summary>
    public long? HeightOf(Hash32 id) => _inFlight?.Records.Contains(id) == true ? _inFlight.Height : store.FindRecord(id)?.Height;

    /// <summary>True when the record is in the block in flight (written to its segment, not yet committed).</summary>
    public bool IsInFlight(Hash32 id) => _inFlight?.Records.Contains(id) == true;

    public bool HasKey(string key) => _submissionKeys.Contains(key) || _blockKeys.Contains(key) || _inFlight?.Keys.ContainsKey(key) == true;

    /// <summary>The records and height of an EPCIS event captured in the block in flight, or null.</summary>
    public (IReadOnlyList<Hash32> RecordIds, long Height)? InFlightKey(string key) =>
        _inFlight is not null && _inFlight.Keys.TryGetValue(key, out var ids) ? (ids, _inFlight.Height) : null;

    public (string Gln, long TimeMs)? LastScan(ItemId item)
    {
        if (_submissionScans.TryGetValue(item, out var s) || _blockScans.TryGetValue(item, out s)
            || (_inFlight is not null && _inFlight.Scans.TryGetValue(item, out s)))
            return s;
        return store.Get(LaneStore.Scans, item.StateKey().ToArray()) is { } b ? DecodeScan(b) : null;
    }

    public void Apply(Hash32 recordId, CustodyOutcome outcome)
    {
        foreach (var s in outcome.Updates)
            _submission[s.Item] = s;
        // The rules hand back the very same facts when a record changes none of them.
        if (outcome.Lots is { } lots && !ReferenceEquals(lots, Lots))
        {
            // The rules saw the facts of the record's causal past; the store keeps every fact (they only grow).
            var merged = CrossLane.Union(Lots, lots);
            if (!CrossLane.SameFacts(merged, Lots))
                _submissionLots = merged;
        }
        _submissionRecords.Add(recordId);
    }

    public void AddKey(string key) => _submissionKeys.Add(key);

    public void AddScan(ItemId item, string gln, long timeMs) => _submissionScans[item] = (gln, timeMs);

    public void CommitSubmission()
    {
        foreach (var (k, v) in _submission)
            _block[k] = v;
        _blockRecords.UnionWith(_submissionRecords);
        _blockKeys.UnionWith(_submissionKeys);
        foreach (var (k, v) in _submissionScans)
            _blockScans[k] = v;
        foreach (var (k, v) in _submissionChains)
            _blockChains[k] = v;
        if (_submissionLots is not null)
        {
            _blockLots = _submissionLots;
            _lotsChanged = true;
        }
        facts.CommitSubmission();
        DropSubmission();
    }

    public void DropSubmission()
    {
        _submission.Clear();
        _submissionRecords.Clear();
        _submissionKeys.Clear();
        _submissionScans.Clear();
        _submissionChains.Clear();
        _submissionLots = null;
        facts.DropSubmission();
    }

    /// <summary>
    /// Takes this block's changes out of the overlay as the layer of the block in flight (the overlay keeps reading
    /// through it until <see cref="SetInFlight"/> replaces it); the overlay is then empty for the next block.
    /// </summary>
    public InFlightLayer Seal(long height, Dictionary<string, IReadOnlyList<Hash32>> keys) =>
        new(height, new Dictionary<ItemId, ItemState>(_block), [.. _blockRecords], keys, new Dictionary<ItemId, (string, long)>(_blockScans),
            _lotsChanged ? _blockLots : null);

    /// <summary>The layer of the block in flight (null when none is).</summary>
    public void SetInFlight(InFlightLayer? layer) => _inFlight = layer;

    public void Reset()
    {
        DropSubmission();
        _block.Clear();
        _blockRecords.Clear();
        _blockKeys.Clear();
        _blockScans.Clear();
        _blockChains.Clear();
        _blockLots = null;
        _lotsChanged = false;
        facts.ResetBlock();
    }

    public static byte[] EncodeScan(string gln, long timeMs) => StateCodec.Concat(StateCodec.BigEndian(timeMs), System.Text.Encoding.ASCII.GetBytes(gln));

    private static (string, long) DecodeScan(byte[] b) =>
        (System.Text.Encoding.ASCII.GetString(b, 8, b.Length - 8), System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(b));
}

/// <summary>A block handed to the committer: what the sequencer must see of it until its RocksDB write is done.</summary>
internal sealed record InFlightLayer(
    long Height,
    Dictionary<ItemId, ItemState> Items,
    HashSet<Hash32> Records,
    Dictionary<string, IReadOnlyList<Hash32>> Keys,
    Dictionary<ItemId, (string Gln, long TimeMs)> Scans,
    LotFacts? Lots);
