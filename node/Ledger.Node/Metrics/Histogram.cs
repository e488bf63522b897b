namespace Ledger.Node.Metrics;

/// <summary>
/// A histogram family: observations counted into buckets by upper bound. Rendered as cumulative
/// <c>name_bucket{le="bound"}</c> lines ending with <c>le="+Inf"</c>, then <c>name_sum</c> and <c>name_count</c>.
/// </summary>
public sealed class Histogram : Metric<HistogramSeries>
{
    internal Histogram(string name, string help, double[] upperBounds, string[] labelNames)
        : base(name, help, "histogram", labelNames, () => new HistogramSeries(upperBounds))
    {
        UpperBounds = upperBounds;
    }

    /// <summary>The finite bucket upper bounds, strictly increasing (the <c>+Inf</c> bucket is implicit).</summary>
    public IReadOnlyList<double> UpperBounds { get; }

    /// <summary>Records one observation in the series of a histogram without labels.</summary>
    /// <exception cref="InvalidOperationException">The histogram has labels.</exception>
    public void Observe(double value) => Unlabelled.Observe(value);

    private protected override void WriteSeries(TextWriter writer, IReadOnlyList<string> labelValues, HistogramSeries child)
    {
        var snapshot = child.Snapshot();
        long cumulative = 0;
        for (var i = 0; i < UpperBounds.Count; i++)
        {
            cumulative += snapshot.Counts[i];
            WriteSample(writer, Name + "_bucket", labelValues, cumulative, "le", PrometheusText.FormatValue(UpperBounds[i]));
        }
        cumulative += snapshot.Counts[^1];
        WriteSample(writer, Name + "_bucket", labelValues, cumulative, "le", "+Inf");
        WriteSample(writer, Name + "_sum", labelValues, snapshot.Sum);
        WriteSample(writer, Name + "_count", labelValues, cumulative);
    }
}

/// <summary>One histogram series (one set of label values). Thread-safe and lock-free.</summary>
public sealed class HistogramSeries
{
    private readonly double[] _bounds;
    private readonly long[] _counts; // per bucket, not cumulative; the last is the +Inf bucket
    private long _sumBits;

    internal HistogramSeries(double[] bounds)
    {
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    /// <summary>Records one observation: it lands in the first bucket whose upper bound is ≥ the value (NaN in <c>+Inf</c> only).</summary>
    public void Observe(double value)
    {
        // Lowest index with value <= bound; NaN compares false everywhere and falls through to +Inf.
        int lo = 0, hi = _bounds.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value <= _bounds[mid])
                hi = mid;
            else
                lo = mid + 1;
        }
        if (double.IsNaN(value))
            lo = _bounds.Length;
        Interlocked.Increment(ref _counts[lo]);
        Metric.AddDouble(ref _sumBits, value);
    }

    /// <summary>The total of all observations.</summary>
    public double Sum => Metric.ReadDouble(ref _sumBits);

    /// <summary>The number of observations.</summary>
    public long Count => Snapshot().Counts.Sum();

    /// <summary>The cumulative count of each bucket: one per upper bound, then the <c>+Inf</c> bucket (equal to <see cref="Count"/>).</summary>
    public IReadOnlyList<long> CumulativeCounts()
    {
        var counts = Snapshot().Counts;
        var result = new long[counts.Length];
        long running = 0;
        for (var i = 0; i < counts.Length; i++)
            result[i] = running += counts[i];
        return result;
    }

    internal (long[] Counts, double Sum) Snapshot()
    {
        var counts = new long[_counts.Length];
        for (var i = 0; i < counts.Length; i++)
            counts[i] = Interlocked.Read(ref _counts[i]);
        return (counts, Sum);
    }
}
