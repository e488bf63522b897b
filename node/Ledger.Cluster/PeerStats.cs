using System.Collections.Concurrent;
using Ledger.Protocol.Crypto;

namespace Ledger.Cluster;

/// <summary>Counters of one peer, as <c>/v1/peers</c> and <c>/metrics</c> show them.</summary>
public sealed class PeerCounters
{
    private long _sent;
    private long _received;
    private long _refused;
    private long _dropped;
    private long _lastMessageMs;
    private long _pullsSent;
    private long _pullsFailed;
    private long _pullsAnswered;
    private long _blocksPulled;

    /// <summary>Envelopes this node delivered to the peer (acknowledged).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Envelopes from the peer handed to the engine.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Envelopes claiming to come from the peer that were refused (signature, malformed).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Envelopes for the peer dropped because its queue was full (the oldest go first).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>When the peer's last accepted envelope arrived (Unix ms), or 0.</summary>
    public long LastMessageMs => Interlocked.Read(ref _lastMessageMs);

    /// <summary>Pull requests this node sent the peer (docs/spec/cluster.md §4).</summary>
    public long PullsSent => Interlocked.Read(ref _pullsSent);

    /// <summary>Of those, the ones that got no usable answer (timeout, refused, a reply that did not open, an engine that stopped).</summary>
    public long PullsFailed => Interlocked.Read(ref _pullsFailed);

    /// <summary>Pull requests from the peer that this node answered.</summary>
    public long PullsAnswered => Interlocked.Read(ref _pullsAnswered);

    /// <summary>Blocks received in the peer's range answers (each then checked by the engine: applied, held, duplicate or refused).</summary>
    public long BlocksPulled => Interlocked.Read(ref _blocksPulled);

    /// <summary>Envelopes waiting in the queue to the peer.</summary>
    public int QueueDepth { get; internal set; }

    internal void CountSent() => Interlocked.Increment(ref _sent);

    internal void CountReceived(long nowMs)
    {
        Interlocked.Increment(ref _received);
        Interlocked.Exchange(ref _lastMessageMs, nowMs);
    }

    internal void CountPullSent() => Interlocked.Increment(ref _pullsSent);

    internal void CountPullFailed() => Interlocked.Increment(ref _pullsFailed);

    internal void CountPullAnswered(long nowMs)
    {
        Interlocked.Increment(ref _pullsAnswered);
        Interlocked.Exchange(ref _lastMessageMs, nowMs);
    }

    internal void CountBlocksPulled(int blocks) => Interlocked.Add(ref _blocksPulled, blocks);

    internal void CountRefused() => Interlocked.Increment(ref _refused);

    internal void CountDropped() => Interlocked.Increment(ref _dropped);
}

/// <summary>Counters per peer node, plus envelopes refused from senders that are no consortium node.</summary>
public sealed class PeerStats
{
    private readonly ConcurrentDictionary<Address, PeerCounters> _peers = new();
    private long _refusedUnknown;

    /// <summary>The counters of <paramref name="peer"/>.</summary>
    public PeerCounters For(Address peer) => _peers.GetOrAdd(peer, _ => new PeerCounters());

    /// <summary>Envelopes refused whose sender is not a consortium node.</summary>
    public long RefusedFromNonMembers => Interlocked.Read(ref _refusedUnknown);

    internal void CountRefusedNonMember() => Interlocked.Increment(ref _refusedUnknown);
}
