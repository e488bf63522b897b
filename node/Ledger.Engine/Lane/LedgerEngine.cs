using System.Diagnostics;
using System.Threading.Channels;
using Ledger.Engine.Faults;
using Ledger.Protocol.Consortium;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Storage.RocksDb;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ledger.Engine.Lane;

/// <summary>
/// A node's lane: one sequencer applies submissions in arrival order against the custody rules, groups the accepted
/// ones into a block (group commit by size and latency), signs and certifies it, makes it durable (segment fsync, then
/// the RocksDB batch that names it head, with sync), and only then answers. Reads are served from the committed head.
/// </summary>
public sealed partial class LedgerEngine : IAsyncDisposable
{
    private readonly PrivateKey _nodeKey;
    private readonly LaneOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly Task _sequencer;
    private readonly LogNodeStore _logNodes;
    private readonly RocksSparseNodeStore _stateNodes;
    // Not readonly: after a failed segment write the sequencer goes back to the durable head (GoBackToDurableHead).
    private MerkleLog _log;
    private SparseMerkleTree _state;
    private readonly WriteFailurePolicy _policy;
    private readonly FaultPoints _faults;
    private readonly SegmentScrubber? _scrubber;
    // True when the state map commits lots and products (version 2): a store written before keeps version 1.
    private readonly bool _lotMap;
    private readonly Overlay _overlay;
    private int _queued;
    private Task _committing = Task.CompletedTask;
    private StoredHead _sequenced;
    private volatile LaneHead _head;
    private volatile Exception? _failure;

    private LedgerEngine(LaneStore store, PrivateKey nodeKey, ConsortiumDirectory consortium, LaneOptions options, TimeProvider time, ILogger logger,
        FaultPoints faults)
    {
        Store = store;
        _faults = faults;
        _policy = new WriteFailurePolicy(store.Directory, options, time);
        store.Damaged = OnDamaged;
        ReportOpen(store, logger);
        _nodeKey = nodeKey;
        Consortium = consortium;
        _options = options;
        _time = time;
        _logger = logger;
        _logNodes = new LogNodeStore(store);
        _stateNodes = new RocksSparseNodeStore(store, options.StateCacheNodes, options.StateCheckpointNodes,
            options.LowPriorityBackground ? BackgroundWork.CheckpointNice : 0);
        var head = store.Head;
        _log = head.LogSize == 0 ? new MerkleLog(_logNodes) : MerkleLog.Restore(_logNodes, head.Frontier);
        // The state map is durable up to its checkpoint; the blocks above it are replayed from their state deltas.
        _state = new SparseMerkleTree(_stateNodes, _stateNodes.OpenCheckpoint());
        _stateNodes.Replay(_state);
        _facts = FactBook.Load(store);
        _crossLane = new CrossLane(consortium);
        _overlay = new Overlay(store, consortium, IsShipCertified, _facts);
        _overlay.Adjust = (item, state) => CrossLane.WithVisibleFacts(state, _facts.Of(item.StateKey()), _visible);
        _overlay.AdjustLots = lots => CrossLane.VisibleLots(lots, _facts, _visible);
        _lotMap = store.StateMapVersion >= LaneStore.CurrentStateMapVersion;
        _applyLane = nodeKey.Address;
        _applyState = _state;
        _applyLotMap = _lotMap;
        OpenLanes();
        _sequenced = head;
        _head = head.Height == 0
            ? new LaneHead(0, null, null, 0)
            : new LaneHead(head.Height, store.GetHeader(head.Height), store.GetCertificate(head.Height), head.LogSize);
        if (store.OpenDamage is { } damage)
            OnDamaged(StoreDamagedException.From(damage, HeightAt(damage)));
        _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        _sequencer = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        if (options.ScrubBytesPerSecond > 0 && store.OpenDamage is null)
            _scrubber = new SegmentScrubber(store, options.ScrubBytesPerSecond, () => _head.Height, logger);
        RetryHeldAtOpen();
    }

    /// <summary>The lane id: the node's address.</summary>
    public Address Lane => _nodeKey.Address;

    /// <summary>The store (for reads).</summary>
    public LaneStore Store { get; }

    /// <summary>The consortium the rules are applied with.</summary>
    public ConsortiumDirectory Consortium { get; }

    /// <summary>The committed head.</summary>
    public LaneHead Head => _head;

    /// <summary>Submissions waiting for the sequencer.</summary>
    public int QueueLength => Volatile.Read(ref _queued);

    /// <summary>Set when the lane stopped writing after a storage failure.</summary>
    public Exception? Failure => _failure;

    /// <summary>Whether the lane takes writes now, and if not why (WriteFailurePolicy.cs; served in /readyz and /metrics).</summary>
    public LaneWriteState WriteState => _policy.State;

    /// <summary>Raised after a block is durable (on the sequencer thread; keep handlers short).</summary>
    public event Action<Block>? BlockCommitted;

    /// <summary>Opens the lane in <paramref name="directory"/> (recovering after a crash) and starts its sequencer.</summary>
    /// <remarks>
    /// Fault points for tests: <see cref="LaneOptions.Faults"/>, else the one named by <c>LEDGER_FAULTPOINT</c>, if any.
    /// </remarks>
    public static LedgerEngine Open(string directory, PrivateKey nodeKey, ConsortiumDirectory consortium, LaneOptions? options = null,
        TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(nodeKey);
        ArgumentNullException.ThrowIfNull(consortium);
        options ??= new LaneOptions();
        var store = LaneStore.Open(directory, options.BlockCacheSize, options.BlockCacheRecords, options.IndexCacheMb * 1024L * 1024,
            options.LowPriorityBackground);
        try
        {
            if (store.Head.Height > 0 && store.GetHeader(store.Head.Height) is { } h && h.Header.Lane != nodeKey.Address)
                throw new InvalidOperationException($"the store in {directory} is the lane of {h.Header.Lane}, not of this node's key {nodeKey.Address}");
            store.ClaimOwnLane(nodeKey.Address);
            return new LedgerEngine(store, nodeKey, consortium, options, time ?? TimeProvider.System, logger ?? NullLogger.Instance,
                options.Faults.Armed is not null ? options.Faults : FaultPoints.FromEnvironment());
        }
        catch (RocksDbException e)
        {
            store.Dispose();
            throw StoreDamagedException.FromIndex(e, directory);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Submits a batch signed by its author. The signature and structure are checked here (in parallel across callers);
    /// the custody rules in the sequencer. The batch is atomic: if any record is refused, none is written. A batch whose
    /// records are all on the ledger already is answered as duplicate with their original blocks.
    /// </summary>
    /// <exception cref="SubmissionRejectedException">Bad signature or an author outside the consortium.</exception>
    /// <exception cref="LaneOverloadedException">The queue is full.</exception>
    public Task<SubmitResult> SubmitAsync(SignedBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var check = batch.Verify();
        if (!check.IsValid)
            throw new SubmissionRejectedException("batch.signature", check.Code, check.Reason);
        if (Consortium.Find(batch.Header.Author) is null)
            throw new SubmissionRejectedException("batch.author", "unknown-party", $"{batch.Header.Author} is not a party of the consortium");
        // The items' state keys (a SHA-256 each, cached on the item) are needed by the custody rules, the indexes and the
        // state map: computed here, on the caller's thread, they are off the single sequencer thread.
        foreach (var record in batch.Records)
            foreach (var item in record.Payload.Items)
                item.StateKey();
        return Enqueue(new Pending(batch, null, null, false), cancellationToken);
    }

    /// <summary>
    /// Submits drafts for a party hosted on this node: each draft is built against the state at its turn (so its deps are
    /// current), its records are checked by the custody rules, and the accepted ones are signed with the party's key as
    /// one batch. With <paramref name="rollback"/> any refused draft refuses all; otherwise the rest proceed.
    /// </summary>
    public Task<SubmitResult> SubmitHostedAsync(PrivateKey partyKey, IReadOnlyList<Draft> drafts, bool rollback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partyKey);
        ArgumentNullException.ThrowIfNull(drafts);
        if (Consortium.Find(partyKey.Address) is null)
            throw new SubmissionRejectedException("author", "unknown-party", $"{partyKey.Address} is not a party of the consortium");
        return Enqueue(new Pending(null, partyKey, drafts, rollback), cancellationToken);
    }

    private Task<SubmitResult> Enqueue(Pending pending, CancellationToken cancellationToken)
    {
        if (_policy.Refusal() is { } refused)
            throw refused;
        if (Interlocked.Increment(ref _queued) > _options.MaxQueuedSubmissions)
        {
            Interlocked.Decrement(ref _queued);
            throw new LaneOverloadedException(TimeSpan.FromSeconds(1));
        }
        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Decrement(ref _queued);
            throw new ObjectDisposedException(nameof(LedgerEngine), "the lane is shutting down");
        }
        // The caller may stop waiting; the submission itself is not withdrawn (it may already be durable).
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The state map's node store (tests look at its checkpoints).</summary>
    internal RocksSparseNodeStore StateNodes => _stateNodes;

    /// <summary>
    /// True while the node does work in the background of its own: submissions queued or a block being written, a
    /// state-map checkpoint, RocksDB flushes or compactions. The ingest benchmark waits for it to end before it measures
    /// queries a second time (docs/benchmarks.md).
    /// </summary>
    public bool IsBusy => Volatile.Read(ref _queued) > 0 || !_committing.IsCompleted || _stateNodes.CheckpointInFlight || Store.HasBackgroundWork();

    private bool IsShipCertified(Hash32 ship)
    {
        // A ship in the block in flight is certified by this node's own cosignature once that block commits, and a
        // receive against it commits only after it (blocks commit in order).
        if (_overlay.IsInFlight(ship))
            return Consortium.Definition.Quorum <= 1;
        if (Store.FindRecord(ship) is not { } loc)
            return false;
        return Store.LaneByNumber(loc.Lane)?.GetCertificate(loc.Height) is { } cert && cert.Cosignatures.Count >= Consortium.Definition.Quorum;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var work = new List<Pending>();
        while (await WaitForWorkAsync(reader).ConfigureAwait(false))
        {
            work.Clear();
            Pending? control = null;
            var records = 0;
            var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxBlockDelay.TotalSeconds * Stopwatch.Frequency);
            while (records < _options.MaxBlockRecords)
            {
                if (reader.TryRead(out var p))
                {
                    if (p.Control is not null)
                    {
                        // Work of another kind ends the block: the submissions before it are one block, then it runs alone.
                        control = p;
                        break;
                    }
                    work.Add(p);
                    records += p.Size;
                    continue;
                }
                var left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0 || work.Count == 0)
                    break;
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
                try
                {
                    if (!await reader.WaitToReadAsync(cts.Token).ConfigureAwait(false))
                        break;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            if (work.Count > 0)
                await RunBlockAsync(work).ConfigureAwait(false);
            if (control is not null)
                await RunControlAsync(control).ConfigureAwait(false);
        }
        await _committing.ConfigureAwait(false);
        if (_failure is null)
            _stateNodes.Committed(); // the last block's nodes, for the checkpoint at shutdown
    }

    private async Task RunBlockAsync(List<Pending> work)
    {
        Interlocked.Add(ref _queued, -work.Count);
        // Checked before the custody rules run, so a refused block changes nothing (WriteFailurePolicy.cs, 1).
        if (_policy.Refusal() is { } refused)
        {
            foreach (var p in work)
                p.Done.TrySetException(refused);
            return;
        }
        try
        {
            await ProcessBlockAsync(work).ConfigureAwait(false);
        }
        catch (SegmentWriteException e)
        {
            // WriteFailurePolicy.cs, 2: nothing of this block is committed; back to the durable head, retry later.
            var answer = await GoBackToDurableHeadAsync(e).ConfigureAwait(false);
            foreach (var p in work)
                p.Done.TrySetException(answer);
        }
#pragma warning disable CA1031 // a storage failure stops writing; every waiter gets the failure, nothing is acknowledged
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure ??= e;
            LogStorageFailure(_logger, e);
            var answer = _policy.Failed(e, StoreDamagedException.LedgerPath("index"));
            foreach (var p in work)
                p.Done.TrySetException(answer);
        }
    }

    private async Task ProcessBlockAsync(List<Pending> work)
    {
        _blockHeight = _sequenced.Height + 1;
        _overlay.Reset();
        _logNodes.Clear();
        _stateNodes.Clear();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var accepted = new List<(Pending P, SignedBatch Batch)>();
        var alerts = new List<LedgerAlert>();
        var results = new List<(Pending P, SubmitResult? Result, List<RecordOutcome>? Outcomes)>();
        foreach (var p in work)
        {
            var (result, batches, outcomes) = p.Batch is not null ? ApplySigned(p.Batch, alerts) : ApplyHosted(p, alerts);
            foreach (var b in batches)
                accepted.Add((p, b));
            results.Add((p, result, outcomes));
        }
        if (accepted.Count == 0)
            RefuseCapturesWithoutBlock(results);

        long? height = null;
        var wb = new WriteBatch();
        var handedOver = false;
        try
        {
            var head = _sequenced;
            var alertSeq = head.AlertSequence;
            var eventSeq = head.EventSequence;
            var newHead = head;
            Block? block = null;
            if (accepted.Count > 0)
            {
                height = head.Height + 1;
                (block, newHead, eventSeq) = WriteBlock(height.Value, now, accepted, results, wb, eventSeq);
            }
            foreach (var a in alerts)
            {
                var stored = a with { Sequence = ++alertSeq };
                var key = StateCodec.BigEndian(stored.Sequence);
                wb.Put(Store[LaneStore.Alerts], key, StateCodec.Encode(stored));
                if (stored.Item is { } item)
                    wb.Put(Store[LaneStore.ItemAlerts], StateCodec.Key(item.StateKey(), stored.Sequence), key);
            }
            if (wb.Count > 0)
            {
                newHead = newHead with { AlertSequence = alertSeq, EventSequence = eventSeq };
                wb.Put(Store[LaneStore.Meta], Store.HeadKeyOfLane, newHead.Encode());
            }

            // One block in flight at a time: this block was built (and its segment frame made durable) while the previous
            // block's RocksDB write ran; its own write starts only after that one is done, so heads commit in order.
            await _committing.ConfigureAwait(false);
            if (_failure is { } failed)
                throw new LaneFailedException("the block before this one could not be made durable: " + failed.Message, failed);
            _stateNodes.Committed();
            // Nothing in flight now and the last head is published (a reader's view needs that order): a due checkpoint
            // starts at that head. This block's nodes join the next generation when it commits.
            _stateNodes.CheckpointIfDue(Store.Head.Height, Store.Head.StateRoot);
            if (wb.Count == 0)
            {
                // Nothing to write (every submission refused or already on the ledger): answer now, after the block before
                // it is durable, since a duplicate may name a record of that block.
                _overlay.SetInFlight(null);
                Answer(results, height, Quorum <= 1);
                return;
            }
            _stateNodes.Seal();
            _sequenced = newHead;
            var keys = new Dictionary<string, IReadOnlyList<Hash32>>(StringComparer.Ordinal);
            foreach (var (p, _, _) in results)
                foreach (var (key, _, records) in p.Captured)
                    keys[key] = [.. records.Select(r => r.Id)];
            var layer = height is { } hgt ? _overlay.Seal(hgt, keys) : null;
            _overlay.SetInFlight(layer);
            var batch = wb;
            var facts = _facts.Seal();
            handedOver = true;
            _committing = Task.Run(() => Commit(batch, block, newHead, results, height, facts));
        }
        finally
        {
            if (!handedOver)
                wb.Dispose();
        }
    }

    /// <summary>The committer: the block's RocksDB batch with sync, then the head moves and the callers are answered.</summary>
    private void Commit(WriteBatch wb, Block? block, StoredHead newHead, List<(Pending P, SubmitResult? Result, List<RecordOutcome>? Outcomes)> results, long? height,
        List<(Hash32 Key, ItemFact Fact)> facts)
    {
        try
        {
            // The seam between the segment fsync and the index write: a crash here leaves a frame past the head (cut at open).
            _faults.Reach(FaultPoints.LaneFrameSynced);
            Store.Db.Write(wb, sync: true);
            // The block is committed but nobody is answered yet: after a crash here it is on the ledger unanswered.
            _faults.Reach(FaultPoints.LaneIndexWritten);
            Store.Head = newHead;
            _facts.Committed(facts);
            if (block is not null)
            {
                var certificate = Store.GetCertificate(newHead.Height);
                _head = new LaneHead(newHead.Height, block.SignedHeader, certificate, newHead.LogSize);
                Store.CacheBlock(newHead.Height, block);
                BlockCommitted?.Invoke(block);
                // The own cosignature is in the cosign log (the block's batch): released now, with the block.
                if (certificate is { Cosignatures: [var own, ..] })
                    CosignatureReleased?.Invoke(Lane, newHead.Height, newHead.HeaderHash, own);
                if (certificate is not null && certificate.Cosignatures.Count >= Quorum)
                    Certified?.Invoke(certificate);
            }
        }
#pragma warning disable CA1031 // a storage failure stops writing; every waiter gets the failure, nothing is acknowledged
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = e;
            LogStorageFailure(_logger, e);
            var answer = _policy.Failed(e, StoreDamagedException.LedgerPath("index"));
            foreach (var (p, _, _) in results)
                p.Done.TrySetException(answer);
            return;
        }
        finally
        {
            wb.Dispose();
        }
        Answer(results, height, Quorum <= 1);
    }

    // Captured events are stored with the block (WriteBlock); a round that writes no block has none to store them with.
    private static void RefuseCapturesWithoutBlock(List<(Pending P, SubmitResult? Result, List<RecordOutcome>? Outcomes)> results)
    {
        foreach (var (p, _, outcomes) in results)
        {
            if (p.Captured.Count == 0 || outcomes is null)
                continue;
            p.Captured.Clear();
            for (var i = 0; i < outcomes.Count; i++)
            {
                if (outcomes[i].Status == OutcomeStatus.Accepted)
                    outcomes[i] = new RecordOutcome(OutcomeStatus.Rejected, outcomes[i].RecordIds, null, NoRecordCode,
                        "the event writes no new custody record (it has no custody effect, or its records are already on the ledger) and nothing else in its block does; nothing was stored: capture it together with an event that writes a record", []);
            }
        }
    }

    private static void Answer(List<(Pending P, SubmitResult? Result, List<RecordOutcome>? Outcomes)> results, long? height, bool certified)
    {
        foreach (var (p, result, outcomes) in results)
        {
            if (result is not null)
                p.Done.TrySetResult(result);
            else
            {
                var finished = Finish(outcomes!, height);
                // A submission wholly on the ledger already answers with the block that holds it (api.md §5).
                var answeredHeight = finished.Any(o => o.Status == OutcomeStatus.Accepted) ? height
                    : finished.Count > 0 && finished.All(o => o.Status == OutcomeStatus.Duplicate) ? finished.Max(o => o.Height)
                    : null;
                p.Done.TrySetResult(new SubmitResult(finished.All(o => o.Status != OutcomeStatus.Rejected), finished, answeredHeight) { Certified = certified && answeredHeight is not null });
            }
        }
    }

    private static List<RecordOutcome> Finish(List<RecordOutcome> outcomes, long? height) =>
        [.. outcomes.Select(o => o.Status == OutcomeStatus.Accepted || (o.Status == OutcomeStatus.Duplicate && o.Height is null) ? o with { Height = height } : o)];

    /// <summary>Stops taking submissions, finishes the block in flight (every queued submission is answered), and closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _sequencer.ConfigureAwait(false);
        if (_scrubber is not null)
            await _scrubber.DisposeAsync().ConfigureAwait(false);
        try
        {
            // After a storage failure the state map is left to recovery (replay of the state deltas on the next open).
            if (_failure is null)
            {
                await _stateNodes.CloseAsync(Store.Head.Height, Store.Head.StateRoot).ConfigureAwait(false);
                await CloseLanesAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // the checkpoint is an optimisation of recovery: the store stays consistent without it
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogCheckpointFailure(_logger, e);
        }
        finally
        {
            Store.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "the state-map checkpoint at shutdown could not be written; the next open replays the state deltas")]
    private static partial void LogCheckpointFailure(ILogger logger, Exception exception);
}
