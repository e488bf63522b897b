using System.Globalization;
using System.Text;

namespace Ledger.Node.Metrics;

/// <summary>
/// A small thread-safe metrics registry rendered in the Prometheus text exposition format 0.0.4
/// (<see cref="PrometheusText.ContentType"/>). Metric families are written in creation order; series within a
/// family in ordinal order of their label values. Updates are lock-free (Interlocked); rendering takes no lock
/// on the series, so a scrape racing an update sees each value either before or after it.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly Lock _gate = new();
    private readonly List<Metric> _metrics = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Registers a counter.</summary>
    /// <exception cref="ArgumentException">An invalid or already registered name, or invalid or duplicate label names.</exception>
    public Counter CreateCounter(string name, string help, params string[] labelNames)
    {
        Check(name, help, labelNames, []);
        return Add(new Counter(name, help, [.. labelNames]), [name]);
    }

    /// <summary>Registers a gauge.</summary>
    /// <exception cref="ArgumentException">An invalid or already registered name, or invalid or duplicate label names.</exception>
    public Gauge CreateGauge(string name, string help, params string[] labelNames)
    {
        Check(name, help, labelNames, []);
        return Add(new Gauge(name, help, [.. labelNames]), [name]);
    }

    /// <summary>
    /// Registers a histogram with the given finite bucket upper bounds (strictly increasing; a trailing
    /// <c>+Inf</c> is allowed and dropped, since the <c>+Inf</c> bucket is always there). It also claims the
    /// names <c>name_bucket</c>, <c>name_sum</c> and <c>name_count</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid name, label names (<c>le</c> is reserved) or buckets.</exception>
    public Histogram CreateHistogram(string name, string help, double[] buckets, params string[] labelNames)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        Check(name, help, labelNames, ["le"]);
        var bounds = buckets.Length > 0 && double.IsPositiveInfinity(buckets[^1]) ? buckets[..^1] : [.. buckets];
        for (var i = 0; i < bounds.Length; i++)
        {
            if (!double.IsFinite(bounds[i]))
                throw new ArgumentException($"metric {name}: bucket bound {PrometheusText.FormatValue(bounds[i])} is not finite (only a last +Inf is allowed)", nameof(buckets));
            if (i > 0 && !(bounds[i] > bounds[i - 1]))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"metric {name}: bucket bounds must be strictly increasing, but {bounds[i]} follows {bounds[i - 1]}"), nameof(buckets));
        }
        return Add(new Histogram(name, help, bounds, [.. labelNames]), [name, name + "_bucket", name + "_sum", name + "_count"]);
    }

    /// <summary>Writes every metric in the text exposition format; lines end in a line feed.</summary>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Metric[] metrics;
        lock (_gate)
            metrics = [.. _metrics];
        foreach (var m in metrics)
            m.Write(writer);
    }

    /// <summary>The text exposition of every metric.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        using (var writer = new StringWriter(sb, CultureInfo.InvariantCulture))
            WriteTo(writer);
        return sb.ToString();
    }

    private T Add<T>(T metric, string[] claimedNames)
        where T : Metric
    {
        lock (_gate)
        {
            foreach (var n in claimedNames)
                if (_names.Contains(n))
                    throw new ArgumentException($"metric {metric.Name}: the name {n} is already registered");
            _names.UnionWith(claimedNames);
            _metrics.Add(metric);
        }
        return metric;
    }

    private static void Check(string name, string help, string[] labelNames, string[] reserved)
    {
        ArgumentNullException.ThrowIfNull(help);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (!PrometheusText.IsValidMetricName(name))
            throw new ArgumentException($"metric '{name}': a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*", nameof(name));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in labelNames)
        {
            if (!PrometheusText.IsValidLabelName(label))
                throw new ArgumentException($"metric {name}: label name '{label}' must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __", nameof(labelNames));
            if (reserved.Contains(label))
                throw new ArgumentException($"metric {name}: label name '{label}' is reserved for this metric type", nameof(labelNames));
            if (!seen.Add(label))
                throw new ArgumentException($"metric {name}: label name '{label}' appears twice", nameof(labelNames));
        }
    }
}
