namespace Ledger.Node;

/// <summary>
/// What the running node has loaded so far. <see cref="IsReady"/> (served at <c>/readyz</c>) turns true once the
/// node key and the ledger are loaded and the lane is writing.
/// </summary>
public sealed class NodeState
{
    private volatile NodeIdentity? _identity;
    private volatile LedgerService? _ledger;

    /// <summary>The node's identity, once loaded.</summary>
    public NodeIdentity? Identity
    {
        get => _identity;
        internal set => _identity = value;
    }

    /// <summary>The ledger, once opened.</summary>
    public LedgerService? Ledger
    {
        get => _ledger;
        internal set => _ledger = value;
    }

    /// <summary>The peer layer's plan, once the ledger is open; null in a consortium of one node (docs/spec/cluster.md §4).</summary>
    public Ledger.Cluster.ClusterPlan? Peers { get; internal set; }

    /// <summary>The running peer layer (set when the host starts it); null without one.</summary>
    public Ledger.Cluster.PeerLayer? PeerLayer { get; internal set; }

    /// <summary>True when every part the node needs to serve is loaded and the lane has not failed.</summary>
    public bool IsReady => Pending.Count == 0;

    /// <summary>The parts not loaded (or failed) yet: empty when ready.</summary>
    /// <remarks>
    /// A lane that refuses writes names why: <c>storage-full</c> (below <c>Lane:MinFreeMb</c>; it resumes by itself),
    /// <c>storage-failed</c> (a segment write failed; it retries by itself), <c>lane-failed</c> (the index write failed:
    /// restart), <c>storage-damaged</c> (a committed frame or the index is damaged: restore, restart). Reads are served in each.
    /// In a consortium of several nodes, <c>catching-up</c> until a peer answered this node's pull with nothing more to send.
    /// </remarks>
    public IReadOnlyList<string> Pending =>
        [.. (_identity is null ? ["key"] : Array.Empty<string>()), .. (_ledger is null ? ["ledger"] : LaneState(_ledger.Engine.WriteState.Status)),
            .. (PeerLayer is { IsCaughtUp: false } ? ["catching-up"] : Array.Empty<string>())];

    private static string[] LaneState(global::Ledger.Engine.Lane.LaneWriteStatus status) => status switch
    {
        global::Ledger.Engine.Lane.LaneWriteStatus.Writing => [],
        global::Ledger.Engine.Lane.LaneWriteStatus.StorageFull => ["storage-full"],
        global::Ledger.Engine.Lane.LaneWriteStatus.WriteFailed => ["storage-failed"],
        global::Ledger.Engine.Lane.LaneWriteStatus.Damaged => ["storage-damaged"],
        _ => ["lane-failed"],
    };
}
