using System.Globalization;
using System.Text.RegularExpressions;
using Ledger.Protocol.Epcis;

namespace Ledger.Engine.Epcis;

/// <summary>The sensor filters of the EPCIS 2.0 query (docs/spec/epcis-query.md §2, "Sensor data").</summary>
public sealed partial class EpcisQuery
{
    private static readonly string[] MeasureFields = ["value", "minValue", "maxValue", "meanValue", "sDev", "percValue"];

    [GeneratedRegex("^(EQ|GE|GT|LE|LT)_(value|minValue|maxValue|meanValue|sDev|percValue)_(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex MeasureParameter();

    [GeneratedRegex("^[A-Z0-9]{2,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex UomPattern();

    /// <summary>The condition of a sensor parameter, or null when <paramref name="name"/> is not one.</summary>
    private static Condition? SensorCondition(string name, List<string> raw)
    {
        switch (name)
        {
            case "EXISTS_sensorElementList":
                if (raw.Any(v => v.Trim().Length != 0 && v.Trim() != "true"))
                    throw new EpcisQueryException(name, "no-value", "EXISTS_ parameters take no value (write EXISTS_sensorElementList= or =true)");
                return new Condition(name, e => !e.SensorElementList.IsEmpty);
            case "GE_time":
            case "LT_time":
            {
                var t = ParseTime(Single(name, raw), name);
                var ge = name.StartsWith("GE_", StringComparison.Ordinal);
                return Make(name, [Utc(t)], e => e.SensorElementList.Any(s =>
                    Times(s).Any(x => ge ? x >= t : x < t)));
            }
            case "GE_startTime":
            case "LT_startTime":
            case "GE_endTime":
            case "LT_endTime":
            {
                var t = ParseTime(Single(name, raw), name);
                var ge = name.StartsWith("GE_", StringComparison.Ordinal);
                var start = name.EndsWith("startTime", StringComparison.Ordinal);
                return Make(name, [Utc(t)], e => e.SensorElementList.Any(s =>
                    (start ? s.Metadata?.StartTime : s.Metadata?.EndTime) is { } x && (ge ? x >= t : x < t)));
            }
            case "EQ_type":
            {
                var values = Values(name, raw).Select(Cbv.NormalizeGs1Voc).ToHashSet(StringComparer.Ordinal);
                return Make(name, values, e => Reports(e).Any(r => r.Type is { } x && values.Contains(Cbv.NormalizeGs1Voc(x))));
            }
            case "EQ_deviceID":
                return SensorText(name, raw, s => s.Metadata?.DeviceId, r => r.DeviceId);
            case "EQ_dataProcessingMethod":
                return SensorText(name, raw, s => s.Metadata?.DataProcessingMethod, r => r.DataProcessingMethod);
            case "EQ_bizRules":
                return SensorText(name, raw, s => s.Metadata?.BizRules, r => r.BizRules);
            case "EQ_microorganism":
                return SensorText(name, raw, null, r => r.Microorganism);
            case "EQ_chemicalSubstance":
                return SensorText(name, raw, null, r => r.ChemicalSubstance);
            case "EQ_stringValue":
                return SensorText(name, raw, null, r => r.StringValue);
            case "EQ_uriValue":
                return SensorText(name, raw, null, r => r.UriValue);
            case "EQ_hexBinaryValue":
            {
                var values = Values(name, raw).Select(v => v.All(char.IsAsciiHexDigit)
                    ? v.ToUpperInvariant()
                    : throw new EpcisQueryException(name, "hex", $"'{v}' is not hexBinary (digits 0-9, A-F)")).ToHashSet(StringComparer.Ordinal);
                return Make(name, values, e => Reports(e).Any(r => r.HexBinaryValue is { } x && values.Contains(x.Trim().ToUpperInvariant())));
            }
            case "EQ_booleanValue":
            {
                var v = Single(name, raw).Trim() switch
                {
                    "true" => true,
                    "false" => false,
                    var other => throw new EpcisQueryException(name, "boolean", $"'{other}' is not true or false"),
                };
                return Make(name, [v ? "true" : "false"], e => Reports(e).Any(r => r.BooleanValue == v));
            }
            case "GE_percRank":
            case "GT_percRank":
            case "LE_percRank":
            case "LT_percRank":
            {
                var op = name[..2];
                var bound = ParseNumber(Single(name, raw), name);
                return Make(name, [bound.ToString("R", CultureInfo.InvariantCulture)], e => Reports(e).Any(r => r.PercRank is { } x && Compare(op, x, bound)));
            }
        }
        var m = MeasureParameter().Match(name);
        if (!m.Success)
            return null;
        var (op2, field, uom) = (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
        if (!UomPattern().IsMatch(uom))
            throw new EpcisQueryException(name, "uom", $"'{uom}' is not a UN/CEFACT unit code (2 to 4 capitals or digits, e.g. {op2}_{field}_CEL)");
        if (op2 == "EQ" && field != "value")
            throw new EpcisQueryException(name, "unknown", $"the standard has no EQ_{field}_{{uom}}; use GE_, GT_, LE_ or LT_{field}_{uom}");
        var limit = ParseNumber(Single(name, raw), name);
        var index = Array.IndexOf(MeasureFields, field);
        return Make(name, [limit.ToString("R", CultureInfo.InvariantCulture)], e => Reports(e).Any(r =>
            r.Uom == uom && Measure(r, index) is { } x && Compare(op2, x, limit)));
    }

    private static double? Measure(SensorReport r, int index) => index switch
    {
        0 => r.Value,
        1 => r.MinValue,
        2 => r.MaxValue,
        3 => r.MeanValue,
        4 => r.SDev,
        _ => r.PercValue,
    };

    private static bool Compare(string op, double x, double bound) => op switch
    {
        "EQ" => x == bound,
        "GE" => x >= bound,
        "GT" => x > bound,
        "LE" => x <= bound,
        _ => x < bound,
    };

    private static double ParseNumber(string value, string name)
    {
        var v = value.Trim();
        // ASCII only: .NET would refuse other digits anyway, and the rule names it.
        if (v.Length == 0 || v.Any(c => c > 127)
            || !double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
            throw new EpcisQueryException(name, "number", $"'{value}' is not a decimal number (ASCII digits, e.g. 8 or -2.5)");
        return d;
    }

    private static IEnumerable<DateTimeOffset> Times(SensorElement s)
    {
        if (s.Metadata?.Time is { } t)
            yield return t;
        foreach (var r in s.Reports)
        {
            if (r.Time is { } rt)
                yield return rt;
        }
    }

    private static IEnumerable<SensorReport> Reports(EpcisEvent e) => e.SensorElementList.SelectMany(s => s.Reports);

    private static Condition SensorText(string name, List<string> raw, Func<SensorElement, string?>? metadata, Func<SensorReport, string?> report)
    {
        var values = Values(name, raw).ToHashSet(StringComparer.Ordinal);
        return Make(name, values, e => e.SensorElementList.Any(s =>
            (metadata?.Invoke(s) is { } mv && values.Contains(mv.Trim())) || s.Reports.Any(r => report(r) is { } rv && values.Contains(rv.Trim()))));
    }
}
