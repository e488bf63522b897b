using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Ledger.Engine.Lane;
using Ledger.Engine.Replication;
using Ledger.Protocol.Crypto;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Address = Ledger.Protocol.Crypto.Address;

namespace Ledger.Cluster;

/// <summary>What the peer layer of a node needs once its ledger is open.</summary>
/// <param name="Plan">Where it listens and whom it talks to.</param>
/// <param name="Key">The node key (signs every envelope).</param>
/// <param name="Engine">The engine every received message goes to, and whose blocks, cosignatures and certificates are sent.</param>
/// <param name="Members">The consortium's node addresses (senders the receiver accepts).</param>
/// <param name="Time">The clock for last-message times.</param>
/// <param name="Log">Where refused and held peer messages are logged.</param>
public sealed record PeerSetup(ClusterPlan Plan, PrivateKey Key, LedgerEngine Engine, IReadOnlySet<Address> Members, TimeProvider Time, ILogger Log);

/// <summary>
/// The running peer layer of one node: the receiving actor, the transport to every peer, and the replicator that binds
/// them to the engine. Started inside the node's actor system by <see cref="ClusterHosting"/>.
/// </summary>
public sealed partial class PeerLayer : IAsyncDisposable
{
    private AkkaConsortiumTransport? _transport;
    private ConsortiumReplicator? _replicator;
    private PeerPuller? _puller;

    /// <summary>Counters per peer (served at <c>/v1/peers</c> and <c>/metrics</c>).</summary>
    public PeerStats Stats { get; } = new();

    /// <summary>The plan it runs, once started; null when the node has no peer layer (a consortium of one).</summary>
    public ClusterPlan? Plan { get; private set; }

    /// <summary>The actor system, once started.</summary>
    public ActorSystem? System { get; private set; }

    /// <summary>The transport, once started.</summary>
    public AkkaConsortiumTransport? Transport => _transport;

    /// <summary>True once a peer answered a pull with nothing more for this node (docs/spec/cluster.md §5): it holds what that peer held.</summary>
    public bool IsCaughtUp => _puller?.CaughtUp.IsCompleted ?? false;

    internal void Start(ActorSystem system, PeerSetup setup)
    {
        System = system;
        Plan = setup.Plan;
        ConsortiumReplicator? replicator = null;
        var ranges = new RangePull(setup.Engine);
        // The receiver hands pushed messages to the replicator, created below: messages that arrive before it exists are
        // not acknowledged, so their senders retry. Pull requests are answered from the store at once.
        system.ActorOf(PeerReceiver.Props(setup.Members, setup.Key.Address,
            m => Volatile.Read(ref replicator) is { } r ? DeliverAsync(r, m, setup.Log) : throw new LaneFailedException("the peer layer is starting", null),
            Stats, setup.Time, new PullAnswering(setup.Key, ranges.Answer)), PeerReceiver.Name);
        var peers = setup.Plan.Peers.Select(p => (p.Node, p.ReceiverPath)).ToList();
        _transport = new AkkaConsortiumTransport(system, setup.Key, peers, Stats);
        Volatile.Write(ref replicator, new ConsortiumReplicator(setup.Engine, _transport));
        _replicator = replicator;
        // What was pushed while this node was away (or dropped from a full queue) is pulled: at once, then every second.
        _puller = new PeerPuller(system, setup.Key, setup.Members, peers, ranges, Stats, time: setup.Time);
    }

    private static async Task<ApplyResult> DeliverAsync(ConsortiumReplicator replicator, ConsortiumMessage message, ILogger log)
    {
        var result = await replicator.ReceiveAsync(message).ConfigureAwait(false);
        // The engine's answer is its evidence and metrics; the log names what a peer sent that was not applied.
        if (result.Status is ApplyStatus.Rejected or ApplyStatus.Equivocation)
            LogRefused(log, message.Kind, result.Status, result.Code, result.Message);
        else if (result.Status == ApplyStatus.Held)
            LogHeld(log, message.Kind, result.Code, result.Message);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "peer {Kind} not applied ({Status}, {Code}): {Detail}")]
    private static partial void LogRefused(ILogger logger, ConsortiumMessageKind kind, ApplyStatus status, string? code, string? detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "peer {Kind} held ({Code}): {Detail}")]
    private static partial void LogHeld(ILogger logger, ConsortiumMessageKind kind, string? code, string? detail);

    /// <summary>Detaches from the engine and stops the senders (what is queued is sent again by the engine's peers' pulls).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_puller is not null)
            await _puller.DisposeAsync().ConfigureAwait(false);
        _replicator?.Dispose();
        if (_transport is not null)
            await _transport.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// Hosts the peer layer with Akka.Cluster.Hosting inside the node's Microsoft.Extensions host (docs/spec/cluster.md §4,
/// docs/adr/0012-peer-layer.md): remoting on the node's own cluster address, Akka.Cluster with every node as a seed and
/// the keep-majority split-brain resolver, strict serialization (only the node's own serializer for its messages, no
/// reflection-based fallback), logs through the host's logging, and the <see cref="PeerLayer"/>.
/// </summary>
public static class ClusterHosting
{
    /// <summary>Akka.Remote's largest frame (<see cref="PeerHocon.MaximumFrameSize"/>: a pull answer's bound, or one larger block alone).</summary>
    public const int MaxFrameBytes = PeerHocon.MaximumFrameSize;

    /// <summary>
    /// The HOCON beside what the builders set: the serializer binding, the frame size, no Akka output on stdout (the
    /// node's stdout carries only its "listening on" lines), and no shutdown of the node when the cluster downs it (it
    /// keeps serving reads; the ledger's safety does not depend on membership).
    /// </summary>
    public static readonly string Hocon = PeerHocon.Serialization + $$"""

        akka {
          stdout-loglevel = OFF
          loglevel = INFO
          log-dead-letters = 0
          log-dead-letters-during-shutdown = off
          remote.dot-netty.tcp {
            maximum-frame-size = {{MaxFrameBytes}}b
          }
          cluster {
            run-coordinated-shutdown-when-down = off
            log-info-verbose = off
          }
          coordinated-shutdown.exit-clr = off
        }
        """;

    /// <summary>
    /// Registers the node's actor system and <see cref="PeerLayer"/>. <paramref name="setup"/> runs when the host starts
    /// (after the ledger is open); when it returns null the actor system starts without remoting and no peer layer runs.
    /// </summary>
    public static IServiceCollection AddLedgerPeers(this IServiceCollection services, Func<IServiceProvider, PeerSetup?> setup)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(setup);
        services.AddSingleton<PeerLayer>();
        services.AddAkka(ClusterPlan.SystemName, (builder, provider) =>
        {
            var loggers = provider.GetRequiredService<ILoggerFactory>();
            builder.ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLoggerFactory(loggers);
            });
            builder.AddHocon(ConfigurationFactory.ParseString(Hocon), HoconAddMode.Prepend);
            if (setup(provider) is not { } s)
                return;
            var layer = provider.GetRequiredService<PeerLayer>();
            builder
                .WithRemoting(new RemoteOptions
                {
                    HostName = s.Plan.Self.Host,
                    Port = s.Plan.Self.Port,
                    PublicHostName = s.Plan.Self.Host,
                    PublicPort = s.Plan.Self.Port,
                    MaxFrameSize = MaxFrameBytes,
                })
                .WithClustering(new ClusterOptions
                {
                    SeedNodes = [.. s.Plan.SeedNodes],
                    SplitBrainResolver = new KeepMajorityOption(),
                })
                .WithStrictSerialization()
                .WithActors((system, _) => layer.Start(system, s));
        });
        return services;
    }
}
