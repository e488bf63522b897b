namespace Ledger.Node.Metrics;

/// <summary>A gauge family: values that go up and down.</summary>
public sealed class Gauge : Metric<GaugeSeries>
{
    internal Gauge(string name, string help, string[] labelNames)
        : base(name, help, "gauge", labelNames, () => new GaugeSeries()) { }

    /// <summary>Sets the series of a gauge without labels.</summary>
    /// <exception cref="InvalidOperationException">The gauge has labels.</exception>
    public void Set(double value) => Unlabelled.Set(value);

    /// <summary>Adds to the series of a gauge without labels.</summary>
    public void Inc(double amount = 1) => Unlabelled.Inc(amount);

    /// <summary>Subtracts from the series of a gauge without labels.</summary>
    public void Dec(double amount = 1) => Unlabelled.Dec(amount);

    /// <summary>The value of a gauge without labels.</summary>
    public double Value => Unlabelled.Value;

    private protected override void WriteSeries(TextWriter writer, IReadOnlyList<string> labelValues, GaugeSeries child) =>
        WriteSample(writer, Name, labelValues, child.Value);
}

/// <summary>One gauge series (one set of label values). Thread-safe and lock-free.</summary>
public sealed class GaugeSeries
{
    private long _bits;

    internal GaugeSeries() { }

    /// <summary>The current value.</summary>
    public double Value => Metric.ReadDouble(ref _bits);

    /// <summary>Sets the value.</summary>
    public void Set(double value) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(value));

    /// <summary>Adds <paramref name="amount"/> (default 1).</summary>
    public void Inc(double amount = 1) => Metric.AddDouble(ref _bits, amount);

    /// <summary>Subtracts <paramref name="amount"/> (default 1).</summary>
    public void Dec(double amount = 1) => Metric.AddDouble(ref _bits, -amount);
}
