using Akka.Actor;
using Akka.Event;
using Ledger.Engine.Replication;
using Ledger.Protocol.Crypto;
using Address = Ledger.Protocol.Crypto.Address;

namespace Ledger.Cluster;

/// <summary>Tunables of <see cref="PeerPuller"/>.</summary>
public sealed record PeerPullerOptions
{
    /// <summary>How often a pull starts (the first at once).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a requester waits for an answer (up to 16 MiB of blocks) before it counts the pull failed.</summary>
    public TimeSpan AnswerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Answers taken from one peer in one tick while they say <c>more</c> and change something.</summary>
    public int MaxAnswersPerTick { get; init; } = 1_000;
}

/// <summary>
/// Pull of missing ranges, the cluster's side (docs/spec/cluster.md §4.5): at once on start and then every
/// <see cref="PeerPullerOptions.Interval"/>, asks one peer (in turn) for what this node lacks, with a timeout; opens the
/// reply as any envelope (a consortium node's signature, and the node asked), and hands the answer to
/// <see cref="RangePull.ApplyAsync"/>, which applies every entry through the engine's one way in. Asks the same peer
/// again at once while its answers say <c>more</c> and change something.
/// </summary>
public sealed class PeerPuller : IAsyncDisposable
{
    private readonly PrivateKey _key;
    private readonly IReadOnlySet<Address> _members;
    private readonly RangePull _pull;
    private readonly PeerStats _stats;
    private readonly PeerPullerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log;
    private readonly List<(Address Node, ActorSelection Target)> _peers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private int _next;
    private bool _disposed;

    /// <summary>Starts pulling.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="key">The node key (signs every request).</param>
    /// <param name="members">The consortium's node addresses (a reply is opened against them).</param>
    /// <param name="peers">Each other node's address and the path of its receiver (e.g. <c>akka.tcp://ledger@host:port/user/ledger-peer</c>).</param>
    /// <param name="pull">The engine's side: builds requests, applies answers.</param>
    /// <param name="stats">Where counters go.</param>
    /// <param name="options">Interval, timeout.</param>
    /// <param name="time">The clock of the interval.</param>
    public PeerPuller(ActorSystem system, PrivateKey key, IReadOnlySet<Address> members, IEnumerable<(Address Node, string ReceiverPath)> peers, RangePull pull,
        PeerStats stats, PeerPullerOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(pull);
        ArgumentNullException.ThrowIfNull(stats);
        _key = key;
        _members = members;
        _pull = pull;
        _stats = stats;
        _options = options ?? new PeerPullerOptions();
        _time = time ?? TimeProvider.System;
        _log = system.Log;
        foreach (var (node, path) in peers)
            _peers.Add((node, system.ActorSelection(path)));
        if (_peers.Count == 0)
            _caughtUp.TrySetResult();
        _loop = _peers.Count == 0 ? Task.CompletedTask : Task.Run(LoopAsync);
    }

    /// <summary>
    /// Completes the first time a peer's answer said it holds nothing more for this node (<c>more</c> = 0): this node then
    /// holds every block that peer held when it answered (a readiness signal; later pulls go on).
    /// </summary>
    public Task CaughtUp => _caughtUp.Task;

    private async Task LoopAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var (node, target) = _peers[_next];
                _next = (_next + 1) % _peers.Count;
                await PullFromAsync(node, target, token).ConfigureAwait(false);
                await Task.Delay(_options.Interval, _time, token).ConfigureAwait(false);
            }
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            // Stopped: whatever the pull in flight ended with (cancelled, or a reply that failed to open just after the
            // stop) no longer matters; DisposeAsync must not throw it.
        }
    }

    /// <summary>Pulls from one peer until its answer says no more, changes nothing, or fails.</summary>
    private async Task PullFromAsync(Address node, ActorSelection target, CancellationToken token)
    {
        var counters = _stats.For(node);
        for (var i = 0; i < _options.MaxAnswersPerTick; i++)
        {
            var request = _pull.BuildRequest();
            PullOutcome outcome;
            counters.CountPullSent();
            try
            {
                var reply = await target.Ask<object>(PeerEnvelope.Seal(ConsortiumMessage.ForPullRequest(request), _key), _options.AnswerTimeout, token)
                    .ConfigureAwait(false);
                var answer = Open(node, reply);
                counters.CountBlocksPulled(answer.Entries.Count(e => e.Block.Length > 0));
                outcome = await _pull.ApplyAsync(request, answer, token).ConfigureAwait(false);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // A timeout, a refusal or a reply that does not open (PeerEnvelopeException, PullFormatException), an engine
                // that stopped or refuses writes for now: the loop must outlive it; the next peer is asked at the next tick.
                counters.CountPullFailed();
                _log.Warning("pull from {0} failed: {1}", node, e.Message);
                return;
            }
            if (!outcome.More)
                _caughtUp.TrySetResult();
            if (outcome.Rejected > 0)
                _log.Warning("pull from {0}: {1} of its blocks or certificates were refused by the engine", node, outcome.Rejected);
            if (!outcome.More || !outcome.Progress)
                return;
        }
    }

    /// <summary>The reply must be an envelope of a consortium node, from the node asked, carrying a range answer.</summary>
    private RangeAnswer Open(Address asked, object reply)
    {
        if (reply is not PeerEnvelope envelope)
            throw new PeerEnvelopeException("envelope", "refused", $"{asked} refused the pull request ({reply})");
        var message = envelope.Open(_members, _key.Address);
        if (envelope.Sender != asked)
            throw new PeerEnvelopeException("envelope.sender", "not-asked", $"the answer is signed by {envelope.Sender}, the request went to {asked}");
        if (message.Kind != ConsortiumMessageKind.RangeAnswer)
            throw new PeerEnvelopeException("envelope.message", "not-an-answer", $"the reply to a pull request is a {message.Kind} message");
        return RangeAnswer.Decode(message.Payload);
    }

    /// <summary>Stops pulling (a pull in flight is abandoned; what it applied stays).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
