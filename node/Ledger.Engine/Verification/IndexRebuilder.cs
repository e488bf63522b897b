using System.Globalization;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Storage.RocksDb;
using Ledger.Storage.Segments;

namespace Ledger.Engine.Verification;

/// <summary>
/// <c>ledger store rebuild-indexes</c> (docs/spec/store-verify.md): rebuilds the lane store's RocksDB index from the
/// segment files and the signed headers in them, into a fresh index, then swaps it in.
/// <para>
/// Failure policy. Nothing of the existing store is changed until the new index is complete: it is built in
/// <c>&lt;ledger&gt;/rebuild/index</c>, every block is checked on the way (frame CRC, header chain and signature, batch
/// signatures, records root, log root, state root after the custody rules), and a failure stops the rebuild leaving the
/// old index as it was. The swap then writes <c>rebuild/COMPLETE</c> (fsynced), renames <c>index</c> to <c>index.old</c> and
/// <c>rebuild/index</c> to <c>index</c>, fsyncs the folder and deletes the old index. A crash at any step is finished or
/// undone by <see cref="RecoverInterruptedSwap"/>, which <see cref="LaneStore.Open"/> calls first. While it runs the
/// rebuild holds the old index open (read-write, so RocksDB's lock keeps a node from starting on the store); a store
/// whose index a running node holds is refused.
/// </para>
/// <para>
/// Derived, and rebuilt: headers, block locations, records (with spans), batches, batch trees (version 2), item states,
/// histories, lot facts, last scans, the Merkle log (chunks and upper levels), the state map (written as a checkpoint
/// at the head) and the head. Not in the segments, and carried over from the old index when it opens: certificates
/// (each checked against its header and the consortium's node set), captured EPCIS events and their idempotency keys,
/// alerts, capture jobs, and the alert and event sequences of the head. Without a readable old index, a one-node
/// consortium's certificates are made again with the node key (deterministic signatures: the same bytes), every batch is
/// listed in the event store as records (the captured documents' own JSON is gone), and alerts and capture jobs are lost:
/// the report's warnings say so.
/// </para>
/// </summary>
public static class IndexRebuilder
{
    /// <summary>The folder, in the lane store, the new index is built in.</summary>
    public const string RebuildDirectoryName = "rebuild";

    private const string CompleteMarker = "COMPLETE";
    private const int BlocksPerWrite = 64;

    /// <summary>Families copied from the old index as they are: their content is not in the segment files.</summary>
    private static readonly string[] Carried = [LaneStore.Keys, LaneStore.Events, LaneStore.Alerts, LaneStore.ItemAlerts, LaneStore.CaptureJobs,
        // the cosign log and equivocation evidence are this node's own promises and findings, not derived from its segments
        LaneStore.Cosigns, LaneStore.Evidence, LaneStore.ItemFacts,
        // blocks held for a dependency and cosignatures that came before their block: received, not yet in any segment
        LaneStore.Held];

    /// <summary>
    /// Finishes or undoes a swap that a crash interrupted (see the failure policy), and removes what an unfinished rebuild
    /// left. Called by <see cref="LaneStore.Open"/> before it opens the index.
    /// </summary>
    public static void RecoverInterruptedSwap(string ledgerDirectory)
    {
        var index = Path.Combine(ledgerDirectory, "index");
        var old = index + ".old";
        var rebuild = Path.Combine(ledgerDirectory, RebuildDirectoryName);
        if (!Directory.Exists(index))
        {
            if (File.Exists(Path.Combine(rebuild, CompleteMarker)) && Directory.Exists(Path.Combine(rebuild, "index")))
                Directory.Move(Path.Combine(rebuild, "index"), index);
            else if (Directory.Exists(old))
                Directory.Move(old, index);
            else
                return;
            SegmentFormat.SyncDirectory(ledgerDirectory);
        }
        if (Directory.Exists(old))
            Directory.Delete(old, recursive: true);
        if (Directory.Exists(rebuild))
            Directory.Delete(rebuild, recursive: true);
    }

    /// <summary>Rebuilds the index of the lane store in <paramref name="ledgerDirectory"/>.</summary>
    /// <param name="ledgerDirectory">The lane store (<c>&lt;data&gt;/ledger</c>).</param>
    /// <param name="consortium">The consortium, as the node runs with it (its parties for the custody rules, its nodes for certificates).</param>
    /// <param name="nodeKey">The node's key: re-creates the certificates of a one-node consortium when the old index has none (null: not available).</param>
    /// <param name="progress">Receives each height once its block is rebuilt.</param>
    /// <returns>What was rebuilt; on failure nothing was changed and <see cref="RebuildReport.Failure"/> says why.</returns>
    /// <exception cref="DirectoryNotFoundException">The lane store or its <c>blocks/</c> folder does not exist.</exception>
    public static RebuildReport Rebuild(string ledgerDirectory, ConsortiumDirectory consortium, PrivateKey? nodeKey = null, IProgress<long>? progress = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ledgerDirectory);
        ArgumentNullException.ThrowIfNull(consortium);
        var blocks = Path.Combine(ledgerDirectory, "blocks");
        if (!Directory.Exists(blocks))
            throw new DirectoryNotFoundException($"the lane store {ledgerDirectory} has no blocks/ folder");
        RecoverInterruptedSwap(ledgerDirectory);
        var index = Path.Combine(ledgerDirectory, "index");
        var warnings = new List<string>();
        RocksDb? old = null;
        if (RocksDb.Exists(index))
        {
            try
            {
                var present = RocksDb.ListColumnFamilies(index);
                old = RocksDb.Open(index, new RocksDbOptions { CreateIfMissing = false }, present);
            }
            catch (RocksDbException e) when (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
            {
                return Failed(warnings, null, $"{index}: {e.Message} (a running node holds the index: stop it first)");
            }
            catch (RocksDbException e)
            {
                warnings.Add($"the old index could not be opened ({e.Message}): nothing is carried over from it");
            }
        }
        else
        {
            warnings.Add("there is no old index: nothing is carried over from it");
        }
        var replicated = Path.Combine(ledgerDirectory, "lanes");
        if ((Directory.Exists(replicated) && Directory.EnumerateFileSystemEntries(replicated).Any())
            || (old is not null && old.ColumnFamilies.TryGetValue(LaneStore.Lanes, out var lanesFamily) && CountAtMost(old, lanesFamily, 2) > 1))
        {
            old?.Dispose();
            return Failed(warnings, null, "the store replicates other lanes (ledger/lanes/): rebuild-indexes rebuilds a store that holds only the node's own lane; nothing was changed [replicated-lanes]");
        }
        try
        {
            // A store of state map version 1 keeps its version (its headers' roots commit items only).
            int? version = old is null ? null
                : old.ColumnFamilies.TryGetValue(LaneStore.Meta, out var meta) && old.Get(meta, LaneStore.StateMapVersionKey) is [var v] ? v
                : old.ColumnFamilies.TryGetValue(LaneStore.Meta, out meta) && OldHead(old) is not null ? 1
                : null;
            var attempt = Build(ledgerDirectory, consortium, nodeKey, old, version ?? LaneStore.CurrentStateMapVersion, warnings, progress);
            if (attempt.Failure is { Check: StoreChecks.StateRoot } && version is null)
            {
                // Without the old index the version is not known: a store whose roots are not version 2 is version 1.
                warnings.Add("the state roots are not those of state map version 2: rebuilt as version 1");
                attempt = Build(ledgerDirectory, consortium, nodeKey, old, 1, warnings, progress);
            }
            if (!attempt.Ok)
            {
                DeleteRebuild(ledgerDirectory);
                return attempt;
            }
            old?.Dispose();
            old = null;
            Swap(ledgerDirectory);
            return attempt;
        }
        finally
        {
            old?.Dispose();
        }
    }

    // The old index's head: format 1 (meta/head) or format 2 (meta/head ‖ own lane number).
    private static byte[]? OldHead(RocksDb old) =>
        old.ColumnFamilies.TryGetValue(LaneStore.Meta, out var meta)
            ? old.Get(meta, LaneStore.HeadKey) ?? old.Get(meta, StateCodec.Concat(LaneStore.HeadKey, LaneKeys.Prefix(LaneKeys.OwnLane)))
            : null;

    private static int CountAtMost(RocksDb db, ColumnFamilyHandle family, int limit)
    {
        var n = 0;
        using var it = db.NewIterator(family);
        for (it.SeekToFirst(); it.Valid() && n < limit; it.Next())
            n++;
        return n;
    }

    private static RebuildReport Failed(List<string> warnings, long? height, string reason, string check = StoreChecks.IndexOpen) =>
        new(0, 0, new StoreFailure(height, check, reason), warnings);

    private static void DeleteRebuild(string ledgerDirectory)
    {
        var rebuild = Path.Combine(ledgerDirectory, RebuildDirectoryName);
        if (Directory.Exists(rebuild))
            Directory.Delete(rebuild, recursive: true);
    }

    private static void Swap(string ledgerDirectory)
    {
        var rebuild = Path.Combine(ledgerDirectory, RebuildDirectoryName);
        var marker = Path.Combine(rebuild, CompleteMarker);
        using (var file = new FileStream(marker, FileMode.Create, FileAccess.Write))
            file.Flush(flushToDisk: true);
        SegmentFormat.SyncDirectory(rebuild);
        var index = Path.Combine(ledgerDirectory, "index");
        if (Directory.Exists(index))
            Directory.Move(index, index + ".old");
        Directory.Move(Path.Combine(rebuild, "index"), index);
        SegmentFormat.SyncDirectory(ledgerDirectory);
        RecoverInterruptedSwap(ledgerDirectory);
    }

    private static RebuildReport Build(string ledgerDirectory, ConsortiumDirectory consortium, PrivateKey? nodeKey, RocksDb? old, int version,
        List<string> warnings, IProgress<long>? progress)
    {
        DeleteRebuild(ledgerDirectory);
        var run = new Run(Path.Combine(ledgerDirectory, RebuildDirectoryName), consortium, nodeKey, old, version >= LaneStore.CurrentStateMapVersion, warnings, progress);
        try
        {
            return run.Execute(Path.Combine(ledgerDirectory, "blocks"));
        }
        finally
        {
            run.Dispose();
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed class Run : IDisposable
    {
        private readonly ConsortiumDirectory _consortium;
        private readonly PrivateKey? _nodeKey;
        private readonly RocksDb? _old;
        private readonly bool _lotMap;
        private readonly List<string> _warnings;
        private readonly IProgress<long>? _progress;
        private readonly LaneStore _store;
        private readonly LogNodeStore _logNodes;
        private readonly RocksSparseNodeStore _stateNodes;
        private readonly MerkleLog _log;
        private readonly SparseMerkleTree _state;
        private readonly Context _custody;
        private readonly WriteBatch _wb = new();
        private Hash32 _previous = Hash32.Zero;
        private Address? _lane;
        private long _records, _eventSeq, _recreated;
        private StoredHead _head = StoredHead.Empty;
        private bool _lotsChanged;

        public Run(string directory, ConsortiumDirectory consortium, PrivateKey? nodeKey, RocksDb? old, bool lotMap, List<string> warnings, IProgress<long>? progress)
        {
            _consortium = consortium;
            _nodeKey = nodeKey;
            _old = old;
            _lotMap = lotMap;
            _warnings = warnings;
            _progress = progress;
            _store = LaneStore.Open(directory);
            _logNodes = new LogNodeStore(_store);
            var options = new LaneOptions();
            _stateNodes = new RocksSparseNodeStore(_store, options.StateCacheNodes, options.StateCheckpointNodes);
            _log = new MerkleLog(_logNodes);
            _state = new SparseMerkleTree(_stateNodes, _stateNodes.OpenCheckpoint());
            _custody = new Context(_store, consortium);
        }

        public RebuildReport Execute(string blocks)
        {
            // With a readable old head, the blocks above it were never committed (the node cuts them at its next start).
            var limit = _old is not null && OldHead(_old) is { } raw
                ? StoredHead.Decode(raw).Height
                : long.MaxValue;
            long height = 0;
            foreach (var item in SegmentScanner.Scan(blocks))
            {
                height++;
                if (height > limit)
                {
                    _warnings.Add(Invariant($"the frames after height {limit} (the old index's head) were never committed and are not rebuilt"));
                    break;
                }
                if (item is SegmentScanner.Problem p)
                {
                    // A torn or damaged last frame was never acknowledged if nothing follows it: the node cuts it.
                    _warnings.Add(Invariant($"stopped at {p.File} offset {p.Offset}: {p.Reason}; the blocks up to height {height - 1} are rebuilt"));
                    break;
                }
                var frame = (SegmentScanner.Frame)item;
                if (Apply(frame, height) is { } failure)
                    return new RebuildReport(height - 1, _records, failure, _warnings);
                _progress?.Report(height);
            }
            return Finish();
        }

        private StoreFailure? Apply(SegmentScanner.Frame frame, long height)
        {
            Block block;
            try
            {
                block = Block.Decode(frame.Body);
            }
            catch (RecordFormatException e)
            {
                return new StoreFailure(height, StoreChecks.BlockDecode, Invariant($"{frame.File} offset {frame.Location.Offset}: {e.Message}"));
            }
            var signed = block.SignedHeader;
            var header = signed.Header;
            _lane ??= header.Lane;
            if (header.Height != height || header.Lane != _lane || header.Parent != _previous || !signed.Verify().IsValid)
                return new StoreFailure(height, StoreChecks.HeaderSignature, Invariant(
                    $"{frame.File} offset {frame.Location.Offset}: the header (height {header.Height}, lane {header.Lane}) is not the signed successor of height {height - 1}"));
            for (var b = 0; b < block.Batches.Count; b++)
            {
                var check = block.Batches[b].Verify();
                if (!check.IsValid)
                    return new StoreFailure(height, StoreChecks.BatchSignature, Invariant($"batch {b} ({check.Code}): {check.Reason}"));
            }
            var ids = block.RecordIds().ToArray();
            var leaves = ids.Select(MerkleHash.Leaf).ToArray();
            if (leaves.Length != header.RecordCount || MerkleTree.ComputeRoot(leaves) != header.RecordsRoot)
                return new StoreFailure(height, StoreChecks.RecordsRoot, "the records do not match the header's count and root");
            var logStart = _log.Size;
            _logNodes.Clear();
            _stateNodes.Clear();
            _log.Append(leaves);
            if (_log.Size != header.LogSize || _log.Root != header.LogRoot)
                return new StoreFailure(height, StoreChecks.LogRoot, $"the lane log's root is {_log.Root}, the header says {header.LogRoot}");

            // Format 2: the own lane is lane number 1 (lane.md §2).
            const int own = LaneKeys.OwnLane;
            if (height == 1)
                _store.ClaimOwnLane(header.Lane);
            var h = LaneKeys.Height(own, height);
            _wb.Put(_store[LaneStore.Headers], h, signed.Encode());
            _wb.Put(_store[LaneStore.Blocks], h, BlockLocationCodec.Encode(frame.Location));
            if (height == 1 && _lotMap)
                _wb.Put(_store[LaneStore.Meta], LaneStore.StateMapVersionKey, [LaneStore.CurrentStateMapVersion]);
            if (CertificateFor(header, height) is { } certificate)
                _wb.Put(_store[LaneStore.Certs], h, certificate);
            else
                return new StoreFailure(height, StoreChecks.Certificate,
                    "no valid certificate for this height in the old index, and it cannot be made again here (a consortium of more than one node, or no node key)");

            var spans = BlockReader.RecordSpans(frame.Body);
            var items = new Dictionary<ItemId, ItemState>();
            var chains = new Dictionary<Hash32, Hash32>();
            var logIndex = logStart;
            for (var b = 0; b < block.Batches.Count; b++)
            {
                var batch = block.Batches[b];
                _wb.Put(_store[LaneStore.Batches], batch.Header.Hash().ToArray(), BatchPlaceCodec.Encode(own, height));
                foreach (var (key, value) in BatchTree.Entries(height, b, batch.Header, batch.Signature, leaves.AsSpan((int)(logIndex - logStart), batch.Records.Count)))
                    _wb.Put(_store[LaneStore.BatchTrees], LaneKeys.Of(own, key), value);
                if (_old is null)
                {
                    // The event store lists every batch as records (rendered to EPCIS when read), as for signed batches.
                    _wb.Put(_store[LaneStore.Events], StateCodec.BigEndian(_eventSeq + 1),
                        new StoredEvent(LedgerEngine.RecordEventKeyPrefix + batch.Records[0].Id, [], [.. batch.Records.Select(r => r.Id)], height, batch.Header.Author).Encode());
                    _eventSeq += batch.Records.Count;
                }
                for (var i = 0; i < batch.Records.Count; i++, logIndex++)
                {
                    var r = batch.Records[i];
                    var id = r.Id.ToArray();
                    _wb.Put(_store[LaneStore.Records], id, RecordLocationCodec.Encode(new RecordLocation(height, b, i, logIndex, spans[b][i].Offset, spans[b][i].Length) { Lane = own }));
                    var outcome = CustodyRules.Apply(r, _custody);
                    if (!outcome.IsAccepted)
                        return new StoreFailure(height, StoreChecks.StateReplay, Invariant(
                            $"batch {b} record {i} ({r.Id}): the custody rules refuse it on replay ({outcome.ErrorCode}: {outcome.Message})"));
                    _custody.Commit(outcome, ref _lotsChanged);
                    foreach (var state in outcome.Updates)
                        items[state.Item] = state;
                    foreach (var item in r.Payload.Items.Union(outcome.Updates.Select(u => u.Item)))
                        _wb.Put(_store[LaneStore.History], LaneKeys.History(item.StateKey(), own, logIndex), id);
                    if (_lotMap && LotMap.KeyOf(r) is { } lotKey)
                    {
                        _wb.Put(_store[LaneStore.History], LaneKeys.History(lotKey, own, logIndex), id);
                        chains[lotKey] = LotMap.Chain(chains.TryGetValue(lotKey, out var chain) ? chain : _state.Get(lotKey), r.Id);
                    }
                    if (r.Payload is VerifyPayload v && v.Location.Length > 0)
                        _wb.Put(_store[LaneStore.Scans], v.Item.StateKey().ToArray(), Overlay.EncodeScan(v.Location, r.TimeMs));
                }
            }
            foreach (var (item, state) in items)
                _wb.Put(_store[LaneStore.Items], item.StateKey().ToArray(), StateCodec.Encode(state));
            var root = items.Count == 0 && chains.Count == 0
                ? _state.Root
                : _state.Update(_stateNodes.RecordDelta(items.Select(kv => (kv.Key.StateKey(), (Hash32?)kv.Value.LatestRecord))
                    .Concat(chains.Select(kv => (kv.Key, (Hash32?)kv.Value)))));
            if (root != header.StateRoot)
                return new StoreFailure(height, StoreChecks.StateRoot, $"the replayed state hashes to {root}, the header says {header.StateRoot}");
            _logNodes.WriteTo(_wb);
            _stateNodes.Seal();
            _stateNodes.Committed();
            _custody.BlockWritten();
            _head = new StoredHead(height, frame.Location, header.Hash(), _log.Size, _log.EncodeFrontier(), root, 0, 0);
            if (height % BlocksPerWrite == 0)
                Write();
            _stateNodes.CheckpointIfDue(height, root);
            _previous = header.Hash();
            _records += ids.Length;
            return null;
        }

        /// <summary>Writes what the blocks so far produced (no sync: the swap comes only after the last, synced write).</summary>
        private void Write()
        {
            if (_wb.Count == 0)
                return;
            _store.Db.Write(_wb, sync: false);
            _wb.Clear();
            _custody.Written();
        }

        private byte[]? CertificateFor(BlockHeader header, long height)
        {
            if (_old is not null && _old.ColumnFamilies.TryGetValue(LaneStore.Certs, out var certs)
                && (_old.Get(certs, StateCodec.BigEndian(height)) ?? _old.Get(certs, LaneKeys.Height(LaneKeys.OwnLane, height))) is { } raw)
            {
                try
                {
                    if (Certificate.Decode(raw).Verify(header, _consortium.NodeAddresses, _consortium.Definition.Quorum).IsValid)
                        return raw;
                }
                catch (RecordFormatException)
                {
                }
            }
            if (_nodeKey is null || _nodeKey.Address != header.Lane || _consortium.Definition.Quorum > 1)
                return null;
            _recreated++;
            return new Certificate(header.Lane, header.Height, header.Hash(), [Cosignature.Create(header, _nodeKey)]).Encode();
        }

        private RebuildReport Finish()
        {
            var alertSeq = 0L;
            var eventSeq = _eventSeq;
            if (_old is not null)
            {
                foreach (var family in Carried)
                    Copy(family);
                if (OldHead(_old) is { } raw)
                {
                    var oldHead = StoredHead.Decode(raw);
                    (alertSeq, eventSeq) = (oldHead.AlertSequence, oldHead.EventSequence);
                    if (oldHead.Height > _head.Height)
                        _warnings.Add(Invariant($"the old index's head was at height {oldHead.Height}; the segment files hold blocks up to height {_head.Height} only"));
                }
            }
            else
            {
                _warnings.Add("captured EPCIS documents, alerts and capture jobs were not carried over (no readable old index); every record is listed in the event store, rendered from the record");
            }
            if (_recreated > 0)
                _warnings.Add(Invariant($"{_recreated} certificate(s) were made again with the node key (a one-node consortium's own cosignature)"));
            if (_lotsChanged)
                _wb.Put(_store[LaneStore.Meta], LaneStore.LotsKey, StateCodec.Encode(_custody.Lots));
            _head = _head with { AlertSequence = alertSeq, EventSequence = eventSeq };
            if (_head.Height > 0)
                _wb.Put(_store[LaneStore.Meta], StateCodec.Concat(LaneStore.HeadKey, LaneKeys.Prefix(LaneKeys.OwnLane)), _head.Encode());
            _store.Db.Write(_wb, sync: true);
            _wb.Clear();
            _store.Head = _head;
            _stateNodes.CloseAsync(_head.Height, _head.StateRoot).GetAwaiter().GetResult();
            _store.Db.Flush();
            return new RebuildReport(_head.Height, _records, null, _warnings);
        }

        private void Copy(string family)
        {
            if (!_old!.ColumnFamilies.TryGetValue(family, out var cf))
                return;
            using var it = _old.NewIterator(cf);
            for (it.SeekToFirst(); it.Valid(); it.Next())
            {
                _wb.Put(_store[family], it.Key(), it.Value());
                if (_wb.Count >= 16_384)
                {
                    _store.Db.Write(_wb, sync: false);
                    _wb.Clear();
                }
            }
        }

        public void Dispose()
        {
            _wb.Dispose();
            _store.Dispose();
        }
    }

    /// <summary>
    /// The custody rules' view while rebuilding: the consortium, the lot facts so far, and the item states — those of the
    /// blocks not yet written from memory, the rest from the new index (so memory does not grow with the items).
    /// </summary>
    private sealed class Context(LaneStore store, ConsortiumDirectory consortium) : ICustodyContext
    {
        private readonly Dictionary<ItemId, ItemState> _unwritten = [];
        private readonly Dictionary<ItemId, ItemState> _block = [];

        public LotFacts Lots { get; private set; } = LotFacts.Empty;

        public IReadOnlyCollection<string> CompanyPrefixes(Address party) => consortium.CompanyPrefixes(party);

        public IReadOnlyCollection<string> DelegatedGtins(Address party) => consortium.DelegatedGtins(party);

        public IReadOnlyCollection<string> Glns(Address party) => consortium.Glns(party);

        public PartyRoles Roles(Address party) => consortium.Roles(party);

        /// <summary>Every ship on the ledger was accepted; a receive that names one was accepted after it (as <c>store verify</c> replays).</summary>
        public bool IsShipCertified(Hash32 shipRecord) => true;

        public ItemState? Get(ItemId item) =>
            _block.TryGetValue(item, out var s) || _unwritten.TryGetValue(item, out s) ? s
            : store.Get(LaneStore.Items, item.StateKey().ToArray()) is { } b ? StateCodec.DecodeItemState(b) : null;

        public void Commit(CustodyOutcome outcome, ref bool lotsChanged)
        {
            foreach (var s in outcome.Updates)
                _block[s.Item] = s;
            if (outcome.Lots is { } lots && !ReferenceEquals(lots, Lots))
            {
                Lots = lots;
                lotsChanged = true;
            }
        }

        public void BlockWritten()
        {
            foreach (var (item, state) in _block)
                _unwritten[item] = state;
            _block.Clear();
        }

        public void Written() => _unwritten.Clear();
    }
}

/// <summary>The outcome of <see cref="IndexRebuilder.Rebuild"/>.</summary>
/// <param name="Blocks">Blocks rebuilt.</param>
/// <param name="Records">Records in them.</param>
/// <param name="Failure">Why the rebuild stopped (nothing was changed), or null.</param>
/// <param name="Warnings">What was not carried over or is worth knowing.</param>
public sealed record RebuildReport(long Blocks, long Records, StoreFailure? Failure, IReadOnlyList<string> Warnings)
{
    /// <summary>True when the new index is in place.</summary>
    public bool Ok => Failure is null;
}
