using Ledger.Protocol.Consortium;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;

namespace Ledger.Engine.Lane;

/// <summary>
/// The state as the sequencer sees it while building a block: committed state underneath, this block's accepted
/// changes above it, and the current submission's changes on top (dropped when the submission is rejected).
/// </summary>
internal sealed class Overlay(LaneStore store, ConsortiumDirectory consortium, Func<Hash32, bool> isCertified) : ILaneView
{
    private readonly Dictionary<ItemId, ItemState> _block = [];
    private readonly Dictionary<ItemId, ItemState> _submission = [];
    private readonly HashSet<Hash32> _blockRecords = [];
    private readonly HashSet<Hash32> _submissionRecords = [];
    private readonly HashSet<string> _blockKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _submissionKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<ItemId, (string Gln, long TimeMs)> _blockScans = [];
    private readonly Dictionary<ItemId, (string Gln, long TimeMs)> _submissionScans = [];
    private LotFacts? _blockLots;
    private LotFacts? _submissionLots;
    private bool _lotsChanged;

    public LotFacts Lots => _submissionLots ?? _blockLots ?? (_blockLots = store.GetLots());

    /// <summary>True when a record of this block changed the lot facts (a recall or withdrawal): only then are they written.</summary>
    public bool LotsChanged => _lotsChanged;

    public IReadOnlyDictionary<ItemId, ItemState> BlockItems => _block;

    public IReadOnlyDictionary<ItemId, (string Gln, long TimeMs)> BlockScans => _blockScans;

    public IReadOnlyCollection<string> CompanyPrefixes(Address party) => consortium.CompanyPrefixes(party);

    public IReadOnlyCollection<string> DelegatedGtins(Address party) => consortium.DelegatedGtins(party);

    public IReadOnlyCollection<string> Glns(Address party) => consortium.Glns(party);

    public PartyRoles Roles(Address party) => consortium.Roles(party);

    public bool IsShipCertified(Hash32 shipRecord) => isCertified(shipRecord);

    public ItemState? Get(ItemId item) =>
        _submission.TryGetValue(item, out var s) ? s : _block.TryGetValue(item, out s) ? s : store.GetItem(item);

    public IReadOnlyList<Hash32> DepsFor(IEnumerable<ItemId> items) =>
        [.. items.Select(Get).OfType<ItemState>().Select(s => s.LatestRecord).Distinct().Order()];

    public bool HasRecord(Hash32 id) => _submissionRecords.Contains(id) || _blockRecords.Contains(id) || store.FindRecord(id) is not null;

    public bool HasKey(string key) => _submissionKeys.Contains(key) || _blockKeys.Contains(key);

    public (string Gln, long TimeMs)? LastScan(ItemId item)
    {
        if (_submissionScans.TryGetValue(item, out var s) || _blockScans.TryGetValue(item, out s))
            return s;
        return store.Get(LaneStore.Scans, item.StateKey().ToArray()) is { } b ? DecodeScan(b) : null;
    }

    public void Apply(Hash32 recordId, CustodyOutcome outcome)
    {
        foreach (var s in outcome.Updates)
            _submission[s.Item] = s;
        // The rules hand back the very same facts when a record changes none of them.
        if (outcome.Lots is { } lots && !ReferenceEquals(lots, Lots))
            _submissionLots = lots;
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
        if (_submissionLots is not null)
        {
            _blockLots = _submissionLots;
            _lotsChanged = true;
        }
        DropSubmission();
    }

    public void DropSubmission()
    {
        _submission.Clear();
        _submissionRecords.Clear();
        _submissionKeys.Clear();
        _submissionScans.Clear();
        _submissionLots = null;
    }

    public void Reset()
    {
        DropSubmission();
        _block.Clear();
        _blockRecords.Clear();
        _blockKeys.Clear();
        _blockScans.Clear();
        _blockLots = null;
        _lotsChanged = false;
    }

    public static byte[] EncodeScan(string gln, long timeMs) => StateCodec.Concat(StateCodec.BigEndian(timeMs), System.Text.Encoding.ASCII.GetBytes(gln));

    private static (string, long) DecodeScan(byte[] b) =>
        (System.Text.Encoding.ASCII.GetString(b, 8, b.Length - 8), System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(b));
}
