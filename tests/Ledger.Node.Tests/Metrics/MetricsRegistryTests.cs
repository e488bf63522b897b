using System.Globalization;
using Ledger.Node.Metrics;
using Xunit;

namespace Ledger.Node.Tests.Metrics;

/// <summary>
/// The Prometheus text exposition format 0.0.4. Expected texts are written by hand from the format's documentation
/// (prometheus.io "Exposition formats": the http_requests_total, msdos_file_access_time_seconds and
/// http_request_duration_seconds examples), adapted only where noted.
/// </summary>
public class MetricsRegistryTests
{
    [Fact]
    public void Render_CounterWithTwoLabels_MatchesTheSpecExample()
    {
        var registry = new MetricsRegistry();
        var requests = registry.CreateCounter("http_requests_total", "The total number of HTTP requests.", "method", "code");
        requests.WithLabels("post", "200").Inc(1027);
        requests.WithLabels("post", "400").Inc(3);

        Assert.Equal(
            "# HELP http_requests_total The total number of HTTP requests.\n" +
            "# TYPE http_requests_total counter\n" +
            "http_requests_total{method=\"post\",code=\"200\"} 1027\n" +
            "http_requests_total{method=\"post\",code=\"400\"} 3\n",
            registry.Render());
    }

    [Fact]
    public void Render_LabelValueWithBackslashQuoteAndNewline_IsEscapedAsInTheSpecExample()
    {
        var registry = new MetricsRegistry();
        var g = registry.CreateGauge("msdos_file_access_time_seconds", "Access time.", "path", "error");
        g.WithLabels(@"C:\DIR\FILE.TXT", "Cannot find file:\n\"FILE.TXT\"").Set(1458255915);

        // The spec writes the value as 1.458255915e9; the shortest round-trip text of the same double is 1458255915.
        Assert.Equal(
            "# HELP msdos_file_access_time_seconds Access time.\n" +
            "# TYPE msdos_file_access_time_seconds gauge\n" +
            "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1458255915\n",
            registry.Render());
    }

    [Fact]
    public void Render_Histogram_WritesCumulativeBucketsInfSumAndCount()
    {
        var registry = new MetricsRegistry();
        var h = registry.CreateHistogram("http_request_duration_seconds", "A histogram of the request duration.", [0.0625, 0.125, 0.25, 0.5, 1]);
        foreach (var v in new[] { 0.0625, 0.125, 0.125, 0.5, 2, 0.75 })
            h.Observe(v);

        Assert.Equal(
            "# HELP http_request_duration_seconds A histogram of the request duration.\n" +
            "# TYPE http_request_duration_seconds histogram\n" +
            "http_request_duration_seconds_bucket{le=\"0.0625\"} 1\n" +
            "http_request_duration_seconds_bucket{le=\"0.125\"} 3\n" +
            "http_request_duration_seconds_bucket{le=\"0.25\"} 3\n" +
            "http_request_duration_seconds_bucket{le=\"0.5\"} 4\n" +
            "http_request_duration_seconds_bucket{le=\"1\"} 5\n" +
            "http_request_duration_seconds_bucket{le=\"+Inf\"} 6\n" +
            "http_request_duration_seconds_sum 3.5625\n" +
            "http_request_duration_seconds_count 6\n",
            registry.Render());
    }

    [Fact]
    public void Render_HistogramWithLabel_PutsLeAfterTheOtherLabels()
    {
        var registry = new MetricsRegistry();
        var h = registry.CreateHistogram("rpc_seconds", "RPC time.", [1], "method");
        h.WithLabels("get").Observe(0.5);

        Assert.Equal(
            "# HELP rpc_seconds RPC time.\n" +
            "# TYPE rpc_seconds histogram\n" +
            "rpc_seconds_bucket{method=\"get\",le=\"1\"} 1\n" +
            "rpc_seconds_bucket{method=\"get\",le=\"+Inf\"} 1\n" +
            "rpc_seconds_sum{method=\"get\"} 0.5\n" +
            "rpc_seconds_count{method=\"get\"} 1\n",
            registry.Render());
    }

    [Fact]
    public void Render_SeveralMetrics_InCreationOrderAndSeriesInLabelOrder()
    {
        var registry = new MetricsRegistry();
        var z = registry.CreateGauge("z_gauge", "Z.");
        var a = registry.CreateCounter("a_total", "A.", "kind");
        a.WithLabels("b").Inc();
        a.WithLabels("a").Inc(2);
        z.Set(-1.5);

        Assert.Equal(
            "# HELP z_gauge Z.\n# TYPE z_gauge gauge\nz_gauge -1.5\n" +
            "# HELP a_total A.\n# TYPE a_total counter\na_total{kind=\"a\"} 2\na_total{kind=\"b\"} 1\n",
            registry.Render());
    }

    [Fact]
    public void Render_UnlabelledMetricNeverTouched_ShowsZero_LabelledShowsNoSeries()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounter("plain_total", "Plain.");
        registry.CreateCounter("labelled_total", "Labelled.", "x");

        Assert.Equal(
            "# HELP plain_total Plain.\n# TYPE plain_total counter\nplain_total 0\n" +
            "# HELP labelled_total Labelled.\n# TYPE labelled_total counter\n",
            registry.Render());
    }

    [Fact]
    public void Render_Empty_IsEmpty()
    {
        Assert.Equal("", new MetricsRegistry().Render());
    }

    [Fact]
    public void Render_HelpWithBackslashNewlineAndQuote_EscapesBackslashAndNewlineOnly()
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("g", "a\\b \"q\"\nline2");

        Assert.StartsWith("# HELP g a\\\\b \"q\"\\nline2\n# TYPE g gauge\n", registry.Render(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(-0.0001, "-0.0001")]
    [InlineData(1e21, "1E+21")]
    [InlineData(123456789.25, "123456789.25")]
    public void Render_GaugeValue_IsSpelledAsTheFormatRequires(double value, string text)
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("g", "G.").Set(value);

        Assert.EndsWith($"\ng {text}\n", registry.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UnderACommaDecimalCulture_StillUsesPoints()
    {
        var registry = new MetricsRegistry();
        registry.CreateGauge("g", "G.").Set(2.5);
        registry.CreateHistogram("h", "H.", [0.5]).Observe(0.25);
        var saved = CultureInfo.CurrentCulture;
        string text;
        try
        {
            // Globalization-invariant mode has no named cultures: build one with a comma decimal separator.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("2,5", 2.5.ToString(CultureInfo.CurrentCulture));
            text = registry.Render();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        Assert.Contains("\ng 2.5\n", text, StringComparison.Ordinal);
        Assert.Contains("h_bucket{le=\"0.5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("h_sum 0.25\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTo_WritesTheSameTextAsRender()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounter("c_total", "C.", "a").WithLabels("x").Inc(4);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);

        registry.WriteTo(writer);

        Assert.Equal(registry.Render(), writer.ToString());
    }

    // ---- gauges and counters ----

    [Fact]
    public void Gauge_SetIncDec_Combine()
    {
        var g = new MetricsRegistry().CreateGauge("g", "G.");
        g.Set(10);
        g.Inc();
        g.Inc(2.5);
        g.Dec(4);
        g.Dec();

        Assert.Equal(8.5, g.Value);
    }

    [Fact]
    public void Counter_NegativeIncrement_Throws()
    {
        var c = new MetricsRegistry().CreateCounter("c_total", "C.");

        Assert.Throws<ArgumentOutOfRangeException>(() => c.Inc(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Inc(double.NaN));
        Assert.Equal(0, c.Value);
    }

    [Fact]
    public void WithLabels_WrongNumberOfValues_ThrowsNamingTheMetric()
    {
        var c = new MetricsRegistry().CreateCounter("c_total", "C.", "a", "b");

        var e = Assert.Throws<ArgumentException>(() => c.WithLabels("x"));

        Assert.Contains("c_total", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithLabels_SameValues_ReturnsTheSameSeries()
    {
        var c = new MetricsRegistry().CreateCounter("c_total", "C.", "a", "b");

        Assert.Same(c.WithLabels("x", "y"), c.WithLabels("x", "y"));
        Assert.NotSame(c.WithLabels("x,", "y"), c.WithLabels("x", ",y"));
        Assert.NotSame(c.WithLabels("1:a", ""), c.WithLabels("1", ":a"));
    }

    [Fact]
    public void Inc_OnALabelledCounterWithoutLabels_ThrowsInvalidOperation()
    {
        var c = new MetricsRegistry().CreateCounter("c_total", "C.", "a");

        Assert.Throws<InvalidOperationException>(() => c.Inc());
    }

    // ---- names ----

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("a b")]
    [InlineData("caf\u00e9")]
    [InlineData("a.b")]
    public void CreateCounter_InvalidName_ThrowsNamingTheMetric(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateCounter(name, "x"));

        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Equal("name", e.ParamName);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("_x")]
    [InlineData(":x")]
    [InlineData("ns:sub_system:metric_total9")]
    public void CreateGauge_ValidName_IsAccepted(string name)
    {
        var g = new MetricsRegistry().CreateGauge(name, "x");

        Assert.Equal(name, g.Name);
    }

    [Theory]
    [InlineData("__reserved")]
    [InlineData("1a")]
    [InlineData("a:b")]
    [InlineData("a-b")]
    [InlineData("")]
    public void CreateCounter_InvalidLabelName_Throws(string label)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateCounter("c_total", "C.", label));

        Assert.Contains("c_total", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateCounter_DuplicateLabelName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateCounter("c_total", "C.", "a", "a"));
    }

    [Fact]
    public void CreateHistogram_LeLabel_ThrowsBecauseItIsReserved()
    {
        Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateHistogram("h", "H.", [1], "le"));
    }

    [Fact]
    public void Create_SameNameTwice_ThrowsNamingTheMetric()
    {
        var registry = new MetricsRegistry();
        registry.CreateCounter("dup_total", "C.");

        var e = Assert.Throws<ArgumentException>(() => registry.CreateGauge("dup_total", "G."));

        Assert.Contains("dup_total", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NameOfAHistogramSeries_Throws()
    {
        var registry = new MetricsRegistry();
        registry.CreateHistogram("h", "H.", [1]);

        Assert.Throws<ArgumentException>(() => registry.CreateCounter("h_count", "C."));
        Assert.Throws<ArgumentException>(() => registry.CreateGauge("h_bucket", "G."));
    }

    // ---- buckets ----

    [Theory]
    [InlineData(new[] { 1.0, 1.0 })]
    [InlineData(new[] { 2.0, 1.0 })]
    [InlineData(new[] { double.NaN })]
    [InlineData(new[] { double.NegativeInfinity, 1.0 })]
    [InlineData(new[] { double.PositiveInfinity, 1.0 })]
    public void CreateHistogram_BadBuckets_Throws(double[] buckets)
    {
        var e = Assert.Throws<ArgumentException>(() => new MetricsRegistry().CreateHistogram("h", "H.", buckets));

        Assert.Equal("buckets", e.ParamName);
    }

    [Fact]
    public void CreateHistogram_TrailingInf_IsDroppedSoInfAppearsOnce()
    {
        var registry = new MetricsRegistry();
        var h = registry.CreateHistogram("h", "H.", [1, double.PositiveInfinity]);
        h.Observe(5);

        Assert.Equal([1.0], h.UpperBounds);
        Assert.Single(registry.Render().Split('\n'), l => l.Contains("+Inf", StringComparison.Ordinal));
    }

    [Fact]
    public void CreateHistogram_NoBuckets_HasOnlyTheInfBucket()
    {
        var registry = new MetricsRegistry();
        registry.CreateHistogram("h", "H.", []).Observe(3);

        Assert.Equal("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 3\nh_count 1\n", registry.Render());
    }

    [Fact]
    public void Observe_NaN_CountsOnlyInTheInfBucket()
    {
        var registry = new MetricsRegistry();
        var h = registry.CreateHistogram("h", "H.", [1]);
        h.Observe(double.NaN);

        Assert.Equal("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 1\nh_sum NaN\nh_count 1\n", registry.Render());
    }
}
