using Ledger.Cluster;
using Ledger.Engine.Consortium;
using Ledger.Protocol.Consortium;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Node;

/// <summary>
/// The node's side of the peer layer (docs/spec/cluster.md §4): whether to host it, and its plan from the consortium the
/// node opened. A consortium of one node has no peer layer; in a consortium of several, each node binds the cluster
/// address its own entry publishes and talks to every other node that publishes one.
/// </summary>
public static partial class NodeCluster
{
    /// <summary>
    /// True when the node may have peers, decided before anything is opened: the consortium comes from the Registry
    /// contract, or the data folder's consortium file lists more than one node. The plan itself is made once the ledger is open.
    /// </summary>
    public static bool MayHavePeers(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.Consortium))
            return true;
        var path = Path.Combine(options.DataDirectory, LedgerService.ConsortiumFileName);
        try
        {
            return File.Exists(path) && ConsortiumStore.Load(path).Nodes.Count > 1;
        }
        catch (Exception e) when (e is ConsortiumFormatException or IOException or UnauthorizedAccessException)
        {
            // Reported with its field and rule when the ledger opens.
            return false;
        }
    }

    /// <summary>Registers the actor system and the peer layer; their plan is read from <see cref="NodeState.Peers"/> when the host starts.</summary>
    public static void Add(IServiceCollection services) => services.AddLedgerPeers(provider =>
    {
        var state = provider.GetRequiredService<NodeState>();
        if (state.Peers is not null)
            state.PeerLayer = provider.GetRequiredService<PeerLayer>();
        return state.Peers is { } plan && state.Ledger is { } ledger
            ? new PeerSetup(plan, ledger.Identity.Key, ledger.Engine, ledger.Consortium.NodeAddresses, provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Cluster"))
            : null;
    });

    /// <summary>The plan for this node in the opened consortium, or null (and a log line saying why) when it has no peers.</summary>
    /// <exception cref="NodeConfigurationException">A cluster address in the consortium is unusable.</exception>
    public static ClusterPlan? Plan(LedgerService ledger, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ClusterPlan? plan;
        try
        {
            plan = ClusterPlan.For(ledger.Consortium.Definition, ledger.Identity.Address);
        }
        catch (ClusterPlanException e)
        {
            throw new NodeConfigurationException(LedgerService.ConsortiumFileName + ":" + e.Field, e.Rule, e.Message, e);
        }
        var nodes = ledger.Consortium.Definition.Nodes.Count;
        if (plan is null && nodes > 1)
            LogNoClusterAddress(logger, nodes);
        else if (plan is not null)
            LogPeerLayer(logger, plan.Self.AkkaAddress, plan.Peers.Count, ledger.Consortium.Definition.Quorum);
        return plan;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the consortium has {Nodes} nodes but gives this node no cluster address: no peer layer, nothing is replicated or certified beyond this node")]
    private static partial void LogNoClusterAddress(ILogger logger, int nodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "peer layer on {Address}, {Peers} peers, quorum {Quorum}")]
    private static partial void LogPeerLayer(ILogger logger, string address, int peers, int quorum);
}
