using System.Globalization;
using Ledger.Node.Metrics;
using Xunit;

namespace Ledger.Node.Tests.Metrics;

/// <summary>Many threads updating at once, and the histogram's cumulative buckets checked against a naive count.</summary>
public class MetricsConcurrencyTests
{
    private const int Threads = 8;
    private const int PerThread = 50_000;

    private static void RunInParallel(Action<int> body)
    {
        using var start = new ManualResetEventSlim(false);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.Wait();
            body(t);
        })).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        threads.ForEach(t => t.Join());
    }

    [Fact]
    public void CounterInc_FromManyThreads_SumsExactly()
    {
        var registry = new MetricsRegistry();
        var plain = registry.CreateCounter("plain_total", "P.");
        var labelled = registry.CreateCounter("labelled_total", "L.", "shard");

        RunInParallel(t =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                plain.Inc();
                labelled.WithLabels((i % 4).ToString(CultureInfo.InvariantCulture)).Inc(2);
            }
        });

        Assert.Equal(Threads * PerThread, plain.Value);
        for (var s = 0; s < 4; s++)
            Assert.Equal(Threads * PerThread / 4 * 2, labelled.WithLabels(s.ToString(CultureInfo.InvariantCulture)).Value);
        Assert.Contains($"plain_total {Threads * PerThread}\n", registry.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void GaugeIncDec_FromManyThreads_CancelOut()
    {
        var g = new MetricsRegistry().CreateGauge("g", "G.");
        g.Set(7);

        RunInParallel(t =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                if (t % 2 == 0)
                    g.Inc(3);
                else
                    g.Dec(3);
            }
        });

        Assert.Equal(7, g.Value);
    }

    [Fact]
    public void HistogramObserve_FromManyThreads_CountsEveryObservation()
    {
        var registry = new MetricsRegistry();
        var h = registry.CreateHistogram("h", "H.", [1, 2, 3]);

        // Thread t observes the value t % 4 + 0.5: each of the 4 buckets gets Threads / 4 threads' worth.
        RunInParallel(t =>
        {
            for (var i = 0; i < PerThread; i++)
                h.Observe(t % 4 + 0.5);
        });

        var perBucket = (long)Threads / 4 * PerThread;
        var series = h.WithLabels();
        Assert.Equal([perBucket, 2 * perBucket, 3 * perBucket, 4 * perBucket], series.CumulativeCounts());
        Assert.Equal(Threads * PerThread, series.Count);
        Assert.Equal(perBucket * (0.5 + 1.5 + 2.5 + 3.5), series.Sum);
    }

    // Property: for random bounds and observations, every rendered bucket equals the naive count of observations
    // <= its bound, the counts never decrease, and +Inf equals _count equals the number of observations.
    [Fact]
    public void Render_RandomHistograms_BucketsAreCumulativeCountsOfValuesAtOrBelowTheBound()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var bounds = Enumerable.Range(0, random.Next(0, 8)).Select(_ => Math.Round(random.NextDouble() * 20 - 5, 2))
                .Distinct().Order().ToArray();
            var values = Enumerable.Range(0, random.Next(0, 60)).Select(_ =>
                random.Next(5) == 0 && bounds.Length > 0 ? bounds[random.Next(bounds.Length)] : Math.Round(random.NextDouble() * 30 - 8, 3)).ToArray();
            var registry = new MetricsRegistry();
            var h = registry.CreateHistogram("p", "P.", bounds);
            foreach (var v in values)
                h.Observe(v);

            var lines = registry.Render().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var buckets = lines.Where(l => l.StartsWith("p_bucket{le=\"", StringComparison.Ordinal)).ToList();
            Assert.True(buckets.Count == bounds.Length + 1, $"seed {seed}: {buckets.Count} bucket lines for {bounds.Length} bounds");
            long previous = 0;
            for (var i = 0; i < buckets.Count; i++)
            {
                var le = buckets[i]["p_bucket{le=\"".Length..buckets[i].IndexOf('"', 13)];
                var count = long.Parse(buckets[i][(buckets[i].LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                var bound = i < bounds.Length ? bounds[i] : double.PositiveInfinity;
                Assert.True(le == (i < bounds.Length ? bound.ToString("R", CultureInfo.InvariantCulture) : "+Inf"), $"seed {seed}: le {le}");
                Assert.True(count >= previous, $"seed {seed}: bucket {le} count {count} < previous {previous}");
                Assert.True(count == values.Count(v => v <= bound), $"seed {seed}: bucket {le} count {count}");
                previous = count;
            }
            Assert.True(previous == values.Length, $"seed {seed}: +Inf {previous} != {values.Length}");
            Assert.Contains($"p_count {values.Length}", lines);
        }
    }
}
