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

    /// <summary>True when every part the node needs to serve is loaded and the lane has not failed.</summary>
    public bool IsReady => Pending.Count == 0;

    /// <summary>The parts not loaded (or failed) yet: empty when ready.</summary>
    public IReadOnlyList<string> Pending =>
        [.. (_identity is null ? ["key"] : Array.Empty<string>()), .. (_ledger is null ? ["ledger"] : _ledger.Engine.Failure is not null ? ["lane-failed"] : Array.Empty<string>())];
}
