using Ledger.Cluster;
using Ledger.Engine.Lane;
using Ledger.Protocol.Crypto;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Node.Api;

/// <summary>
/// Reads across the consortium's lanes and peers (docs/spec/api.md §6): every lane the node holds with its head and
/// certified head, a header of any lane, and the peer layer's view of each other node. Headers carry roots only and
/// peer health names no party, so anyone may read them — an operator checks that every node holds the same certified
/// headers by asking each node, not by trusting one.
/// </summary>
public static class LaneEndpoints
{
    /// <summary>How far below a lane's head <c>certifiedHeight</c> is looked for.</summary>
    public const int CertifiedSearchDepth = 1_024;

    /// <summary>Maps the endpoints.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/lanes", (Delegate)((HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, _) =>
            {
                var engine = ledger.Engine;
                var frozen = engine.FrozenLanes.ToHashSet();
                var lanes = ledger.Consortium.Definition.Nodes.Select(n =>
                {
                    var (height, header, certificate) = engine.HeadOf(n.Address);
                    return new
                    {
                        lane = n.Address.ToString(),
                        node = n.Name,
                        own = n.Address == engine.Lane,
                        height,
                        certifiedHeight = CertifiedHeight(engine, n.Address, height),
                        frozen = frozen.Contains(n.Address),
                        head = header is null ? null : LedgerJson.Header(header, LedgerEndpoints.Certified(engine, certificate)),
                    };
                }).ToList();
                return Task.FromResult(Results.Json(new { quorum = engine.Quorum, lanes }));
            })))
            .WithSummary("Every lane of the consortium as this node holds it: height, certified height, frozen, and the head's signed header and certificate")
            .RequireAuthorization(Security.LedgerPolicies.Anyone);
        app.MapGet("/v1/lanes/{lane}/headers/{height}", (string lane, string height, HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (ledger, _) =>
            {
                if (!Address.TryParse(lane, out var address))
                    return Task.FromResult(LedgerEndpoints.BadRequest("lane", "address", $"'{lane}' is not a 20-byte hex address"));
                if (!ledger.Consortium.NodeAddresses.Contains(address))
                    return Task.FromResult(LedgerEndpoints.NotFound("lane", $"{address} is not a node of the consortium, so it has no lane"));
                var h = LedgerEndpoints.ParseLong(height, "height");
                var (header, certificate) = ledger.Engine.GetLaneBlock(address, h);
                return Task.FromResult(header is null
                    ? LedgerEndpoints.NotFound("height", $"this node holds no block of lane {address} at height {h}")
                    : Results.Json(LedgerJson.Header(header, LedgerEndpoints.Certified(ledger.Engine, certificate))));
            }))
            .WithSummary("A signed header of any lane and its certificate (null until the quorum cosigned)")
            .RequireAuthorization(Security.LedgerPolicies.Anyone);
        app.MapGet("/v1/peers", (Delegate)((HttpContext c) => LedgerEndpoints.WithCallerAsync(c, (_, _) =>
            {
                var layer = c.RequestServices.GetService<PeerLayer>();
                var plan = c.RequestServices.GetRequiredService<NodeState>().Peers;
                var members = layer?.System is { } system ? Akka.Cluster.Cluster.Get(system).State : null;
                var peers = (plan?.Peers ?? []).Select(object (p) =>
                {
                    var counters = layer!.Stats.For(p.Node);
                    var (member, reachable) = Membership(members, p);
                    return new
                    {
                        node = p.Name,
                        address = p.Node.ToString(),
                        cluster = p.AkkaAddress,
                        member,
                        reachable,
                        sent = counters.Sent,
                        received = counters.Received,
                        refused = counters.Refused,
                        dropped = counters.Dropped,
                        queued = layer.Transport?.QueueDepth(p.Node) ?? 0,
                        pullsSent = counters.PullsSent,
                        pullsAnswered = counters.PullsAnswered,
                        pullsFailed = counters.PullsFailed,
                        blocksPulled = counters.BlocksPulled,
                        lastMessage = counters.LastMessageMs == 0 ? null
                            : DateTimeOffset.FromUnixTimeMilliseconds(counters.LastMessageMs).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    };
                }).ToList();
                return Task.FromResult(Results.Json(new
                {
                    self = plan?.Self.AkkaAddress,
                    selfMember = members?.Members.FirstOrDefault(m => plan is not null && m.Address.Host == plan.Self.Host && m.Address.Port == plan.Self.Port)?.Status.ToString().ToLowerInvariant() ?? "none",
                    leader = members?.Leader?.ToString(),
                    refusedFromNonMembers = layer?.Stats.RefusedFromNonMembers ?? 0,
                    peers,
                }));
            })))
            .WithSummary("The peer layer: each other node's cluster membership, reachability, envelopes sent, received, refused and dropped, queue depth and last message")
            .RequireAuthorization(Security.LedgerPolicies.Anyone);
    }

    /// <summary>A peer's Akka.Cluster status (<c>none</c> when not a member) and whether this node's failure detector reaches it.</summary>
    internal static (string Member, bool Reachable) Membership(Akka.Cluster.ClusterEvent.CurrentClusterState? members, ClusterEndpoint peer)
    {
        var member = members?.Members.FirstOrDefault(m => m.Address.Host == peer.Host && m.Address.Port == peer.Port);
        return member is null ? ("none", false) : (member.Status.ToString().ToLowerInvariant(), !members!.Unreachable.Contains(member));
    }

    /// <summary>The newest height at most <see cref="CertifiedSearchDepth"/> below the head whose block holds the quorum's cosignatures, or 0.</summary>
    public static long CertifiedHeight(LedgerEngine engine, Address lane, long head)
    {
        ArgumentNullException.ThrowIfNull(engine);
        for (var h = head; h >= 1 && h > head - CertifiedSearchDepth; h--)
        {
            if (engine.IsCertified(lane, h))
                return h;
        }
        return 0;
    }
}
