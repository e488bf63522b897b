namespace Ledger.Node.Metrics;

/// <summary>A counter family: values that only go up (reset when the process restarts).</summary>
public sealed class Counter : Metric<CounterSeries>
{
    internal Counter(string name, string help, string[] labelNames)
        : base(name, help, "counter", labelNames, () => new CounterSeries()) { }

    /// <summary>Adds <paramref name="amount"/> to the series of a counter without labels.</summary>
    /// <exception cref="InvalidOperationException">The counter has labels.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative or NaN.</exception>
    public void Inc(double amount = 1) => Unlabelled.Inc(amount);

    /// <summary>The value of a counter without labels.</summary>
    public double Value => Unlabelled.Value;

    private protected override void WriteSeries(TextWriter writer, IReadOnlyList<string> labelValues, CounterSeries child) =>
        WriteSample(writer, Name, labelValues, child.Value);
}

/// <summary>One counter series (one set of label values). Thread-safe and lock-free.</summary>
public sealed class CounterSeries
{
    private long _bits;

    internal CounterSeries() { }

    /// <summary>The current value.</summary>
    public double Value => Metric.ReadDouble(ref _bits);

    /// <summary>Adds <paramref name="amount"/> (default 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative or NaN: a counter never goes down.</exception>
    public void Inc(double amount = 1)
    {
        if (!(amount >= 0))
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "a counter only goes up; use a gauge for values that fall");
        Metric.AddDouble(ref _bits, amount);
    }
}
