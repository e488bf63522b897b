using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace Ledger.Node.Api;

/// <summary>
/// The node's Prometheus metrics on prometheus-net, served at <c>/metrics</c> (text exposition format). One registry per
/// node (not prometheus-net's static default), so two nodes in one process never share a series. The request metrics
/// carry the status the client received: they are taken by the outermost middleware, after the exception handler, the
/// status-code pages, authentication challenges and the rate limiter have set the final status (node/README.md lists
/// every metric).
/// </summary>
public sealed class NodeMetrics
{
    /// <summary>The <c>route</c> label of a request that matched no endpoint (404, or refused before routing).</summary>
    public const string UnmatchedRoute = "unmatched";

    private static readonly double[] LatencyBuckets = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // Where the routing step leaves the route pattern: the exception handler clears the endpoint before it writes the
    // problem, so the outermost middleware cannot read it from the endpoint any more.
    private static readonly object RouteKey = new();

    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _throttled;
    private readonly Counter _rateLimited;
    private readonly Gauge _height;
    private readonly Gauge _logSize;
    private readonly Gauge _queue;
    private readonly Gauge _events;
    private readonly Gauge _alerts;
    private readonly Gauge _failed;
    private readonly Gauge _writesRefused;
    private readonly Gauge _freeBytes;
    private readonly Gauge _damageAlerts;
    private readonly Gauge _scrubbed;
    private readonly Gauge _anchoredSize;
    private readonly Gauge _anchorsPending;
    private readonly Gauge _anchorError;
    private readonly Gauge _laneHeights;
    private readonly Gauge _peerReachable;
    private readonly Gauge _peerQueue;
    private readonly Counter _peerEnvelopes;
    private readonly Counter _peerPulls;
    private readonly Counter _peerBlocksPulled;
    private readonly Anchoring.AnchoringStatus? _anchoring;
    private NodeState? _state;

    /// <summary>Creates the metrics with the anchoring gauges fed by <paramref name="anchoring"/> and the lane gauges by <paramref name="state"/>.</summary>
    public NodeMetrics(Anchoring.AnchoringStatus anchoring, NodeState state) : this()
    {
        _anchoring = anchoring;
        _state = state;
    }

    /// <summary>Creates the metrics (no lane gauges until <see cref="Render"/> is given a state).</summary>
    public NodeMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        // The runtime's own collectors (GC, memory, threads, process CPU) on this registry, as on prometheus-net's default.
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("ledger_http_requests_total", "HTTP requests by route and the status the client received", "route", "status");
        _duration = factory.CreateHistogram("ledger_http_request_duration_seconds", "HTTP request duration by route",
            new HistogramConfiguration { Buckets = LatencyBuckets, LabelNames = ["route"] });
        _throttled = factory.CreateCounter("ledger_http_throttled_total", "Write requests refused with 429 because too many were in flight");
        _rateLimited = factory.CreateCounter("ledger_http_rate_limited_total", "Requests refused with 429 by a rate limit, by limit", "limit");
        _height = factory.CreateGauge("ledger_lane_height", "Height of the lane's last durable block");
        _logSize = factory.CreateGauge("ledger_lane_records", "Records in the lane log");
        _queue = factory.CreateGauge("ledger_lane_queue_length", "Submissions waiting for the sequencer");
        _events = factory.CreateGauge("ledger_epcis_events", "Captured EPCIS events");
        _alerts = factory.CreateGauge("ledger_alerts", "Alerts recorded");
        _failed = factory.CreateGauge("ledger_lane_failed", "1 when the lane stopped writing after a storage failure");
        _writesRefused = factory.CreateGauge("ledger_lane_writes_refused", "1 when the lane refuses writes, by reason (storage-full, storage-failed, storage-damaged)", "reason");
        _freeBytes = factory.CreateGauge("ledger_storage_free_bytes", "Free bytes on the file system of the ledger store");
        _damageAlerts = factory.CreateGauge("ledger_storage_damage_alerts", "Damaged frames or index files found (at open, on read or by the scrub) since the node started");
        _scrubbed = factory.CreateGauge("ledger_storage_scrubbed_bytes", "Segment bytes the background scrub has re-read and checked since the node started");
        _anchoredSize = factory.CreateGauge("ledger_anchor_latest_size", "Log size of the lane's latest confirmed anchor (0 when none)");
        _anchorsPending = factory.CreateGauge("ledger_anchor_pending", "Anchors sent or decided but not confirmed yet");
        _anchorError = factory.CreateGauge("ledger_anchor_last_error_time_seconds", "Unix time of the last anchoring error (0 when none)");
        // The lane gauges are read when Prometheus scrapes, not kept up to date on every write.
        _laneHeights = factory.CreateGauge("ledger_lanes_height", "Height of every lane of the consortium as this node holds it, and its certified height", "lane", "node", "kind");
        _peerReachable = factory.CreateGauge("ledger_peer_reachable", "1 when the peer is a cluster member this node's failure detector reaches", "peer");
        _peerQueue = factory.CreateGauge("ledger_peer_queue_length", "Envelopes queued to the peer", "peer");
        _peerEnvelopes = factory.CreateCounter("ledger_peer_envelopes_total", "Envelopes by peer: sent (acknowledged), received (handed to the engine), refused (bad signature, malformed), dropped (queue full)", "peer", "outcome");
        _peerPulls = factory.CreateCounter("ledger_peer_pulls_total", "Pull requests this node sent to the peer, by outcome (sent, answered, failed)", "peer", "outcome");
        _peerBlocksPulled = factory.CreateCounter("ledger_peer_blocks_pulled_total", "Blocks this node received by pulling from the peer", "peer");
        Registry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>The prometheus-net registry holding every metric of this node.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Counts one request.</summary>
    public void Observe(string route, int status, double seconds)
    {
        _requests.WithLabels(route, status.ToString(CultureInfo.InvariantCulture)).Inc();
        _duration.WithLabels(route).Observe(seconds);
    }

    /// <summary>Counts a write refused by the write gate.</summary>
    public void Throttled() => _throttled.Inc();

    /// <summary>Counts a request refused by the rate limit named <paramref name="limit"/>.</summary>
    public void RateLimited(string limit) => _rateLimited.WithLabels(limit).Inc();

    /// <summary>The exposition text, with the lane gauges read from <paramref name="state"/> now.</summary>
    public string Render(NodeState state)
    {
        _state = state;
        using var stream = new MemoryStream();
        Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private void Refresh()
    {
        if (_state?.Ledger is not { } ledger)
            return;
        var head = ledger.Engine.Head;
        _height.Set(head.Height);
        _logSize.Set(head.LogSize);
        _queue.Set(ledger.Engine.QueueLength);
        _events.Set(ledger.Engine.Store.EventCount);
        _alerts.Set(ledger.Engine.Store.AlertCount);
        _failed.Set(ledger.Engine.Failure is null ? 0 : 1);
        var write = ledger.Engine.WriteState;
        foreach (var reason in (string[])["storage-full", "storage-failed", "storage-damaged"])
            _writesRefused.WithLabels(reason).Set(write.Code == reason ? 1 : 0);
        _freeBytes.Set(write.FreeBytes);
        _damageAlerts.Set(ledger.Engine.DamageAlerts);
        _scrubbed.Set(ledger.Engine.ScrubbedBytes);
        var anchors = ledger.Anchors.List(0, int.MaxValue);
        _anchoredSize.Set(ledger.Anchors.LatestConfirmed(ledger.Engine.Lane, long.MaxValue)?.Size ?? 0);
        _anchorsPending.Set(anchors.Count(a => a.Status == Ledger.Engine.Anchoring.AnchorStatus.Pending));
        _anchorError.Set((_anchoring?.LastErrorMs ?? 0) / 1000.0);
        if (_state.Peers is not { } plan)
            return;
        foreach (var n in ledger.Consortium.Definition.Nodes)
        {
            var laneHead = ledger.Engine.HeadOf(n.Address).Height;
            _laneHeights.WithLabels(n.Address.ToString(), n.Name, "head").Set(laneHead);
            _laneHeights.WithLabels(n.Address.ToString(), n.Name, "certified").Set(LaneEndpoints.CertifiedHeight(ledger.Engine, n.Address, laneHead));
        }
        if (_state.PeerLayer is not { } layer)
            return;
        var members = layer.System is { } system ? Akka.Cluster.Cluster.Get(system).State : null;
        foreach (var p in plan.Peers)
        {
            var c = layer.Stats.For(p.Node);
            _peerReachable.WithLabels(p.Name).Set(LaneEndpoints.Membership(members, p).Reachable ? 1 : 0);
            _peerQueue.WithLabels(p.Name).Set(layer.Transport?.QueueDepth(p.Node) ?? 0);
            _peerEnvelopes.WithLabels(p.Name, "sent").IncTo(c.Sent);
            _peerEnvelopes.WithLabels(p.Name, "received").IncTo(c.Received);
            _peerEnvelopes.WithLabels(p.Name, "refused").IncTo(c.Refused);
            _peerEnvelopes.WithLabels(p.Name, "dropped").IncTo(c.Dropped);
            _peerPulls.WithLabels(p.Name, "sent").IncTo(c.PullsSent);
            _peerPulls.WithLabels(p.Name, "answered").IncTo(c.PullsAnswered);
            _peerPulls.WithLabels(p.Name, "failed").IncTo(c.PullsFailed);
            _peerBlocksPulled.WithLabels(p.Name).IncTo(c.BlocksPulled);
        }
    }

    /// <summary>
    /// The request counter: the outermost middleware, so that the status it counts is the one the client received
    /// (an exception that escapes every handler is counted as the 500 the server answers).
    /// </summary>
    public static void UseRequestMetrics(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = (NodeMetrics)app.Services.GetService(typeof(NodeMetrics))!;
        app.Use(async (context, next) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var status = StatusCodes.Status500InternalServerError;
            try
            {
                await next(context);
                status = context.Response.StatusCode;
            }
            finally
            {
                var route = context.Items.TryGetValue(RouteKey, out var r) && r is string s ? s : UnmatchedRoute;
                metrics.Observe(route, status, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        });
    }

    /// <summary>Right after routing: remembers the matched route pattern for the request counter.</summary>
    public static void UseRouteCapture(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use((context, next) =>
        {
            if (context.GetEndpoint() is RouteEndpoint endpoint && endpoint.RoutePattern.RawText is { } pattern)
                context.Items[RouteKey] = pattern;
            return next(context);
        });
    }

    /// <summary>Maps <c>/metrics</c> (Prometheus text format; no credentials: it carries counts only).</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = (NodeMetrics)app.ServiceProvider.GetService(typeof(NodeMetrics))!;
        app.MapMetrics("/metrics", metrics.Registry)
            .WithMetadata(new Microsoft.AspNetCore.Routing.HttpMethodMetadata([HttpMethods.Get]))
            .WithSummary("Prometheus metrics: requests by route and status, latency, lane height, records, queue, events, alerts, rate limits, anchoring, runtime")
            .RequireAuthorization(Security.LedgerPolicies.Anyone);
    }
}
