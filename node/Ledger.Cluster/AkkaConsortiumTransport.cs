using System.Threading.Channels;
using Akka.Actor;
using Ledger.Engine.Replication;
using Ledger.Protocol.Crypto;
using Address = Ledger.Protocol.Crypto.Address;

namespace Ledger.Cluster;

/// <summary>Tunables of <see cref="AkkaConsortiumTransport"/>.</summary>
public sealed record PeerTransportOptions
{
    /// <summary>Envelopes queued per peer; beyond it the oldest is dropped (and counted): a peer that far behind pulls instead.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>How long a sender waits for a peer's ack before it retries.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first retry delay; doubled per failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest retry delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// <see cref="IConsortiumTransport"/> over Akka.Remote: each published message is sealed once in a <see cref="PeerEnvelope"/>
/// signed with the node key, then queued to every peer. One sender per peer drains its bounded queue in order, sending
/// each envelope to the peer's <see cref="PeerReceiver"/> and waiting for its ack; on a timeout it retries the same
/// envelope with exponential backoff, so a peer that is down gets everything still queued once it is back.
/// </summary>
public sealed class AkkaConsortiumTransport : IConsortiumTransport, IAsyncDisposable
{
    private readonly PrivateKey _key;
    private readonly PeerStats _stats;
    private readonly PeerTransportOptions _options;
    private readonly List<Peer> _peers = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts one sender per peer.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="key">The node key (signs every envelope).</param>
    /// <param name="peers">Each other node's address and the path of its receiver (e.g. <c>akka.tcp://ledger@host:port/user/ledger-peer</c>).</param>
    /// <param name="stats">Where counters go.</param>
    /// <param name="options">Queue bound, timeouts, backoff.</param>
    public AkkaConsortiumTransport(ActorSystem system, PrivateKey key, IEnumerable<(Address Node, string ReceiverPath)> peers, PeerStats stats, PeerTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(stats);
        _key = key;
        _stats = stats;
        _options = options ?? new PeerTransportOptions();
        foreach (var (node, path) in peers)
        {
            var counters = stats.For(node);
            var queue = Channel.CreateBounded<PeerEnvelope>(new BoundedChannelOptions(_options.QueueCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
            }, _ => counters.CountDropped());
            var peer = new Peer(node, system.ActorSelection(path), queue, counters);
            peer.Loop = Task.Run(() => SendLoopAsync(peer));
            _peers.Add(peer);
        }
    }

    /// <summary>The peers' addresses.</summary>
    public IReadOnlyList<Address> Peers => [.. _peers.Select(p => p.Node)];

    /// <summary>Envelopes queued to <paramref name="peer"/> (including the one in flight).</summary>
    public int QueueDepth(Address peer) => _peers.FirstOrDefault(p => p.Node == peer) is { } p ? p.Queue.Reader.Count : 0;

    /// <inheritdoc/>
    public void Publish(ConsortiumMessage message)
    {
        var envelope = PeerEnvelope.Seal(message, _key);
        foreach (var peer in _peers)
        {
            peer.Queue.Writer.TryWrite(envelope);
            peer.Counters.QueueDepth = peer.Queue.Reader.Count;
        }
    }

    private async Task SendLoopAsync(Peer peer)
    {
        var token = _stop.Token;
        try
        {
            while (await peer.Queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                // Send the head, and take it off the queue only once acknowledged. A full queue drops the oldest, so
                // the head is read again before every attempt: a dropped envelope is not retried.
                var backoff = _options.InitialBackoff;
                while (peer.Queue.Reader.TryPeek(out var envelope))
                {
                    try
                    {
                        await peer.Target.Ask<PeerAck>(envelope, _options.AckTimeout, token).ConfigureAwait(false);
                        peer.Counters.CountSent();
                        if (peer.Queue.Reader.TryPeek(out var head) && ReferenceEquals(head, envelope))
                            peer.Queue.Reader.TryRead(out _);
                        peer.Counters.QueueDepth = peer.Queue.Reader.Count;
                        backoff = _options.InitialBackoff;
                        continue;
                    }
                    catch (Exception) when (!token.IsCancellationRequested)
                    {
                        // A timeout, or any other failure of one attempt: the loop must outlive it, or the peer gets
                        // nothing more until a restart. Retry the head after the backoff.
                    }
                    await Task.Delay(backoff, token).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                }
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopped: an attempt that failed just after the stop is not an error of the sender.
        }
    }

    /// <summary>Stops the senders; what is still queued is not sent (peers pull it, or get it again after a restart).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var peer in _peers)
            peer.Queue.Writer.TryComplete();
        await Task.WhenAll(_peers.Select(p => p.Loop ?? Task.CompletedTask)).ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class Peer(Address node, ActorSelection target, Channel<PeerEnvelope> queue, PeerCounters counters)
    {
        public Address Node { get; } = node;
        public ActorSelection Target { get; } = target;
        public Channel<PeerEnvelope> Queue { get; } = queue;
        public PeerCounters Counters { get; } = counters;
        public Task? Loop { get; set; }
    }
}
