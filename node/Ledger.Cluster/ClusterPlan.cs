using System.Globalization;
using Ledger.Protocol.Consortium;
using Address = Ledger.Protocol.Crypto.Address;

namespace Ledger.Cluster;

/// <summary>Why the consortium's cluster addresses cannot be used (names the node and the field).</summary>
public sealed class ClusterPlanException(string field, string rule, string message) : Exception($"{field}: {message}")
{
    /// <summary>The consortium field that is wrong, e.g. <c>nodes[2].cluster</c>.</summary>
    public string Field { get; } = field;

    /// <summary>The rule it breaks: <c>host-port</c>, <c>duplicate</c>.</summary>
    public string Rule { get; } = rule;
}

/// <summary>One node's peer-layer address, as its consortium entry publishes it.</summary>
public sealed record ClusterEndpoint(Address Node, string Name, string Host, int Port)
{
    /// <summary>Its Akka address (the actor system is <see cref="ClusterPlan.SystemName"/> on every node).</summary>
    public string AkkaAddress => $"akka.tcp://{ClusterPlan.SystemName}@{(Host.Contains(':') ? "[" + Host + "]" : Host)}:{Port}";

    /// <summary>The path of its <see cref="PeerReceiver"/>.</summary>
    public string ReceiverPath => AkkaAddress + PeerReceiver.Path;
}

/// <summary>
/// Where this node's peer layer listens and whom it talks to, derived from the consortium (docs/spec/cluster.md §4):
/// this node binds its own entry's <c>cluster</c> address; every node with a cluster address is a seed node, in the
/// consortium's order, so every node computes the same list; peers are the other nodes with a cluster address.
/// </summary>
public sealed record ClusterPlan(ClusterEndpoint Self, IReadOnlyList<ClusterEndpoint> Peers, IReadOnlyList<string> SeedNodes)
{
    /// <summary>The actor system's name on every node.</summary>
    public const string SystemName = "ledger";

    /// <summary>
    /// The plan for node <paramref name="self"/>, or null when there is nothing to connect: a consortium of one node, or
    /// this node publishes no cluster address (then it replicates nothing, and says so in its log).
    /// </summary>
    /// <exception cref="ClusterPlanException">A cluster address is not <c>host:port</c>, or two nodes publish the same one.</exception>
    public static ClusterPlan? For(ConsortiumDefinition consortium, Address self)
    {
        ArgumentNullException.ThrowIfNull(consortium);
        if (consortium.Nodes.Count < 2)
            return null;
        var endpoints = new List<ClusterEndpoint>();
        for (var i = 0; i < consortium.Nodes.Count; i++)
        {
            var node = consortium.Nodes[i];
            if (string.IsNullOrWhiteSpace(node.Cluster))
                continue;
            var (host, port) = ParseHostPort(node.Cluster, $"nodes[{i}].cluster");
            var endpoint = new ClusterEndpoint(node.Address, node.Name, host, port);
            if (endpoints.FirstOrDefault(e => e.AkkaAddress == endpoint.AkkaAddress) is { } other)
                throw new ClusterPlanException($"nodes[{i}].cluster", "duplicate", $"{node.Name} publishes {node.Cluster}, as {other.Name} does");
            endpoints.Add(endpoint);
        }
        if (endpoints.FirstOrDefault(e => e.Node == self) is not { } me)
            return null;
        return new ClusterPlan(me, [.. endpoints.Where(e => e.Node != self)], [.. endpoints.Select(e => e.AkkaAddress)]);
    }

    /// <summary>Splits <c>host:port</c> (a DNS name, an IPv4 literal, or a bracketed IPv6 literal).</summary>
    /// <exception cref="ClusterPlanException">Not of that form, or the port is not 1–65535.</exception>
    public static (string Host, int Port) ParseHostPort(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
                throw new ClusterPlanException(field, "host-port", $"\"{text}\" is not [ipv6]:port");
            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
                throw new ClusterPlanException(field, "host-port", $"\"{text}\" is not host:port");
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            throw new ClusterPlanException(field, "host-port", $"\"{text}\": the port must be a number from 1 to 65535");
        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
            throw new ClusterPlanException(field, "host-port", $"\"{text}\": the host is empty or has spaces");
        return (host, p);
    }
}
