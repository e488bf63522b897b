using System.Buffers.Binary;
using System.Globalization;
using Ledger.Protocol.Consortium;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;
using Ledger.Storage.RocksDb;
using Ledger.Storage.Segments;

namespace Ledger.Engine.Verification;

/// <summary>
/// Offline check of a lane store (<c>ledger store verify</c>; docs/spec/store-verify.md): reads every segment frame in
/// order and checks each committed block (frame, decoding, chain, signatures, roots, certificate, the RocksDB index,
/// and, given the consortium, the state root by replaying the custody rules), stopping at the first failure.
/// Run it on a stopped node or a copy of its data folder. It never writes to a segment file and never truncates.
/// </summary>
/// <remarks>
/// The index is opened read-only (RocksDB's <c>OpenForReadOnly</c>, the families the store has): nothing in the data
/// folder is written, created or upgraded, and no lock is taken. A family the store lacks (written before it existed)
/// reads as empty.
/// </remarks>
public static class StoreVerifier
{
    /// <summary>
    /// Verifies the lane store in <paramref name="ledgerDirectory"/> (the folder holding <c>blocks/</c> and <c>index/</c>,
    /// i.e. <c>&lt;data folder&gt;/ledger</c>).
    /// </summary>
    /// <param name="ledgerDirectory">The lane store.</param>
    /// <param name="consortiumNodes">
    /// The consortium's node addresses: certificates must reach the quorum among them. When null (and no
    /// <paramref name="consortium"/>), a certificate must only name the header and carry a valid cosignature by the lane.
    /// </param>
    /// <param name="progress">Receives the height of each block once it has passed.</param>
    /// <param name="consortium">The consortium: enables the state-root replay (and gives the node set when <paramref name="consortiumNodes"/> is null).</param>
    /// <returns>The report; a bad store is a report, never an exception.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="ledgerDirectory"/> does not exist.</exception>
    public static StoreReport Verify(string ledgerDirectory, IReadOnlySet<Address>? consortiumNodes = null, IProgress<long>? progress = null,
        ConsortiumDirectory? consortium = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ledgerDirectory);
        if (!Directory.Exists(ledgerDirectory))
            throw new DirectoryNotFoundException($"the lane store directory {ledgerDirectory} does not exist");
        using var run = new Run(ledgerDirectory, consortiumNodes ?? consortium?.NodeAddresses, progress, consortium);
        try
        {
            run.Execute();
        }
#pragma warning disable CA1031 // a bad store is reported, never thrown: anything unexpected becomes the first failure
        catch (Exception e)
#pragma warning restore CA1031
        {
            run.Fail(run.CurrentHeight, StoreChecks.Unreadable, $"{e.GetType().Name}: {e.Message}");
        }
        return run.Report();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private sealed class Run(string directory, IReadOnlySet<Address>? nodes, IProgress<long>? progress, ConsortiumDirectory? consortium) : IDisposable
    {
        private readonly List<string> _warnings = [];
        private readonly MerkleLog _log = new(new DiscardingMerkleNodeStore());
        private readonly SparseMerkleTree? _state = consortium is null ? null : new SparseMerkleTree(new InMemorySparseMerkleNodeStore());
        private readonly InMemoryCustodyContext? _custody = consortium is null ? null : NewCustodyContext(consortium);
        private RocksDb? _db;
        private StoredHead _head = StoredHead.Empty;
        private StoreFailure? _failure;
        private long _blocks, _records;
        private Address? _lane;
        private Hash32 _previous = Hash32.Zero;
        // State map version 2 commits lots and products too; a store written before has no version entry (version 1).
        private bool _lotMap;
        private BlockLocation _lastLocation;
        private BlockHeader? _lastHeader;

        public long? CurrentHeight { get; private set; }

        public void Fail(long? height, string check, string reason) => _failure ??= new StoreFailure(height, check, reason);

        public StoreReport Report() => new(_blocks, _records, _failure, _warnings);

        public void Execute()
        {
            if (consortium is null)
                _warnings.Add("state root not checked: no consortium given");
            if (nodes is null)
                _warnings.Add("certificates checked against the lane's own cosignature only: no consortium node set given");
            if (!OpenIndex() || !ReadHead())
                return;
            if (!ScanBlocks())
                return;
            if (_blocks < _head.Height)
            {
                Fail(_blocks + 1, StoreChecks.BlocksMissing, Invariant(
                    $"the index head is at height {_head.Height} but the segment files end after height {_blocks}"));
                return;
            }
            CurrentHeight = null;
            if (CheckHead())
                CheckNoExtraIndexEntries();
        }

        private bool OpenIndex()
        {
            var index = Path.Combine(directory, "index");
            if (!File.Exists(Path.Combine(index, "CURRENT")))
            {
                Fail(null, StoreChecks.IndexOpen, $"no RocksDB index in {index} (the file CURRENT is missing)");
                return false;
            }
            try
            {
                var present = RocksDb.ListColumnFamilies(index);
                _db = RocksDb.OpenReadOnly(index, new RocksDbOptions(), [.. LaneStore.FamilyNames.Intersect(present, StringComparer.Ordinal)]);
                return true;
            }
            catch (RocksDbException e)
            {
                Fail(null, StoreChecks.IndexOpen, $"{index}: {e.Message}");
                return false;
            }
        }

        /// <summary>The value, or null; a family the store lacks reads as empty.</summary>
        private byte[]? Get(string family, ReadOnlySpan<byte> key) =>
            _db!.ColumnFamilies.TryGetValue(family, out var cf) ? _db.Get(cf, key) : null;

        private long _batches, _batchTreeEntries;

        // Format 1 (a store not yet upgraded): one lane, keys without a lane number. Format 2: the own lane is number 1.
        private bool _format1;

        private byte[] HeightKey(long height) => _format1 ? StateCodec.BigEndian(height) : LaneKeys.Height(LaneKeys.OwnLane, height);

        private bool ReadHead()
        {
            _lotMap = Get(LaneStore.Meta, LaneStore.StateMapVersionKey) is [>= LaneStore.CurrentStateMapVersion];
            _format1 = Get(LaneStore.Meta, LaneStore.FormatVersionKey) is null;
            if (Get(LaneStore.Meta, _format1 ? LaneStore.HeadKey : StateCodec.Concat(LaneStore.HeadKey, LaneKeys.Prefix(LaneKeys.OwnLane))) is not { } raw)
                return true;
            try
            {
                _head = StoredHead.Decode(raw);
                return true;
            }
            catch (RlpException e)
            {
                Fail(null, StoreChecks.IndexMismatch, $"meta CF key \"head\" does not decode: {e.Message}");
                return false;
            }
        }

        private bool ScanBlocks()
        {
            var uncommitted = 0;
            foreach (var item in SegmentScanner.Scan(Path.Combine(directory, "blocks")))
            {
                var height = _blocks + uncommitted + 1;
                CurrentHeight = height;
                if (item is SegmentScanner.Problem p)
                {
                    var where = Invariant($"{p.File} offset {p.Offset}: {p.Reason}");
                    if (height > _head.Height)
                    {
                        // A crash between the segment write and the index commit leaves this: the node cuts it on its next start.
                        _warnings.Add(Invariant($"uncommitted tail after the committed head (height {_head.Height}): {where}; the node cuts it on its next start"));
                        break;
                    }
                    Fail(height, p.Check, Invariant($"{where} (the block at height {height})"));
                    return false;
                }
                var frame = (SegmentScanner.Frame)item;
                if (height > _head.Height)
                {
                    uncommitted++;
                    continue;
                }
                if (!CheckBlock(frame, height))
                    return false;
                progress?.Report(height);
            }
            if (uncommitted > 0)
                _warnings.Add(Invariant($"{uncommitted} complete frame(s) after the committed head (height {_head.Height}) are not committed and were not checked; the node cuts them on its next start"));
            return true;
        }

        private bool CheckBlock(SegmentScanner.Frame frame, long height)
        {
            Block block;
            try
            {
                block = Block.Decode(frame.Body);
            }
            catch (RecordFormatException e)
            {
                Fail(height, StoreChecks.BlockDecode, Invariant($"{frame.File} offset {frame.Location.Offset}: {e.Message}"));
                return false;
            }
            var signed = block.SignedHeader;
            var header = signed.Header;
            if (header.Height != height)
                return Failed(height, StoreChecks.Height, Invariant($"{frame.File} offset {frame.Location.Offset} holds height {header.Height}; expected {height}"));
            _lane ??= header.Lane;
            if (header.Lane != _lane)
                return Failed(height, StoreChecks.Lane, $"the block is in lane {header.Lane}; the store's first block is in lane {_lane}");
            if (header.Parent != _previous)
                return Failed(height, StoreChecks.ParentHash, $"parent is {header.Parent}; the previous header hashes to {_previous}");
            var headerCheck = signed.Verify();
            if (!headerCheck.IsValid)
                return Failed(height, StoreChecks.HeaderSignature, headerCheck.Reason);
            for (var i = 0; i < block.Batches.Count; i++)
            {
                var batchCheck = block.Batches[i].Verify();
                if (!batchCheck.IsValid)
                    return Failed(height, StoreChecks.BatchSignature, Invariant($"batch {i} ({batchCheck.Code}): {batchCheck.Reason}"));
            }
            var ids = block.RecordIds().ToArray();
            var leaves = ids.Select(MerkleHash.Leaf).ToArray();
            if (leaves.Length != header.RecordCount)
                return Failed(height, StoreChecks.RecordsRoot, Invariant($"header says {header.RecordCount} records, the block carries {leaves.Length}"));
            var recordsRoot = MerkleTree.ComputeRoot(leaves);
            if (recordsRoot != header.RecordsRoot)
                return Failed(height, StoreChecks.RecordsRoot, $"the records hash to {recordsRoot}, the header says {header.RecordsRoot}");
            var logStart = _log.Size;
            _log.Append(leaves);
            if (_log.Size != header.LogSize)
                return Failed(height, StoreChecks.LogRoot, Invariant($"the lane log holds {_log.Size} records after this block, the header says {header.LogSize}"));
            if (_log.Root != header.LogRoot)
                return Failed(height, StoreChecks.LogRoot, $"the lane log's root is {_log.Root}, the header says {header.LogRoot}");
            if (!CheckCertificate(header, height) || !CheckIndex(frame, block, leaves, height, logStart) || !ReplayState(block, height))
                return false;
            _previous = header.Hash();
            _lastLocation = frame.Location;
            _lastHeader = header;
            _blocks++;
            _records += ids.Length;
            return true;
        }

        private bool Failed(long? height, string check, string reason)
        {
            Fail(height, check, reason);
            return false;
        }

        private bool CheckCertificate(BlockHeader header, long height)
        {
            if (Get(LaneStore.Certs, HeightKey(height)) is not { } raw)
                return Failed(height, StoreChecks.Certificate, "the certs CF has no certificate for this height");
            Certificate certificate;
            try
            {
                certificate = Certificate.Decode(raw);
            }
            catch (RecordFormatException e)
            {
                return Failed(height, StoreChecks.Certificate, "the certificate does not decode: " + e.Message);
            }
            VerificationResult check;
            if (nodes is not null)
            {
                check = certificate.Verify(header, nodes, consortium?.Definition.Quorum);
            }
            else if (certificate.Cosignatures.FirstOrDefault(c => c.Node == header.Lane) is not { } own)
            {
                check = VerificationResult.Fail("cosigner-missing", $"no cosignature by the lane's node {header.Lane}");
            }
            else
            {
                // The certificate must name this header; of its cosignatures only the lane's own can be checked without the node set.
                check = certificate.Lane != header.Lane || certificate.Height != header.Height || certificate.HeaderHash != header.Hash()
                    ? VerificationResult.Fail("certificate-header", $"certificate is for lane {certificate.Lane} height {certificate.Height} hash {certificate.HeaderHash}, not this header")
                    : new Certificate(header.Lane, header.Height, certificate.HeaderHash, [own]).Verify(header, new HashSet<Address> { header.Lane });
            }
            return check.IsValid || Failed(height, StoreChecks.Certificate, $"{check.Code}: {check.Reason}");
        }

        /// <summary>
        /// The batch's <c>batches</c> entry names this height, and its <c>batch-trees</c> entries are exactly those the
        /// node writes for it (version 2: the batch entry and one per full chunk; a version-1 entry must equal the
        /// version-1 encoding). A batch written before batch trees has none: counted in a warning.
        /// </summary>
        private bool CheckBatch(SignedBatch batch, long height, int b, ReadOnlySpan<Hash32> leaves)
        {
            _batches++;
            var at = Get(LaneStore.Batches, batch.Header.Hash().ToArray());
            if (at is null || !PlacesAt(at, height))
                return Failed(height, StoreChecks.IndexMismatch, at is null
                    ? Invariant($"the batches CF has no entry for batch {b} ({batch.Header.Hash()})")
                    : Invariant($"the batches CF places batch {b} ({batch.Header.Hash()}) at another height"));
            var stored = Get(LaneStore.BatchTrees, TreeKey(BatchTree.Key(height, b)));
            if (stored is null)
            {
                _batchesWithoutTree++;
                return true;
            }
            _batchTreeEntries++;
            if (stored.Length > 0 && stored.AsSpan().SequenceEqual(BatchTree.EncodeVersion1(batch)))
                return true;
            foreach (var (key, value) in BatchTree.Entries(height, b, batch.Header, batch.Signature, leaves))
            {
                var actual = key.AsSpan().SequenceEqual(BatchTree.Key(height, b)) ? stored : Get(LaneStore.BatchTrees, TreeKey(key));
                if (actual is null || !actual.AsSpan().SequenceEqual(value))
                    return Failed(height, StoreChecks.BatchTree, Invariant(
                        $"the batch-trees CF {(actual is null ? "lacks" : "holds a different value for")} {(key.Length == 12 ? "the entry" : "chunk " + BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(12)))} of batch {b}: its tree, header or signature does not match the block"));
                if (key.Length != 12)
                    _batchTreeEntries++;
            }
            return true;
        }

        private long _batchesWithoutTree;

        // A batch-trees key of the own lane (format 2: under its lane number).
        private byte[] TreeKey(byte[] key) => _format1 ? key : LaneKeys.Of(LaneKeys.OwnLane, key);

        // A batches value naming the own lane at this height (format 1: the height alone).
        private static bool PlacesAt(byte[] value, long height)
        {
            if (value.Length is not (8 or 12))
                return false;
            var (lane, at) = BatchPlaceCodec.Decode(value);
            return lane == LaneKeys.OwnLane && at == height;
        }

        private bool CheckIndex(SegmentScanner.Frame frame, Block block, Hash32[] leaves, long height, long logIndex)
        {
            var key = HeightKey(height);
            var location = Get(LaneStore.Blocks, key);
            if (location is null || location.Length != 20)
                return Failed(height, StoreChecks.IndexMismatch, location is null ? "the blocks CF has no location for this height" : "the blocks CF location is not 20 bytes");
            var indexed = BlockLocationCodec.Decode(location);
            if (indexed != frame.Location)
                return Failed(height, StoreChecks.IndexMismatch, $"the blocks CF says {Describe(indexed)}; the frame is at {Describe(frame.Location)}");
            var headerBytes = Get(LaneStore.Headers, key);
            if (headerBytes is null)
                return Failed(height, StoreChecks.IndexMismatch, "the headers CF has no header for this height");
            if (!headerBytes.AsSpan().SequenceEqual(block.SignedHeader.Encode()))
                return Failed(height, StoreChecks.IndexMismatch, "the headers CF holds a different signed header than the block in the segment file" + DescribeHeader(headerBytes));
            var spans = BlockReader.RecordSpans(frame.Body);
            var leafStart = 0;
            for (var b = 0; b < block.Batches.Count; b++)
            {
                if (!CheckBatch(block.Batches[b], height, b, leaves.AsSpan(leafStart, block.Batches[b].Records.Count)))
                    return false;
                leafStart += block.Batches[b].Records.Count;
                var records = block.Batches[b].Records;
                for (var i = 0; i < records.Count; i++, logIndex++)
                {
                    var expected = new RecordLocation(height, b, i, logIndex);
                    var raw = Get(LaneStore.Records, records[i].Id.ToArray());
                    if (raw is null || raw.Length is not (24 or 32 or 36))
                        return Failed(height, StoreChecks.IndexMismatch, raw is null
                            ? $"the records CF has no entry for record {records[i].Id} (batch {b}, index {i})"
                            : $"the records CF entry for record {records[i].Id} is not 24, 32 or 36 bytes");
                    var actual = RecordLocationCodec.Decode(raw);
                    if (actual.Lane != LaneKeys.OwnLane)
                        return Failed(height, StoreChecks.IndexMismatch, Invariant($"the records CF places record {records[i].Id} in lane number {actual.Lane}, not the own lane"));
                    // A 32- or 36-byte entry also holds the record's span in the block (24-byte entries predate spans).
                    if (raw.Length != 24 && (actual.Offset, actual.Length) != (spans[b][i].Offset, spans[b][i].Length))
                        return Failed(height, StoreChecks.IndexMismatch, Invariant(
                            $"the records CF places record {records[i].Id} at bytes {actual.Offset}+{actual.Length} of the block; it is at {spans[b][i].Offset}+{spans[b][i].Length}"));
                    if (actual with { Offset = 0, Length = 0, Lane = LaneKeys.OwnLane } != expected)
                        return Failed(height, StoreChecks.IndexMismatch, Invariant(
                            $"the records CF places record {records[i].Id} at height {actual.Height} batch {actual.Batch} index {actual.Index} log index {actual.LogIndex}; the block has it at batch {b} index {i} log index {logIndex}"));
                }
            }
            return true;
        }

        private static string DescribeHeader(byte[] bytes)
        {
            try
            {
                var other = SignedHeader.Decode(bytes).Header;
                return Invariant($" (the index's header is height {other.Height}, hash {other.Hash()})");
            }
            catch (RecordFormatException e)
            {
                return " (the index's header does not decode: " + e.Message + ")";
            }
        }

        private static string Describe(BlockLocation l) => Invariant($"{SegmentFormat.FileName(l.Segment)} offset {l.Offset} length {l.Length}");

        private bool ReplayState(Block block, long height)
        {
            if (_custody is null || _state is null)
                return true;
            var changed = new Dictionary<ItemId, Hash32>();
            var chains = new Dictionary<Hash32, Hash32>();
            for (var b = 0; b < block.Batches.Count; b++)
            {
                var records = block.Batches[b].Records;
                for (var i = 0; i < records.Count; i++)
                {
                    var outcome = _custody.Apply(records[i]);
                    if (!outcome.IsAccepted)
                        return Failed(height, StoreChecks.StateReplay, Invariant(
                            $"batch {b} record {i} ({records[i].Id}): the custody rules refuse it on replay ({outcome.ErrorCode}: {outcome.Message})"));
                    foreach (var state in outcome.Updates)
                        changed[state.Item] = state.LatestRecord;
                    if (_lotMap && LotMap.KeyOf(records[i]) is { } lotKey)
                        chains[lotKey] = LotMap.Chain(chains.TryGetValue(lotKey, out var head) ? head : _state.Get(lotKey), records[i].Id);
                }
            }
            var root = changed.Count == 0 && chains.Count == 0
                ? _state.Root
                : _state.Update(changed.Select(kv => (kv.Key.StateKey(), (Hash32?)kv.Value)).Concat(chains.Select(kv => (kv.Key, (Hash32?)kv.Value))));
            var expected = block.SignedHeader.Header.StateRoot;
            return root == expected || Failed(height, StoreChecks.StateRoot, $"the replayed state hashes to {root}, the header says {expected}");
        }

        private bool CheckHead()
        {
            if (_head.Height == 0)
                return true;
            var header = _lastHeader!;
            var expectedFrontier = _log.EncodeFrontier();
            string? problem =
                _head.HeaderHash != header.Hash() ? $"header hash {_head.HeaderHash}, the last block's is {header.Hash()}"
                : _head.Location != _lastLocation ? $"location {Describe(_head.Location)}, the last frame is at {Describe(_lastLocation)}"
                : _head.LogSize != header.LogSize ? Invariant($"log size {_head.LogSize}, the last header says {header.LogSize}")
                : !_head.Frontier.AsSpan().SequenceEqual(expectedFrontier) ? "a log frontier that differs from the replayed lane log"
                : _head.StateRoot != header.StateRoot ? $"state root {_head.StateRoot}, the last header says {header.StateRoot}"
                : null;
            return problem is null || Failed(_head.Height, StoreChecks.IndexMismatch, "meta CF head has " + problem);
        }

        private void CheckNoExtraIndexEntries()
        {
            foreach (var family in new[] { LaneStore.Blocks, LaneStore.Headers, LaneStore.Certs })
            {
                if (!_db!.ColumnFamilies.TryGetValue(family, out var cf))
                    continue;
                using var it = _db.NewIterator(cf);
                // The own lane's last entry: the last key below lane number 2 (format 1: the last key).
                if (_format1)
                    it.SeekToLast();
                else
                    it.SeekForPrev(LaneKeys.Height(LaneKeys.OwnLane, long.MaxValue));
                if (!it.Valid() || (!_format1 && it.Key().Length >= 4 && LaneKeys.LaneOf(it.Key()) != LaneKeys.OwnLane))
                {
                    if (_blocks == 0)
                        continue;
                    Fail(null, StoreChecks.IndexMismatch, Invariant($"the {family} CF has no entry of the own lane; the store ends at height {_blocks}"));
                    return;
                }
                var key = it.Key();
                var width = _format1 ? 8 : 12;
                var last = key.Length == width ? BinaryPrimitives.ReadInt64BigEndian(key[(width - 8)..]) : -1;
                if (last != _blocks)
                {
                    Fail(last > _blocks ? last : null, StoreChecks.IndexMismatch, key.Length == width
                        ? Invariant($"the {family} CF has an entry at height {last}; the store ends at height {_blocks}")
                        : Invariant($"the {family} CF has a key of {key.Length} bytes (heights are {width} bytes with the lane)"));
                    return;
                }
            }
            long entries = 0;
            // Entries of other lanes the node replicates are not the own lane's to count.
            entries = CountEntries(LaneStore.Records, (_, value) => value.Length != 36 || LaneKeys.LaneOf(value) == LaneKeys.OwnLane);
            if (entries != _records)
            {
                Fail(null, StoreChecks.IndexMismatch, Invariant($"the records CF has {entries} entries; the blocks hold {_records} records"));
                return;
            }
            if (CountEntries(LaneStore.Batches, (_, value) => value.Length != 12 || LaneKeys.LaneOf(value) == LaneKeys.OwnLane) is var batches && batches != _batches)
            {
                Fail(null, StoreChecks.IndexMismatch, Invariant($"the batches CF has {batches} entries; the blocks hold {_batches} batches"));
                return;
            }
            if (CountEntries(LaneStore.BatchTrees, (key, _) => _format1 || LaneKeys.LaneOf(key) == LaneKeys.OwnLane) is var trees && trees != _batchTreeEntries)
            {
                Fail(null, StoreChecks.BatchTree, Invariant($"the batch-trees CF has {trees} entries; the blocks' batches need {_batchTreeEntries}"));
                return;
            }
            if (_batchesWithoutTree > 0)
                _warnings.Add(Invariant($"{_batchesWithoutTree} batch(es) have no batch-trees entry (written before batch trees were kept): their seals are computed from the block"));
        }

        private delegate bool EntryFilter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

        // The entries of a family that belong to the own lane (format 2 holds every lane the node replicates).
        private long CountEntries(string family, EntryFilter ownLane)
        {
            if (!_db!.ColumnFamilies.TryGetValue(family, out var cf))
                return 0;
            long n = 0;
            using var it = _db.NewIterator(cf);
            for (it.SeekToFirst(); it.Valid(); it.Next())
                if (ownLane(it.Key(), it.Value()))
                    n++;
            return n;
        }

        private static InMemoryCustodyContext NewCustodyContext(ConsortiumDirectory consortium)
        {
            var context = new InMemoryCustodyContext { CertifyAllShips = true };
            foreach (var p in consortium.Definition.Parties)
                context.AddParty(p.Address, p.Roles, p.Glns, p.CompanyPrefixes, p.DelegatedGtins);
            return context;
        }

        public void Dispose() => _db?.Dispose();
    }

    /// <summary>The log's size and root need only its frontier: the subtree nodes are not kept (O(log n) memory for any store size).</summary>
    private sealed class DiscardingMerkleNodeStore : IMerkleNodeStore
    {
        public bool TryGet(int level, long index, out Hash32 hash)
        {
            hash = default;
            return false;
        }

        public void Put(int level, long index, Hash32 hash)
        {
        }
    }
}
