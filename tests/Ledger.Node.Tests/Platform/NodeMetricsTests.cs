using Ledger.Node.Api;
using Xunit;

namespace Ledger.Node.Tests.Platform;

/// <summary>The node's metric definitions on prometheus-net: the names operators and the docs use, in the text format.</summary>
public class NodeMetricsTests
{
    [Fact]
    public void Render_AfterRequests_CarriesEveryDocumentedMetricInTheTextFormat()
    {
        var metrics = new NodeMetrics();
        metrics.Observe("/v1/head", 200, 0.003);
        metrics.Observe("/v1/head", 401, 0.001);
        metrics.Throttled();
        metrics.RateLimited("party-requests");

        var text = metrics.Render(new NodeState());

        Assert.Contains("# TYPE ledger_http_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("ledger_http_requests_total{route=\"/v1/head\",status=\"200\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("ledger_http_requests_total{route=\"/v1/head\",status=\"401\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ledger_http_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("ledger_http_request_duration_seconds_bucket{route=\"/v1/head\",le=\"0.005\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("ledger_http_request_duration_seconds_count{route=\"/v1/head\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("ledger_http_throttled_total 1", text, StringComparison.Ordinal);
        Assert.Contains("ledger_http_rate_limited_total{limit=\"party-requests\"} 1", text, StringComparison.Ordinal);
        foreach (var gauge in new[]
        {
            "ledger_lane_height", "ledger_lane_records", "ledger_lane_queue_length", "ledger_epcis_events", "ledger_alerts",
            "ledger_lane_failed", "ledger_anchor_latest_size", "ledger_anchor_pending", "ledger_anchor_last_error_time_seconds",
        })
            Assert.Contains($"# TYPE {gauge} gauge", text, StringComparison.Ordinal);
        // The runtime's collectors are on the node's registry too.
        Assert.Contains("dotnet_collection_count_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_TwoNodesInOneProcess_DoNotShareSeries()
    {
        var a = new NodeMetrics();
        var b = new NodeMetrics();
        a.Observe("/x", 500, 0.1);

        Assert.Contains("status=\"500\"", a.Render(new NodeState()), StringComparison.Ordinal);
        Assert.DoesNotContain("status=\"500\"", b.Render(new NodeState()), StringComparison.Ordinal);
    }
}
