using Ledger.Engine.Faults;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Merkle;
using Ledger.Protocol.Records;
using Ledger.Protocol.Rlp;
using Ledger.Storage.RocksDb;
using Microsoft.Extensions.Logging;

namespace Ledger.Engine.Lane;

/// <summary>What became of a block of another lane given to <see cref="LedgerEngine.ApplyBlockAsync"/>.</summary>
public enum ApplyStatus
{
    /// <summary>Validated, applied and durable; the node's cosignature is in <see cref="ApplyResult.Cosignature"/>.</summary>
    Applied,
    /// <summary>The block is on the node already (its stored cosignature, if any, is given again).</summary>
    Duplicate,
    /// <summary>Held until what it depends on arrives (its parent, a referenced head, the certificate of a Ship it receives).</summary>
    Held,
    /// <summary>Refused with <see cref="ApplyResult.Code"/>; nothing changed.</summary>
    Rejected,
    /// <summary>A second signed header for a (lane, height) the node holds another header for: stored as evidence, the lane frozen.</summary>
    Equivocation,
}

/// <summary>The answer to <see cref="LedgerEngine.ApplyBlockAsync"/> and <see cref="LedgerEngine.AddCosignatureAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Code">A stable code when held or refused (e.g. <c>header-signature</c>, <c>state-root</c>, <c>ref-missing</c>).</param>
/// <param name="Message">What was wrong, naming the field.</param>
/// <param name="Cosignature">The node's cosignature of the block (applied, or duplicate of a cosigned block).</param>
public sealed record ApplyResult(ApplyStatus Status, string? Code = null, string? Message = null, Cosignature? Cosignature = null);

/// <summary>Two headers signed by one lane's node for one height: the proof that the lane equivocated.</summary>
public sealed record EquivocationEvidence(Address Lane, long Height, SignedHeader First, SignedHeader Second)
{
    internal byte[] Encode() => Rlp.Encode(RlpItem.List(First.ToRlp(), Second.ToRlp()));

    internal static EquivocationEvidence Decode(ReadOnlySpan<byte> bytes)
    {
        const string f = "evidence";
        var l = Rlp.Decode(bytes).AsList(f).Expect(f, 2);
        var first = SignedHeader.FromRlp(l[0], f + "[0]");
        var second = SignedHeader.FromRlp(l[1], f + "[1]");
        return new EquivocationEvidence(first.Header.Lane, first.Header.Height, first, second);
    }
}

/// <summary>A <c>cosigns</c> value: the header hash this node cosigned at that (lane, height) ‖ its cosignature (65 bytes).</summary>
internal static class CosignLogCodec
{
    public static byte[] Encode(Hash32 headerHash, Signature signature) => [.. headerHash.ToArray(), .. signature.ToBytes()];

    public static (Hash32 HeaderHash, Signature Signature) Decode(ReadOnlySpan<byte> b) => b.Length == 32 + 65
        ? (new Hash32(b[..32]), Signature.FromBytes(b[32..]))
        : throw new InvalidOperationException($"a cosigns value is {b.Length} bytes, expected 97: the store is damaged");
}

/// <summary>A replicated lane's Merkle log and state map, next to its store view.</summary>
internal sealed class ReplicaLane
{
    public ReplicaLane(LaneStore store, LaneOptions options)
    {
        Store = store;
        LogNodes = new LogNodeStore(store);
        StateNodes = new RocksSparseNodeStore(store, options.StateCacheNodes, options.StateCheckpointNodes,
            options.LowPriorityBackground ? BackgroundWork.CheckpointNice : 0);
        var head = store.Head;
        Log = head.LogSize == 0 ? new MerkleLog(LogNodes) : MerkleLog.Restore(LogNodes, head.Frontier);
        State = new SparseMerkleTree(StateNodes, StateNodes.OpenCheckpoint());
        StateNodes.Replay(State);
    }

    public LaneStore Store { get; }
    public LogNodeStore LogNodes { get; }
    public RocksSparseNodeStore StateNodes { get; }
    public MerkleLog Log { get; set; }
    public SparseMerkleTree State { get; set; }
}

public sealed partial class LedgerEngine
{
    /// <summary>Blocks held for a missing dependency beyond this many are refused (<c>held-full</c>).</summary>
    public const int MaxHeldBlocks = 1_024;

    private readonly CrossLane _crossLane;
    private readonly FactBook _facts;
    // Read by provenance readers off the sequencer (ProvenanceAcrossLanes.cs), written on it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, ReplicaLane> _replicas = [];
    private readonly List<Block> _held = [];
    private readonly HashSet<Address> _frozen = [];
    private readonly Dictionary<(Address Lane, long Height, Hash32 Hash), List<Cosignature>> _earlyCosignatures = [];

    // The lane whose block is being built or applied, its state map, and which out-of-chain marks its records see.
    private Address _applyLane;
    private SparseMerkleTree _applyState = null!;
    private bool _applyLotMap;
    private Func<ItemFact, bool> _visible = _ => true;
    private int _applyLaneNumber = LaneKeys.OwnLane;
    private long _blockHeight;

    /// <summary>Raised (on the sequencer thread) when this node releases a cosignature, its own lane's or another's, after recording it durably.</summary>
    public event Action<Address, long, Hash32, Cosignature>? CosignatureReleased;

    /// <summary>Raised when a certificate reaches the quorum (own lane or replicated) and is stored.</summary>
    public event Action<Certificate>? Certified;

    /// <summary>Raised when equivocation evidence is stored (the lane is frozen from then on).</summary>
    public event Action<EquivocationEvidence>? EquivocationDetected;

    /// <summary>The quorum q = ⌊2n/3⌋+1 of the consortium's n nodes.</summary>
    public int Quorum => Consortium.Definition.Quorum;

    /// <summary>Lanes frozen by evidence: they get no more cosignatures and no more blocks are applied.</summary>
    public IReadOnlyCollection<Address> FrozenLanes
    {
        get
        {
            lock (_frozen)
                return [.. _frozen];
        }
    }

    /// <summary>Blocks waiting for a dependency.</summary>
    public int HeldBlocks
    {
        get
        {
            lock (_held)
                return _held.Count;
        }
    }

    /// <summary>Every piece of equivocation evidence the node holds.</summary>
    public IReadOnlyList<EquivocationEvidence> GetEvidence()
    {
        var result = new List<EquivocationEvidence>();
        using var it = Store.Db.NewIterator(Store[LaneStore.Evidence]);
        for (it.SeekToFirst(); it.Valid(); it.Next())
            result.Add(EquivocationEvidence.Decode(it.Value()));
        return result;
    }

    /// <summary>The head of a lane in this store (own or replicated): height and header, or (0, null).</summary>
    public (long Height, SignedHeader? Header, Certificate? Certificate) HeadOf(Address lane)
    {
        var view = lane == Lane ? Store : Store.NumberOf(lane) is { } n ? Store.LaneByNumber(n) : null;
        if (view is null || view.Head.Height == 0)
            return (0, null, null);
        return (view.Head.Height, view.GetHeader(view.Head.Height), view.GetCertificate(view.Head.Height));
    }

    /// <summary>The signed header and certificate (cosignatures so far) of a lane's block, or nulls.</summary>
    public (SignedHeader? Header, Certificate? Certificate) GetLaneBlock(Address lane, long height)
    {
        var view = lane == Lane ? Store : Store.NumberOf(lane) is { } n ? Store.LaneByNumber(n) : null;
        return view is null ? (null, null) : (view.GetHeader(height), view.GetCertificate(height));
    }

    /// <summary>The whole block (signed header and batches) of a lane at a height this store holds, or null (for a peer's pull, docs/spec/cluster.md §4).</summary>
    public Block? GetBlock(Address lane, long height)
    {
        var view = lane == Lane ? Store : Store.NumberOf(lane) is { } n ? Store.LaneByNumber(n) : null;
        return view is null || height < 1 || height > view.Head.Height ? null : view.GetBlock(height);
    }

    /// <summary>True when the block is certified: its certificate has the quorum's cosignatures.</summary>
    public bool IsCertified(Address lane, long height) => GetLaneBlock(lane, height).Certificate is { } c && c.Cosignatures.Count >= Quorum;

    /// <summary>
    /// Validates a block of another lane and applies it (docs/spec/lane.md §4), in causal order: a block whose parent or
    /// referenced heads are not present yet, or that receives a Ship not yet certified here, is held and applied when
    /// they arrive. On success the node records its cosignature durably, then releases it (<see cref="CosignatureReleased"/>).
    /// </summary>
    public Task<ApplyResult> ApplyBlockAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        return EnqueueControl(() => ApplyAndRetry(block), cancellationToken);
    }

    /// <summary>Adds another node's cosignature of a block (own lane or replicated); stores the certificate when it reaches the quorum.</summary>
    public Task<ApplyResult> AddCosignatureAsync(Address lane, long height, Hash32 headerHash, Cosignature cosignature, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cosignature);
        return EnqueueControl(() =>
        {
            var result = AddCosignature(lane, height, headerHash, cosignature);
            if (result.Status == ApplyStatus.Applied)
                RetryHeld();
            return result;
        }, cancellationToken);
    }

    /// <summary>Adds the cosignatures of a certificate assembled elsewhere (each is checked).</summary>
    public Task<ApplyResult> AddCertificateAsync(Certificate certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return EnqueueControl(() =>
        {
            ApplyResult last = new(ApplyStatus.Duplicate);
            foreach (var c in certificate.Cosignatures)
            {
                var r = AddCosignature(certificate.Lane, certificate.Height, certificate.HeaderHash, c);
                if (r.Status == ApplyStatus.Rejected)
                    return r;
                // Held: kept until the block arrives; the other cosignatures are kept too.
                if (r.Status == ApplyStatus.Applied || (r.Status == ApplyStatus.Held && last.Status != ApplyStatus.Applied))
                    last = r;
            }
            if (last.Status == ApplyStatus.Applied)
                RetryHeld();
            return last;
        }, cancellationToken);
    }

    private Task<ApplyResult> EnqueueControl(Func<ApplyResult> run, CancellationToken cancellationToken)
    {
        if (_failure is { } failure)
            throw new LaneFailedException("the node stopped writing after a storage failure: " + failure.Message, failure);
        // A full disk or a failed write refuses other lanes' blocks and cosignatures as it refuses submissions
        // (WriteFailurePolicy.cs): nothing is touched, the sender sends again.
        if (_policy.Refusal() is { } refused)
            throw refused;
        var pending = new Pending(null, null, null, false) { Control = run };
        if (!_queue.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(LedgerEngine), "the engine is shutting down");
        return pending.ControlDone.Task.WaitAsync(cancellationToken);
    }

    /// <summary>On the sequencer, with no block of the own lane in flight.</summary>
    private async Task RunControlAsync(Pending control)
    {
        await _committing.ConfigureAwait(false);
        if (_failure is { } failed)
        {
            control.ControlDone.TrySetException(new LaneFailedException("the node stopped writing after a storage failure: " + failed.Message, failed));
            return;
        }
        if (_policy.Refusal() is { } refused)
        {
            control.ControlDone.TrySetException(refused);
            return;
        }
        _stateNodes.Committed();
        _overlay.SetInFlight(null);
        try
        {
            control.ControlDone.TrySetResult(control.Control!());
        }
        catch (SegmentWriteException e)
        {
            // WriteFailurePolicy.cs, 2, for a block of another lane: nothing of it is committed; back to that lane's
            // durable head, refuse for the retry interval, then take blocks again.
            control.ControlDone.TrySetException(GoBackToReplicaHead(e));
        }
#pragma warning disable CA1031 // a storage failure (or an injected fault) stops writing; the caller gets it, nothing is acknowledged
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = e;
            LogStorageFailure(_logger, e);
            _policy.Failed(e, StoreDamagedException.LedgerPath("index"));
            control.ControlDone.TrySetException(new LaneFailedException("the node stopped writing: " + e.Message, e));
        }
        finally
        {
            ResetApplyContext();
        }
    }

    private void ResetApplyContext()
    {
        _applyLane = Lane;
        _applyState = _state;
        _applyLotMap = _lotMap;
        _applyLaneNumber = LaneKeys.OwnLane;
        _visible = _ => true;
        _overlay.Reset();
        _touched.Clear();
    }

    private ApplyResult ApplyAndRetry(Block block)
    {
        var result = Apply(block);
        if (result.Status == ApplyStatus.Held)
        {
            lock (_held)
            {
                if (_held.Count >= MaxHeldBlocks)
                    return new ApplyResult(ApplyStatus.Rejected, "held-full", $"{MaxHeldBlocks} blocks are held already; send the missing dependencies first");
                if (_held.Any(b => b.SignedHeader.Hash() == block.SignedHeader.Hash()))
                    return result;
            }
            // Durable before the sender is told "held" (LedgerEngine.Held.cs), then in memory.
            PersistHeld(block);
            lock (_held)
                _held.Add(block);
        }
        else if (result.Status == ApplyStatus.Applied)
        {
            RetryHeld();
        }
        return result;
    }

    /// <summary>Applies held blocks whose dependencies arrived, until none moves.</summary>
    private void RetryHeld()
    {
        for (var progress = true; progress;)
        {
            progress = false;
            Block[] held;
            lock (_held)
                held = [.. _held.OrderBy(b => b.SignedHeader.Header.Height)];
            foreach (var block in held)
            {
                ResetApplyContext();
                var r = Apply(block);
                if (r.Status == ApplyStatus.Held)
                    continue;
                if (r.Status != ApplyStatus.Applied)
                    ForgetHeld(block); // refused, a duplicate or evidence now: retrying it can only give that again
                lock (_held)
                    _held.Remove(block);
                progress |= r.Status == ApplyStatus.Applied;
            }
        }
    }

    private static ApplyResult Refuse(string code, string message) => new(ApplyStatus.Rejected, code, message);

    private static ApplyResult Hold(string code, string message) => new(ApplyStatus.Held, code, message);

    private ReplicaLane? Replica(Address lane)
    {
        if (Store.NumberOf(lane) is not { } n || n == LaneKeys.OwnLane)
            return null;
        if (!_replicas.TryGetValue(n, out var replica))
            _replicas[n] = replica = new ReplicaLane(Store.LaneByNumber(n)!, _options);
        return replica;
    }

    /// <summary>Validation and application of one block of another lane (the order of the checks is the order of the codes in lane.md §4).</summary>
    private ApplyResult Apply(Block block)
    {
        var signed = block.SignedHeader;
        var header = signed.Header;
        var lane = header.Lane;
        if (lane == Lane)
            return GetLaneBlock(Lane, header.Height).Header?.Hash() == signed.Hash()
                ? new ApplyResult(ApplyStatus.Duplicate)
                : Refuse("own-lane", $"header.lane: {lane} is this node's own lane, which only this node writes");
        if (!Consortium.NodeAddresses.Contains(lane))
            return Refuse("unknown-lane", $"header.lane: {lane} is not a node of the consortium");
        var check = signed.Verify();
        if (!check.IsValid)
            return Refuse("header-signature", $"header.signature: {check.Reason}");
        lock (_frozen)
        {
            if (_frozen.Contains(lane))
                return Refuse("lane-frozen", $"lane {lane} is frozen by equivocation evidence: no more of its blocks are applied or cosigned");
        }
        // A consortium node's lane gets its number in this store with its first signed header (no ledger state changes).
        Store.LaneFor(lane);
        var replica = Replica(lane)!;
        var head = replica.Store.Head;
        if (header.Height <= head.Height)
        {
            var stored = replica.Store.GetHeader(header.Height)!;
            if (stored.Hash() == signed.Hash())
            {
                // The cosignature recorded for it is released again (the same one: a node cosigns a (lane, height) once),
                // since a crash may have come between its durable record and its release.
                var cosign = replica.Store.Get(LaneStore.Cosigns, replica.Store.HeightKey(header.Height)) is { } c
                    ? new Cosignature(Lane, CosignLogCodec.Decode(c).Signature) : null;
                if (cosign is not null)
                    CosignatureReleased?.Invoke(lane, header.Height, signed.Hash(), cosign);
                return new ApplyResult(ApplyStatus.Duplicate, Cosignature: cosign);
            }
            return RecordEquivocation(replica.Store, stored, signed);
        }
        if (header.Height > head.Height + 1)
            return Hold("parent-missing", $"header.height: {header.Height}, but this node holds lane {lane} up to height {head.Height}");
        if (header.Parent != (head.Height == 0 ? Hash32.Zero : head.HeaderHash))
            return Refuse("wrong-parent", $"header.parent: {header.Parent}, the header at height {head.Height} of lane {lane} is {head.HeaderHash}");
        if (head.Height > 0 && replica.Store.GetHeader(head.Height) is { } parent && header.TimeMs < parent.Header.TimeMs)
            return Refuse("time", $"header.time: {header.TimeMs} is before the parent's {parent.Header.TimeMs}");

        // Causal references: every referenced head must be here, with that header hash.
        var refHeights = new Dictionary<int, long>();
        for (var i = 0; i < header.Refs.Count; i++)
        {
            var r = header.Refs[i];
            var (present, hash) = r.Lane == Lane
                ? (Store.Head.Height >= r.Height, Store.Head.Height >= r.Height ? Store.GetHeader(r.Height)?.Hash() : null)
                : Store.NumberOf(r.Lane) is { } rn && Store.LaneByNumber(rn) is { } rv && rv.Head.Height >= r.Height ? (true, rv.GetHeader(r.Height)?.Hash()) : (false, null);
            if (!present)
                return Hold("ref-missing", $"header.refs[{i}]: lane {r.Lane} height {r.Height} is not on this node yet");
            if (hash != r.HeaderHash)
                return Refuse("ref-mismatch", $"header.refs[{i}]: lane {r.Lane} height {r.Height} is header {hash} here, the block names {r.HeaderHash}");
            refHeights[Store.NumberOf(r.Lane)!.Value] = r.Height;
        }

        // Records and batches.
        var ids = block.RecordIds().ToArray();
        var leaves = ids.Select(MerkleHash.Leaf).ToArray();
        if (ids.Length != header.RecordCount)
            return Refuse("record-count", $"header.recordCount: {header.RecordCount}, the block carries {ids.Length} records");
        var recordsRoot = MerkleTree.ComputeRoot(leaves);
        if (recordsRoot != header.RecordsRoot)
            return Refuse("records-root", $"header.recordsRoot: {header.RecordsRoot}, the block's records hash to {recordsRoot}");
        for (var b = 0; b < block.Batches.Count; b++)
        {
            var batch = block.Batches[b];
            var bc = batch.Verify();
            if (!bc.IsValid)
                return Refuse(bc.Code, $"batches[{b}]: {bc.Reason}");
            if (Consortium.Find(batch.Header.Author) is null)
                return Refuse("unknown-party", $"batches[{b}].author: {batch.Header.Author} is not a party of the consortium");
        }
        foreach (var id in ids)
        {
            if (_overlay.HasRecord(id))
                return Refuse("duplicate-record", $"record {id} is on the ledger already");
        }

        // Custody rules, against the node's state, seeing the out-of-chain marks in the block's causal past only.
        var number = replica.Store.LaneNumber;
        _applyLane = lane;
        _applyLaneNumber = number;
        _applyLotMap = true;
        _applyState = replica.State;
        _visible = f => f.Lane == number || (refHeights.TryGetValue(f.Lane, out var h) && h >= f.Height);
        _overlay.Reset();
        _blockHeight = header.Height;
        for (var b = 0; b < block.Batches.Count; b++)
        {
            var records = block.Batches[b].Records;
            for (var i = 0; i < records.Count; i++)
            {
                var (outcome, _) = ApplyRecord(records[i]);
                if (!outcome.IsAccepted)
                {
                    var where = $"batches[{b}].records[{i}] ({records[i].Id}): {outcome.ErrorCode}: {outcome.Message}";
                    return outcome.ErrorCode == CustodyErrorCodes.ShipNotCertified
                        ? Hold("ship-not-certified", where)
                        : Refuse("custody", where);
                }
            }
            _overlay.CommitSubmission();
        }

        // Lane log and state map: computed on copies, so a refused block leaves the lane as it was.
        replica.LogNodes.Clear();
        replica.StateNodes.Clear();
        var log = replica.Log.Size == 0 ? new MerkleLog(replica.LogNodes) : MerkleLog.Restore(replica.LogNodes, replica.Log.EncodeFrontier());
        var logStart = log.Size;
        log.Append(leaves);
        if (log.Size != header.LogSize || log.Root != header.LogRoot)
        {
            replica.LogNodes.Clear();
            return Refuse("log-root", $"header.logSize/logRoot: {header.LogSize} {header.LogRoot}, the lane log after this block is {log.Size} {log.Root}");
        }
        var oldRoot = replica.State.Root;
        var tree = new SparseMerkleTree(replica.StateNodes, oldRoot);
        var stateRoot = StateDelta(tree, replica.StateNodes);
        if (stateRoot != header.StateRoot)
        {
            replica.LogNodes.Clear();
            replica.StateNodes.Clear();
            return Refuse("state-root", $"header.stateRoot: {header.StateRoot}, the lane's state map after this block is {stateRoot}");
        }

        // Durable: the block's frame, then one RocksDB batch with its index entries, the lane's head and this node's
        // cosignature (recorded before it is released). Equivocation is impossible past this point: the height is new.
        var encoded = block.Encode();
        var spans = BlockReader.RecordSpans(encoded);
        Cosignature? cosignature = null;
        var lh = replica.Store.HeightKey(header.Height);
        using var wb = new WriteBatch();
        if (replica.Store.Get(LaneStore.Cosigns, lh) is null)
        {
            cosignature = Cosignature.Create(header, _nodeKey);
            wb.Put(Store[LaneStore.Cosigns], lh, CosignLogCodec.Encode(header.Hash(), cosignature.Signature));
        }
        _faults.Reach(FaultPoints.CosignRecord);
        var location = AppendForeignDurably(replica, encoded);
        wb.Put(Store[LaneStore.Headers], lh, signed.Encode());
        wb.Put(Store[LaneStore.Blocks], lh, BlockLocationCodec.Encode(location));
        var cosigs = new List<Cosignature>();
        if (cosignature is not null)
            cosigs.Add(cosignature);
        // Cosignatures that came before the block count once they check out against its header.
        if (_earlyCosignatures.TryGetValue((lane, header.Height, header.Hash()), out var early))
            cosigs.AddRange(early.Where(e => cosigs.All(c => c.Node != e.Node)
                && new Certificate(lane, header.Height, header.Hash(), [e]).Verify(header, new HashSet<Address> { e.Node }).IsValid));
        ForgetHeldOf(replica.Store, header, IsHeld(signed.Hash()), wb);
        var certificate = new Certificate(lane, header.Height, header.Hash(), cosigs);
        wb.Put(Store[LaneStore.Certs], lh, certificate.Encode());
        WriteBlockIndex(replica.Store, header.Height, [.. block.Batches], leaves, logStart, spans, wb, ownLane: false);
        replica.LogNodes.WriteTo(wb);
        replica.StateNodes.WriteTo(wb, header.Height);
        var newHead = head with
        {
            Height = header.Height,
            Location = location,
            HeaderHash = header.Hash(),
            LogSize = log.Size,
            Frontier = log.EncodeFrontier(),
            StateRoot = stateRoot,
        };
        wb.Put(Store[LaneStore.Meta], replica.Store.HeadKeyOfLane, newHead.Encode());
        var facts = _facts.Seal();
        Store.Db.Write(wb, sync: true);
        ForgotHeldOf(header);
        replica.Store.Head = newHead;
        replica.Log = log;
        replica.State = tree;
        replica.StateNodes.Seal();
        replica.StateNodes.Committed();
        replica.StateNodes.CheckpointIfDue(newHead.Height, stateRoot);
        _facts.Committed(facts);
        replica.Store.CacheBlock(header.Height, block);
        LogApplied(_logger, lane, header.Height, ids.Length);
        _faults.Reach(FaultPoints.ForeignApplied);
        if (cosignature is not null)
            CosignatureReleased?.Invoke(lane, header.Height, header.Hash(), cosignature);
        if (certificate.Cosignatures.Count >= Quorum)
            Certified?.Invoke(certificate);
        return new ApplyResult(ApplyStatus.Applied, Cosignature: cosignature);
    }

    /// <summary>The state map of the block being applied, after its changes (item → latest record; lot and product chains; out-of-chain writes).</summary>
    private Hash32 StateDelta(SparseMerkleTree tree, RocksSparseNodeStore nodes) =>
        _overlay.BlockItems.Count == 0 && _overlay.BlockLotChains.Count == 0
            ? tree.Root
            : tree.Update(nodes.RecordDelta(_overlay.BlockItems.Select(kv => (kv.Key.StateKey(), (Hash32?)kv.Value.LatestRecord))
                .Concat(_overlay.BlockLotChains.Select(kv => (kv.Key, (Hash32?)kv.Value)))));

    private ApplyResult RecordEquivocation(LaneStore lane, SignedHeader first, SignedHeader second)
    {
        var evidence = new EquivocationEvidence(first.Header.Lane, first.Header.Height, first, second);
        Store.Db.Put(Store[LaneStore.Evidence], lane.HeightKey(first.Header.Height), evidence.Encode(), sync: true);
        lock (_frozen)
            _frozen.Add(first.Header.Lane);
        var (firstHash, secondHash) = (first.Hash(), second.Hash());
        LogEquivocation(_logger, first.Header.Lane, first.Header.Height, firstHash, secondHash);
        EquivocationDetected?.Invoke(evidence);
        return new ApplyResult(ApplyStatus.Equivocation, "equivocation",
            $"lane {first.Header.Lane} signed header {second.Hash()} at height {first.Header.Height}, where this node holds {first.Hash()}: stored as evidence, lane frozen");
    }

    private ApplyResult AddCosignature(Address lane, long height, Hash32 headerHash, Cosignature cosignature)
    {
        if (!Consortium.NodeAddresses.Contains(cosignature.Node))
            return Refuse("cosigner-unknown", $"cosignature.node: {cosignature.Node} is not a consortium node");
        var view = lane == Lane ? Store : Store.NumberOf(lane) is { } n ? Store.LaneByNumber(n) : null;
        var signed = view?.GetHeader(height);
        if (signed is null || signed.Hash() != headerHash)
        {
            if (signed is not null)
                return Refuse("cosign-other-header", $"the cosignature is for header {headerHash}; this node holds {signed.Hash()} at lane {lane} height {height}");
            // The block has not arrived yet: kept (bounded, durably: LedgerEngine.Held.cs) until it does. The own lane's
            // blocks are all here: a cosignature of one that is not was never asked for.
            if (lane == Lane)
                return Refuse("cosign-unknown-block", $"the cosignature is for header {headerHash} at height {height} of this node's own lane, which holds no such block");
            if (!Consortium.NodeAddresses.Contains(lane))
                return Refuse("unknown-lane", $"lane {lane} is not a node of the consortium");
            var key = (lane, height, headerHash);
            if (!_earlyCosignatures.TryGetValue(key, out var list))
            {
                if (_earlyCosignatures.Count >= MaxHeldBlocks)
                    return Refuse("held-full", "too many cosignatures of blocks not yet here");
                _earlyCosignatures[key] = list = [];
            }
            if (list.All(c => c.Node != cosignature.Node))
            {
                PersistEarlyCosignature(lane, height, headerHash, cosignature);
                list.Add(cosignature);
            }
            return Hold("block-missing", $"no block of lane {lane} at height {height} here yet");
        }
        var check = new Certificate(lane, height, headerHash, [cosignature]).Verify(signed.Header, new HashSet<Address> { cosignature.Node });
        if (!check.IsValid)
            return Refuse("cosignature", $"cosignature of {cosignature.Node}: {check.Reason}");
        var lh = view!.HeightKey(height);
        var current = view.GetCertificate(height) ?? new Certificate(lane, height, headerHash, []);
        if (current.Cosignatures.Any(c => c.Node == cosignature.Node))
            return new ApplyResult(ApplyStatus.Duplicate);
        var next = new Certificate(lane, height, headerHash, [.. current.Cosignatures, cosignature]);
        if (next.Cosignatures.Count >= Quorum && current.Cosignatures.Count < Quorum)
            _faults.Reach(FaultPoints.CertificateStore); // assembled, not yet stored
        Store.Db.Put(Store[LaneStore.Certs], lh, next.Encode(), sync: true);
        if (lane == Lane && _head.Height == height)
            _head = _head with { Certificate = next };
        if (next.Cosignatures.Count >= Quorum && current.Cosignatures.Count < Quorum)
            Certified?.Invoke(next);
        return new ApplyResult(ApplyStatus.Applied);
    }

    /// <summary>
    /// The cross-lane rule (docs/spec/custody.md §8): null when the record continues the chain of every existing item it
    /// names (the custody rules decide); otherwise the outcome of an out-of-chain record.
    /// </summary>
    private CustodyOutcome? OutOfChain(LedgerRecord r)
    {
        if (Consortium.NodeAddresses.Count <= 1)
            return null; // one node: every record is in chain
        List<(ItemId Item, ItemState State)>? outside = null;
        var inside = false;
        foreach (var item in r.Payload.Items)
        {
            if (_overlay.GetStored(item) is not { } state || _crossLane.InChain(state, r, _applyLane))
                inside = true;
            else
                (outside ??= []).Add((item, state));
        }
        if (outside is null)
            return null;
        var (first, firstState) = outside[0];
        if (!CrossLane.MayBeOutOfChain(r) || inside)
        {
            return CustodyOutcome.Rejected(CrossLane.OutOfLaneCode,
                $"payload.items: {first} is in the custody of {firstState.Custodian}, whose node {_crossLane.HostOf(firstState.Custodian)} writes its custody chain; lane {_applyLane} may only verify, observe or recall it (one item per such record, or all outside the chain)", []);
        }
        if (!r.Deps.Any(_overlay.HasRecord))
            return CustodyOutcome.Rejected(CustodyErrorCodes.StaleDependency, $"deps: a record about {first} outside its custody chain names a record already on the ledger", []);
        if (r.Payload is RecallPayload recall)
        {
            var owns = Consortium.CompanyPrefixes(r.Author).Any(p => recall.Gtin.AsSpan(1).StartsWith(p, StringComparison.Ordinal));
            if (!owns && !Consortium.Roles(r.Author).HasFlag(PartyRoles.Regulator))
                return CustodyOutcome.Rejected(CustodyErrorCodes.NotAuthorised, $"payload.gtin: {r.Author} neither owns the company prefix of {recall.Gtin} nor is a regulator", []);
            foreach (var (item, _) in outside)
            {
                if (item.Scheme == ItemScheme.Sgtin && item.Key != recall.Gtin)
                    return CustodyOutcome.Rejected(CustodyErrorCodes.NotAuthorised, $"payload.items: {item} is not of GTIN {recall.Gtin}", []);
                _facts.Stage(item.StateKey(), new ItemFact(_applyLaneNumber, _blockHeight, r.Id));
            }
        }
        // The lane's own state map records its write; the item's chain is unchanged.
        foreach (var (item, _) in outside)
            _overlay.SetLotChain(item.StateKey(), r.Id);
        // A verification outside the chain (any node answers scans of any pack) answers from the item's effective status here.
        ItemVerification? verification = null;
        if (r.Payload is VerifyPayload scan)
        {
            var seen = CrossLane.WithVisibleFacts(firstState, _facts.Of(first.StateKey()), _ => true);
            verification = CustodyRules.VerificationOf(seen, CustodyRules.EffectiveStatus(seen, _overlay.Lots), scan, r.TimeMs);
        }
        var outcome = CustodyOutcome.Accepted([], _overlay.Lots, [], verification);
        _overlay.Apply(r.Id, outcome);
        _touched[r.Id] = [.. r.Payload.Items];
        return outcome;
    }

    /// <summary>
    /// The item's effective status on this node (all lanes applied here): its custody chain's status, Recalled when an
    /// out-of-chain recall marks it (unless destroyed or stolen), the lot and product facts, expiry at <paramref name="asOf"/>.
    /// </summary>
    public ItemStatus? GetStatus(ItemId item, DateTimeOffset? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (Store.GetItem(item) is not { } state)
            return null;
        state = CrossLane.WithVisibleFacts(state, _facts.Of(item.StateKey()), _ => true);
        var status = CustodyRules.EffectiveStatus(state, Store.GetLots());
        return status is ItemStatus.Active or ItemStatus.InTransit && CustodyRules.IsExpired(state, (asOf ?? _time.GetUtcNow()).ToUnixTimeMilliseconds())
            ? ItemStatus.Expired
            : status;
    }

    /// <summary>The heads of every other lane applied here: the references of the next own block (its causal past).</summary>
    private List<LaneRef> CurrentRefs()
    {
        var refs = new List<LaneRef>();
        foreach (var lane in Store.OtherLanes)
        {
            if (lane.Head.Height > 0 && lane.LaneAddress is { } address)
                refs.Add(new LaneRef(address, lane.Head.Height, lane.Head.HeaderHash));
        }
        return refs;
    }

    private void OpenLanes()
    {
        foreach (var lane in Store.OtherLanes)
            _replicas[lane.LaneNumber] = new ReplicaLane(lane, _options);
        using var it = Store.Db.NewIterator(Store[LaneStore.Evidence]);
        for (it.SeekToFirst(); it.Valid(); it.Next())
            _frozen.Add(EquivocationEvidence.Decode(it.Value()).Lane);
        LoadHeld();
    }

    private async Task CloseLanesAsync()
    {
        foreach (var replica in _replicas.Values)
            await replica.StateNodes.CloseAsync(replica.Store.Head.Height, replica.Store.Head.StateRoot).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "applied lane {Lane} block {Height}: {Records} records")]
    private static partial void LogApplied(ILogger logger, Address lane, long height, int records);

    [LoggerMessage(Level = LogLevel.Critical, Message = "equivocation: lane {Lane} signed two headers at height {Height} ({First} and {Second}); evidence stored, lane frozen")]
    private static partial void LogEquivocation(ILogger logger, Address lane, long height, Hash32 first, Hash32 second);
}
