using System.Globalization;
using System.Text;

namespace Ledger.Node.Metrics;

/// <summary>Spelling rules of the Prometheus text exposition format 0.0.4.</summary>
public static class PrometheusText
{
    /// <summary>The Content-Type of a scrape response in this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// A sample value or <c>le</c> bound: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, otherwise the shortest invariant-culture
    /// text that reads back to the same double (<c>1</c>, <c>0.25</c>, <c>1E+21</c>).
    /// </summary>
    public static string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A label value inside double quotes: <c>\</c>, <c>"</c> and line feed escaped as <c>\\</c>, <c>\"</c>, <c>\n</c>.</summary>
    public static string EscapeLabelValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny('\\', '"', '\n') < 0)
            return value;
        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
            sb.Append(c switch { '\\' => @"\\", '"' => "\\\"", '\n' => @"\n", _ => c.ToString() });
        return sb.ToString();
    }

    /// <summary>A <c># HELP</c> docstring: <c>\</c> and line feed escaped as <c>\\</c> and <c>\n</c> (quotes stay as they are).</summary>
    public static string EscapeHelp(string help)
    {
        ArgumentNullException.ThrowIfNull(help);
        return help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);
    }

    /// <summary>True for a valid metric name: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsValidMetricName(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]))
            return false;
        foreach (var c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or ':'))
                return false;
        return true;
    }

    /// <summary>True for a valid label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c> not starting with the reserved <c>__</c>.</summary>
    public static bool IsValidLabelName(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]) || name.StartsWith("__", StringComparison.Ordinal))
            return false;
        foreach (var c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                return false;
        return true;
    }
}
