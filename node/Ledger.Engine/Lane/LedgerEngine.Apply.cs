using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Mapping;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;
using Ledger.Storage.RocksDb;
using Microsoft.Extensions.Logging;

namespace Ledger.Engine.Lane;

public sealed partial class LedgerEngine
{
    /// <summary>Records may be at most this far ahead of the node's clock.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Code of a record refused because another record of its atomic batch was refused.</summary>
    public const string BatchRejectedCode = "batch-rejected";

    /// <summary>Code of a batch that repeats some, but not all, records already on the ledger.</summary>
    public const string PartlyDuplicateCode = "duplicate-record";

    /// <summary>Code of a record dated too far in the future.</summary>
    public const string TimeInFutureCode = "time-in-future";

    /// <summary>Key prefix of the event-store entries of records submitted as signed batches (rendered to EPCIS on read).</summary>
    public const string RecordEventKeyPrefix = "record:";

    /// <summary>Code of an EPCIS event that cannot be turned into records.</summary>
    public const string InvalidEventCode = "invalid-event";

    /// <summary>
    /// Code of a captured event that writes no new record (it has no custody effect, or its records are all on the ledger)
    /// when nothing else in the block writes one: such an event is stored with the block its capture writes, and with no
    /// block there is nothing to store it with and no commit time to give it, so it is refused, never acknowledged and lost.
    /// </summary>
    public const string NoRecordCode = "no-record";

    private sealed class Pending(SignedBatch? batch, PrivateKey? partyKey, IReadOnlyList<Draft>? drafts, bool rollback)
    {
        public SignedBatch? Batch { get; } = batch;
        public PrivateKey? PartyKey { get; } = partyKey;
        public IReadOnlyList<Draft>? Drafts { get; } = drafts;
        public bool Rollback { get; } = rollback;
        public int Size => Batch?.Records.Count ?? Drafts?.Count ?? 0;
        public TaskCompletionSource<SubmitResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<(string Key, byte[]? Payload, IReadOnlyList<LedgerRecord> Records)> Captured { get; } = [];

        /// <summary>Work that is not a submission (a block of another lane, a cosignature): run alone on the sequencer.</summary>
        public Func<ApplyResult>? Control { get; init; }

        public TaskCompletionSource<ApplyResult> ControlDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Dictionary<Hash32, List<ItemId>> _touched = [];

    private (SubmitResult? Result, List<SignedBatch> Batches, List<RecordOutcome>? Outcomes) ApplySigned(SignedBatch batch, List<LedgerAlert> alerts)
    {
        var records = batch.Records;
        var present = records.Select(r => _overlay.HasRecord(r.Id)).ToArray();
        if (present.All(x => x))
        {
            var dup = records.Select(r => new RecordOutcome(OutcomeStatus.Duplicate, [r.Id], _overlay.HeightOf(r.Id), null, null, [])).ToList();
            return (null, [], dup);
        }
        if (present.Any(x => x))
        {
            var first = Array.IndexOf(present, true);
            return (Refuse(records, first, PartlyDuplicateCode, $"records[{first}]: {records[first].Id} is already on the ledger; resubmit the whole batch or only new records"), [], null);
        }
        var outcomes = new List<RecordOutcome>(records.Count);
        var pendingAlerts = new List<LedgerAlert>();
        var limit = _time.GetUtcNow().Add(MaxClockSkew).ToUnixTimeMilliseconds();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (r.TimeMs > limit)
            {
                _overlay.DropSubmission();
                return (Refuse(records, i, TimeInFutureCode, $"records[{i}].time: {DateTimeOffset.FromUnixTimeMilliseconds(r.TimeMs):O} is more than {MaxClockSkew.TotalMinutes:0} minutes ahead of the node's clock"), [], null);
            }
            var (outcome, raised) = ApplyRecord(r);
            if (!outcome.IsAccepted)
            {
                _overlay.DropSubmission();
                alerts.AddRange(raised.Select(a => a with { Accepted = false, RejectedRecord = r.Encode() }));
                return (Refuse(records, i, outcome.ErrorCode!, $"records[{i}]: {outcome.Message}", raised), [], null);
            }
            pendingAlerts.AddRange(raised);
            outcomes.Add(new RecordOutcome(OutcomeStatus.Accepted, [r.Id], null, null, null, raised, outcome.Verification));
        }
        _overlay.CommitSubmission();
        alerts.AddRange(pendingAlerts);
        return (null, [batch], outcomes);
    }

    private static SubmitResult Refuse(IReadOnlyList<LedgerRecord> records, int index, string code, string message, IReadOnlyList<LedgerAlert>? alerts = null) =>
        new(false, [.. records.Select((r, i) => i == index
            ? new RecordOutcome(OutcomeStatus.Rejected, [r.Id], null, code, message, alerts ?? [])
            : new RecordOutcome(OutcomeStatus.Rejected, [r.Id], null, BatchRejectedCode, $"not written: records[{index}] of the same batch was refused ({code})", []))], null);

    /// <summary>Applies one record to the submission level of the overlay; returns the outcome and the alerts it raised.</summary>
    private (CustodyOutcome Outcome, List<LedgerAlert> Alerts) ApplyRecord(LedgerRecord r)
    {
        if (OutOfChain(r) is { } outOfChain)
            return (outOfChain, []);
        var outcome = CustodyRules.Apply(r, _overlay);
        // A verification the node records for an unauthenticated caller is not a scan by a party: no non-custodian alert.
        var raised = outcome.Alerts.Where(a => !(a.Kind == CustodyAlertKind.ScanByNonCustodian && r.Author == Lane)).Select(a => ToAlert(a, r, true)).ToList();
        if (!outcome.IsAccepted)
            return (outcome, raised);
        if (r.Payload is VerifyPayload v && v.Location.Length > 0)
        {
            if (_overlay.LastScan(v.Item) is { } last && last.Gln != v.Location && Math.Abs(r.TimeMs - last.TimeMs) <= _options.ScanWindow.TotalMilliseconds)
                raised.Add(ToAlert(new CustodyAlert(CustodyAlertKind.ScanAtTwoLocations, v.Item, r.Id,
                    $"scanned at {v.Location}; scanned at {last.Gln} {TimeSpan.FromMilliseconds(Math.Abs(r.TimeMs - last.TimeMs)).TotalMinutes:0} minutes apart"), r, true));
            _overlay.AddScan(v.Item, v.Location, r.TimeMs);
        }
        _overlay.Apply(r.Id, outcome);
        // In a consortium of several nodes a lot-level fact carries its causal position (custody.md §8, rule 3).
        if (Consortium.NodeAddresses.Count > 1 && CrossLane.LotMarkKey(r) is { } markKey)
            _facts.Stage(markKey, new ItemFact(_applyLaneNumber, _blockHeight, r.Id));
        if (_applyLotMap && LotMap.KeyOf(r) is { } lotKey)
            _overlay.SetLotChain(lotKey, LotMap.Chain(_overlay.LotChain(lotKey) ?? _applyState.Get(lotKey), r.Id));
        _touched[r.Id] = [.. r.Payload.Items.Union(outcome.Updates.Select(u => u.Item))];
        return (outcome, raised);
    }

    private static LedgerAlert ToAlert(CustodyAlert a, LedgerRecord r, bool accepted) =>
        new(0, a.Kind, a.Item, a.Record, accepted, r.Author, r.TimeMs, a.Evidence, null);

    private (SubmitResult? Result, List<SignedBatch> Batches, List<RecordOutcome>? Outcomes) ApplyHosted(Pending p, List<LedgerAlert> alerts)
    {
        var key = p.PartyKey!;
        var outcomes = new List<RecordOutcome>(p.Drafts!.Count);
        var accepted = new List<LedgerRecord>();
        var pendingAlerts = new List<LedgerAlert>();
        var anyRejected = false;
        var limit = _time.GetUtcNow().Add(MaxClockSkew).ToUnixTimeMilliseconds();
        foreach (var draft in p.Drafts!)
        {
            if (draft.Key is { } k && (_overlay.HasKey(k) || Store.Get(LaneStore.Keys, System.Text.Encoding.UTF8.GetBytes(k)) is not null))
            {
                outcomes.Add(DuplicateOf(k));
                continue;
            }
            IReadOnlyList<LedgerRecord> built;
            try
            {
                built = draft.Build(_overlay);
            }
            catch (Exception e) when (e is RecordFormatException or EpcisMappingException or Gs1FormatException or RlpException)
            {
                anyRejected = true;
                var (field, rule) = e switch
                {
                    RecordFormatException x => (x.Field, x.Rule),
                    EpcisMappingException x => (x.Field, x.Rule),
                    Gs1FormatException x => (x.Field, x.Rule),
                    RlpException x => (x.Field, x.Rule),
                    _ => ((string?)null, (string?)null),
                };
                outcomes.Add(new RecordOutcome(OutcomeStatus.Rejected, [], null, InvalidEventCode, e.Message, []) { Field = field, Rule = rule });
                if (p.Rollback)
                    break;
                continue;
            }
            var draftAlerts = new List<LedgerAlert>();
            string? code = null, message = null;
            var draftRecords = new List<LedgerRecord>();
            ItemVerification? verification = null;
            foreach (var r in built)
            {
                if (r.Author != key.Address)
                {
                    (code, message) = ("author", $"record {r.Id} is authored by {r.Author}, not the hosted party {key.Address}");
                    break;
                }
                if (r.TimeMs > limit)
                {
                    // The same rule as for signed batches: a captured event dated ahead of the node's clock is refused.
                    (code, message) = (TimeInFutureCode, $"record time {DateTimeOffset.FromUnixTimeMilliseconds(r.TimeMs):O} is more than {MaxClockSkew.TotalMinutes:0} minutes ahead of the node's clock");
                    break;
                }
                if (_overlay.HasRecord(r.Id))
                    continue;
                var (outcome, raised) = ApplyRecord(r);
                if (!outcome.IsAccepted)
                {
                    draftAlerts.AddRange(raised.Select(a => a with { Accepted = false, RejectedRecord = r.Encode() }));
                    (code, message) = (outcome.ErrorCode, outcome.Message);
                    break;
                }
                draftAlerts.AddRange(raised);
                draftRecords.Add(r);
                verification ??= outcome.Verification;
            }
            if (code is not null)
            {
                anyRejected = true;
                alerts.AddRange(draftAlerts.Where(a => !a.Accepted));
                outcomes.Add(new RecordOutcome(OutcomeStatus.Rejected, [.. built.Select(r => r.Id)], null, code, message, draftAlerts));
                if (p.Rollback)
                    break;
                _overlay.DropSubmission();
                continue;
            }
            if (draft.Key is { } key2)
            {
                _overlay.AddKey(key2);
                p.Captured.Add((key2, draft.Payload, built));
            }
            outcomes.Add(new RecordOutcome(OutcomeStatus.Accepted, [.. built.Select(r => r.Id)], null, null, null, draftAlerts, verification));
            pendingAlerts.AddRange(draftAlerts);
            accepted.AddRange(draftRecords);
            if (!p.Rollback)
                _overlay.CommitSubmission();
        }
        if (p.Rollback && anyRejected)
        {
            _overlay.DropSubmission();
            p.Captured.Clear();
            var failed = outcomes.FindIndex(o => o.Status == OutcomeStatus.Rejected);
            var all = p.Drafts.Select((d, i) => i < outcomes.Count && outcomes[i].Status == OutcomeStatus.Rejected
                ? outcomes[i]
                : new RecordOutcome(OutcomeStatus.Rejected, i < outcomes.Count ? outcomes[i].RecordIds : [], null, BatchRejectedCode,
                    $"not written: event {failed} of the same capture was refused and the capture rolls back", [])).ToList();
            return (new SubmitResult(false, all, null), [], null);
        }
        if (p.Rollback)
            _overlay.CommitSubmission();
        alerts.AddRange(pendingAlerts);
        var batches = accepted.Chunk(BatchHeader.MaxRecords).Select(c => SignedBatch.Sign(c, key)).ToList();
        return (null, batches, outcomes);
    }

    private RecordOutcome DuplicateOf(string key)
    {
        if (_overlay.InFlightKey(key) is { } inFlight)
            return new RecordOutcome(OutcomeStatus.Duplicate, inFlight.RecordIds, inFlight.Height, null, null, []);
        if (Store.Get(LaneStore.Keys, System.Text.Encoding.UTF8.GetBytes(key)) is { } seq && Store.Get(LaneStore.Events, seq) is { } ev)
        {
            var stored = StoredEvent.Decode(ev);
            return new RecordOutcome(OutcomeStatus.Duplicate, stored.RecordIds, stored.Height, null, null, []);
        }
        return new RecordOutcome(OutcomeStatus.Duplicate, [], null, null, null, []);
    }

    private (Block Block, StoredHead Head, long EventSequence) WriteBlock(long height, long now, List<(Pending P, SignedBatch Batch)> accepted,
        List<(Pending P, SubmitResult? Result, List<RecordOutcome>? Outcomes)> results, WriteBatch wb, long eventSeq)
    {
        var head = _sequenced;
        var batches = accepted.Select(a => a.Batch).ToList();
        var ids = batches.SelectMany(b => b.Records).Select(r => r.Id).ToArray();
        var leaves = ids.Select(MerkleHash.Leaf).ToArray();
        var recordsRoot = MerkleTree.ComputeRoot(leaves);
        var logStart = _log.Size;
        _log.Append(leaves);
        var stateRoot = StateDelta(_state, _stateNodes);
        var header = new BlockHeader(Lane, height, height == 1 ? Hash32.Zero : head.HeaderHash, now, recordsRoot, ids.Length, _log.Size, _log.Root, stateRoot, CurrentRefs());
        var signed = SignedHeader.Sign(header, _nodeKey);
        var certificate = new Certificate(Lane, height, header.Hash(), [Cosignature.Create(header, _nodeKey)]);
        var block = new Block(signed, batches);
        var encoded = block.Encode();
        // Each record's span in the block, so that a read takes only its bytes (LaneStore.GetRecordAt).
        var spans = BlockReader.RecordSpans(encoded);
        var location = AppendDurably(encoded);

        var lh = Store.HeightKey(height);
        wb.Put(Store[LaneStore.Headers], lh, signed.Encode());
        wb.Put(Store[LaneStore.Certs], lh, certificate.Encode());
        wb.Put(Store[LaneStore.Blocks], lh, BlockLocationCodec.Encode(location));
        // The node's own cosignature is in the cosign log before it is released with the block (never two for one height).
        wb.Put(Store[LaneStore.Cosigns], lh, CosignLogCodec.Encode(header.Hash(), certificate.Cosignatures[0].Signature));
        if (height == 1 && _lotMap)
            wb.Put(Store[LaneStore.Meta], LaneStore.StateMapVersionKey, [LaneStore.CurrentStateMapVersion]);
        WriteBlockIndex(Store, height, batches, leaves, logStart, spans, wb, ownLane: true);
        _logNodes.WriteTo(wb);
        _stateNodes.WriteTo(wb, height);
        // Records submitted as signed batches are listed in the EPCIS event store too, rendered from the record when
        // read (an empty payload), so EPCIS queries see every custody step, not only captured documents.
        foreach (var (p, batch) in accepted)
        {
            if (p.Batch is null)
                continue;
            // One entry per batch under the sequence of its first record; the batch's records take the sequences that
            // follow, and reads expand the entry into one event per record (LaneStore.GetEvents/GetEventAt).
            var first = eventSeq + 1;
            eventSeq += batch.Records.Count;
            wb.Put(Store[LaneStore.Events], StateCodec.BigEndian(first),
                new StoredEvent(RecordEventKeyPrefix + batch.Records[0].Id, [], [.. batch.Records.Select(r => r.Id)], height, batch.Header.Author).Encode());
        }
        foreach (var (p, _, _) in results)
            foreach (var (key, payload, records) in p.Captured)
            {
                var seq = StateCodec.BigEndian(++eventSeq);
                var recordIds = records.Select(r => r.Id).ToArray();
                wb.Put(Store[LaneStore.Events], seq, new StoredEvent(key, payload ?? [], recordIds, height, p.PartyKey!.Address).Encode());
                wb.Put(Store[LaneStore.Keys], System.Text.Encoding.UTF8.GetBytes(key), seq);
            }
        var newHead = head with
        {
            Height = height,
            Location = location,
            HeaderHash = header.Hash(),
            LogSize = _log.Size,
            Frontier = _log.EncodeFrontier(),
            StateRoot = stateRoot,
        };
        LogBlock(_logger, height, ids.Length, batches.Count);
        return (block, newHead, eventSeq);
    }

    /// <summary>
    /// The index entries of a block of <paramref name="lane"/> (own or replicated), the same for both: batches, batch
    /// trees, record locations, histories, then the item states, lot facts, scans and out-of-chain marks the overlay holds
    /// for the block.
    /// </summary>
    private void WriteBlockIndex(LaneStore lane, long height, List<SignedBatch> batches, Hash32[] leaves, long logStart,
        RecordSpan[][] spans, WriteBatch wb, bool ownLane)
    {
        var logIndex = logStart;
        for (var b = 0; b < batches.Count; b++)
        {
            wb.Put(Store[LaneStore.Batches], batches[b].Header.Hash().ToArray(), BatchPlaceCodec.Encode(lane.LaneNumber, height));
            var batchLeaves = leaves.AsSpan((int)(logIndex - logStart), batches[b].Records.Count);
            foreach (var (key, value) in BatchTree.Entries(height, b, batches[b].Header, batches[b].Signature, batchLeaves))
                wb.Put(Store[LaneStore.BatchTrees], lane.LaneKey(key), value);
            for (var i = 0; i < batches[b].Records.Count; i++, logIndex++)
            {
                var r = batches[b].Records[i];
                var id = r.Id.ToArray();
                Store.RecordFilter.Add(id);
                wb.Put(Store[LaneStore.Records], id, RecordLocationCodec.Encode(new RecordLocation(height, b, i, logIndex, spans[b][i].Offset, spans[b][i].Length) { Lane = lane.LaneNumber }));
                if (_touched.TryGetValue(r.Id, out var touched))
                    foreach (var item in touched)
                        wb.Put(Store[LaneStore.History], LaneKeys.History(item.StateKey(), lane.LaneNumber, logIndex), id);
                else
                    foreach (var item in r.Payload.Items)
                        wb.Put(Store[LaneStore.History], LaneKeys.History(item.StateKey(), lane.LaneNumber, logIndex), id);
                if ((_lotMap || !ownLane) && LotMap.KeyOf(r) is { } lotKey)
                    wb.Put(Store[LaneStore.History], LaneKeys.History(lotKey, lane.LaneNumber, logIndex), id);
            }
        }
        _touched.Clear();
        foreach (var (item, state) in _overlay.BlockItems)
        {
            var key = item.StateKey().ToArray();
            Store.ItemFilter.Add(key);
            wb.Put(Store[LaneStore.Items], key, StateCodec.Encode(state));
        }
        if (_overlay.LotsChanged)
            wb.Put(Store[LaneStore.Meta], LaneStore.LotsKey, StateCodec.Encode(_overlay.Lots));
        foreach (var (item, scan) in _overlay.BlockScans)
            wb.Put(Store[LaneStore.Scans], item.StateKey().ToArray(), Overlay.EncodeScan(scan.Gln, scan.TimeMs));
        _facts.WriteTo(Store, wb);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "block {Height}: {Records} records in {Batches} batches")]
    private static partial void LogBlock(ILogger logger, long height, int records, int batches);

    [LoggerMessage(Level = LogLevel.Critical, Message = "the lane stopped writing: a block could not be made durable")]
    private static partial void LogStorageFailure(ILogger logger, Exception exception);
}

/// <summary>A captured EPCIS event as stored: its idempotency key (event hash ID), canonical JSON, records and block.</summary>
public sealed record StoredEvent(string Key, byte[] Payload, IReadOnlyList<Hash32> RecordIds, long Height, Address Author)
{
    internal byte[] Encode() => Rlp.Encode(RlpItem.List(RlpItem.Text(Key), RlpItem.Bytes(Payload),
        RlpItem.List(RecordIds.Select(i => (RlpItem)RlpItem.Hash(i))), RlpItem.UInt((ulong)Height), RlpItem.BytesNoCopy(Author.ToBytes())));

    internal static StoredEvent Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "event";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 5);
        return new StoredEvent(l[0].AsString(f).ToText(f), l[1].AsString(f).Value.ToArray(), [.. l[2].AsList(f).Items.Select(i => i.AsString(f).ToHash32(f))],
            (long)l[3].AsString(f).ToUInt64(f), new Address(l[4].AsString(f).ToFixed(f, 20)));
    }
}
