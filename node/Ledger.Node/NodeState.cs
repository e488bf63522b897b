namespace Ledger.Node;

/// <summary>
/// What the running node has loaded so far. <see cref="IsReady"/> (served at <c>/readyz</c>) turns true once the
/// node key is loaded; the node issue adds its storage and peers here.
/// </summary>
public sealed class NodeState
{
    private volatile NodeIdentity? _identity;

    /// <summary>The node's identity, once loaded.</summary>
    public NodeIdentity? Identity
    {
        get => _identity;
        internal set => _identity = value;
    }

    /// <summary>True when every part the node needs to serve is loaded.</summary>
    public bool IsReady => _identity is not null;

    /// <summary>The parts not loaded yet (empty when ready).</summary>
    public IReadOnlyList<string> Pending => _identity is null ? ["key"] : [];
}
