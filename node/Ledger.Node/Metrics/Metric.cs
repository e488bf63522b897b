using System.Collections.Concurrent;

namespace Ledger.Node.Metrics;

/// <summary>One metric family: its name, help text, type and label names. Create through <see cref="MetricsRegistry"/>.</summary>
public abstract class Metric
{
    private protected Metric(string name, string help, string type, string[] labelNames)
    {
        Name = name;
        Help = help;
        Type = type;
        LabelNames = labelNames;
    }

    /// <summary>The metric name.</summary>
    public string Name { get; }

    /// <summary>The <c># HELP</c> text (unescaped).</summary>
    public string Help { get; }

    /// <summary>The <c># TYPE</c>: <c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string Type { get; }

    /// <summary>The label names, in the order <c>WithLabels</c> takes their values.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>Writes the <c># HELP</c> and <c># TYPE</c> lines and every sample, each line ending in a line feed.</summary>
    internal void Write(TextWriter writer)
    {
        writer.Write("# HELP ");
        writer.Write(Name);
        writer.Write(' ');
        writer.Write(PrometheusText.EscapeHelp(Help));
        writer.Write('\n');
        writer.Write("# TYPE ");
        writer.Write(Name);
        writer.Write(' ');
        writer.Write(Type);
        writer.Write('\n');
        WriteSamples(writer);
    }

    private protected abstract void WriteSamples(TextWriter writer);

    /// <summary>Writes <c>name{l1="v1",...,extraName="extraValue"} value</c> and a line feed.</summary>
    private protected void WriteSample(TextWriter writer, string name, IReadOnlyList<string> labelValues, double value, string? extraName = null, string? extraValue = null)
    {
        writer.Write(name);
        if (labelValues.Count > 0 || extraName is not null)
        {
            writer.Write('{');
            for (var i = 0; i < labelValues.Count; i++)
            {
                if (i > 0)
                    writer.Write(',');
                WriteLabel(writer, LabelNames[i], labelValues[i]);
            }
            if (extraName is not null)
            {
                if (labelValues.Count > 0)
                    writer.Write(',');
                WriteLabel(writer, extraName, extraValue!);
            }
            writer.Write('}');
        }
        writer.Write(' ');
        writer.Write(PrometheusText.FormatValue(value));
        writer.Write('\n');
    }

    private static void WriteLabel(TextWriter writer, string name, string value)
    {
        writer.Write(name);
        writer.Write("=\"");
        writer.Write(PrometheusText.EscapeLabelValue(value));
        writer.Write('"');
    }

    /// <summary>Adds <paramref name="delta"/> to the double stored as bits in <paramref name="bits"/>, lock-free.</summary>
    internal static void AddDouble(ref long bits, double delta)
    {
        long seen, next;
        do
        {
            seen = Volatile.Read(ref bits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + delta);
        }
        while (Interlocked.CompareExchange(ref bits, next, seen) != seen);
    }

    internal static double ReadDouble(ref long bits) => BitConverter.Int64BitsToDouble(Volatile.Read(ref bits));
}

/// <summary>A metric family whose series are <typeparamref name="TChild"/> objects, one per set of label values.</summary>
public abstract class Metric<TChild> : Metric
    where TChild : class
{
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly TChild? _unlabelled;
    private readonly Func<TChild> _newChild;

    private protected Metric(string name, string help, string type, string[] labelNames, Func<TChild> newChild)
        : base(name, help, type, labelNames)
    {
        _newChild = newChild;
        if (labelNames.Length == 0)
        {
            _unlabelled = newChild();
            _series[""] = new Series([], _unlabelled);
        }
    }

    /// <summary>
    /// The series for these label values (one per label name, in order), created on first use. Keep the result to
    /// skip the lookup on a hot path.
    /// </summary>
    /// <exception cref="ArgumentException">The number of values differs from the number of label names.</exception>
    public TChild WithLabels(params string[] labelValues)
    {
        ArgumentNullException.ThrowIfNull(labelValues);
        if (labelValues.Length != LabelNames.Count)
            throw new ArgumentException($"metric {Name} has {LabelNames.Count} label(s) ({string.Join(", ", LabelNames)}), got {labelValues.Length} value(s)", nameof(labelValues));
        foreach (var v in labelValues)
            if (v is null)
                throw new ArgumentException($"metric {Name}: a label value is null", nameof(labelValues));
        var key = Key(labelValues);
        if (_series.TryGetValue(key, out var found))
            return found.Child;
        return _series.GetOrAdd(key, _ => new Series([.. labelValues], _newChild())).Child;
    }

    /// <summary>The single series of a metric without labels.</summary>
    /// <exception cref="InvalidOperationException">The metric has labels: use <see cref="WithLabels"/>.</exception>
    private protected TChild Unlabelled => _unlabelled
        ?? throw new InvalidOperationException($"metric {Name} has labels ({string.Join(", ", LabelNames)}); use WithLabels(...)");

    private protected abstract void WriteSeries(TextWriter writer, IReadOnlyList<string> labelValues, TChild child);

    private protected sealed override void WriteSamples(TextWriter writer)
    {
        var all = _series.Values.ToList();
        all.Sort((a, b) => CompareValues(a.LabelValues, b.LabelValues));
        foreach (var s in all)
            WriteSeries(writer, s.LabelValues, s.Child);
    }

    // Length-prefixed so that no two value lists share a key ("a,b"+"c" vs "a"+"b,c").
    private static string Key(string[] values)
    {
        if (values.Length == 1)
            return values[0];
        return string.Concat(values.Select(v => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{v.Length}:{v}")));
    }

    private static int CompareValues(string[] a, string[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            var c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
                return c;
        }
        return 0;
    }

    private sealed record Series(string[] LabelValues, TChild Child);
}
