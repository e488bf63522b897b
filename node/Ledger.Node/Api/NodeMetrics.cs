using Ledger.Node.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ledger.Node.Api;

/// <summary>The node's Prometheus metrics (served at <c>/metrics</c>) and the write-concurrency gate (429 with Retry-After).</summary>
public sealed class NodeMetrics
{
    private static readonly double[] LatencyBuckets = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MetricsRegistry _registry = new();
    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _throttled;
    private readonly Gauge _height;
    private readonly Gauge _logSize;
    private readonly Gauge _queue;
    private readonly Gauge _events;
    private readonly Gauge _alerts;
    private readonly Gauge _failed;
    private readonly Gauge _anchoredSize;
    private readonly Gauge _anchorsPending;
    private readonly Gauge _anchorError;
    private readonly Anchoring.AnchoringStatus? _anchoring;

    /// <summary>Creates the metrics with the anchoring gauges fed by <paramref name="anchoring"/>.</summary>
    public NodeMetrics(Anchoring.AnchoringStatus anchoring) : this() => _anchoring = anchoring;

    /// <summary>Creates the metrics.</summary>
    public NodeMetrics()
    {
        _requests = _registry.CreateCounter("ledger_http_requests_total", "HTTP requests by route and status", "route", "status");
        _duration = _registry.CreateHistogram("ledger_http_request_duration_seconds", "HTTP request duration by route", LatencyBuckets, "route");
        _throttled = _registry.CreateCounter("ledger_http_throttled_total", "Write requests refused with 429 because too many were in flight");
        _height = _registry.CreateGauge("ledger_lane_height", "Height of the lane's last durable block");
        _logSize = _registry.CreateGauge("ledger_lane_records", "Records in the lane log");
        _queue = _registry.CreateGauge("ledger_lane_queue_length", "Submissions waiting for the sequencer");
        _events = _registry.CreateGauge("ledger_epcis_events", "Captured EPCIS events");
        _alerts = _registry.CreateGauge("ledger_alerts", "Alerts recorded");
        _failed = _registry.CreateGauge("ledger_lane_failed", "1 when the lane stopped writing after a storage failure");
        _anchoredSize = _registry.CreateGauge("ledger_anchor_latest_size", "Log size of the lane's latest confirmed anchor (0 when none)");
        _anchorsPending = _registry.CreateGauge("ledger_anchor_pending", "Anchors sent or decided but not confirmed yet");
        _anchorError = _registry.CreateGauge("ledger_anchor_last_error_time_seconds", "Unix time of the last anchoring error (0 when none)");
    }

    /// <summary>Counts one request.</summary>
    public void Observe(string route, int status, double seconds)
    {
        _requests.WithLabels(route, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        _duration.WithLabels(route).Observe(seconds);
    }

    /// <summary>Counts a throttled request.</summary>
    public void Throttled() => _throttled.Inc();

    /// <summary>The exposition text, with the lane gauges read now.</summary>
    public string Render(NodeState state)
    {
        if (state.Ledger is { } ledger)
        {
            var head = ledger.Engine.Head;
            _height.Set(head.Height);
            _logSize.Set(head.LogSize);
            _queue.Set(ledger.Engine.QueueLength);
            _events.Set(ledger.Engine.Store.EventCount);
            _alerts.Set(ledger.Engine.Store.AlertCount);
            _failed.Set(ledger.Engine.Failure is null ? 0 : 1);
            var anchors = ledger.Anchors.List(0, int.MaxValue);
            _anchoredSize.Set(ledger.Anchors.LatestConfirmed(ledger.Engine.Lane, long.MaxValue)?.Size ?? 0);
            _anchorsPending.Set(anchors.Count(a => a.Status == Ledger.Engine.Anchoring.AnchorStatus.Pending));
            _anchorError.Set((_anchoring?.LastErrorMs ?? 0) / 1000.0);
        }
        return _registry.Render();
    }

    /// <summary>Adds the metrics middleware, the write gate (429 + Retry-After beyond <paramref name="maxConcurrentWrites"/> writes in flight) and <c>/metrics</c>.</summary>
    public static void Use(WebApplication app, int maxConcurrentWrites)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = (NodeMetrics)app.Services.GetService(typeof(NodeMetrics))!;
        var gate = (WriteGate)app.Services.GetService(typeof(WriteGate))!;
        app.Use(async (context, next) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var isWrite = HttpMethods.IsPost(context.Request.Method)
                && (context.Request.Path.StartsWithSegments("/epcis/capture") || context.Request.Path.StartsWithSegments("/v1/batches"));
            var entered = false;
            try
            {
                if (isWrite && !(entered = gate.TryEnter()))
                {
                    metrics.Throttled();
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    var problems = (IProblemDetailsService)context.RequestServices.GetService(typeof(IProblemDetailsService))!;
                    await problems.WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails = NodeExceptionHandler.Overloaded(context, 429, TimeSpan.FromSeconds(1),
                            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"more than {maxConcurrentWrites} write requests are in flight; retry after the Retry-After delay")),
                    });
                    return;
                }
                await next(context);
            }
            finally
            {
                if (entered)
                    gate.Release();
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                metrics.Observe(route, context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        });
    }

    /// <summary>Maps <c>/metrics</c> (Prometheus text format; no credentials: it carries counts only).</summary>
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", (NodeMetrics metrics, NodeState state) => Results.Text(metrics.Render(state), PrometheusText.ContentType))
            .WithSummary("Prometheus metrics: requests, latency, lane height, records, queue, events, alerts");
}
