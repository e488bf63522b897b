using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Protocol.Epcis;

/// <summary>xsd:dateTimeStamp parsing and writing for EPCIS (an offset or Z is required; the offset is kept).</summary>
public static partial class EpcisTime
{
    [GeneratedRegex(@"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();

    /// <summary>Parses an EPCIS timestamp; fractional digits beyond 100 ns are truncated.</summary>
    /// <exception cref="EpcisFormatException">Not an ISO 8601 date-time with offset (rule <c>format</c>).</exception>
    public static DateTimeOffset Parse(string text, string field)
    {
        var m = DateTimePattern().Match(text.Trim());
        if (!m.Success)
            throw new EpcisFormatException(field, "format", $"'{text}' is not an ISO 8601 date-time with a time zone (e.g. 2020-01-31T08:00:00.000+01:00)");
        try
        {
            int P(int g) => int.Parse(m.Groups[g].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            var offset = m.Groups[8].Value == "Z" ? TimeSpan.Zero : ParseOffset(m.Groups[8].Value);
            var frac = m.Groups[7].Success ? m.Groups[7].Value : "";
            var ticks = frac.Length == 0 ? 0 : long.Parse(frac.PadRight(7, '0')[..7], NumberStyles.None, CultureInfo.InvariantCulture);
            var hour = P(4);
            var local = new DateTime(P(1), P(2), P(3), hour == 24 ? 0 : hour, P(5), P(6), DateTimeKind.Unspecified).AddTicks(ticks);
            if (hour == 24)
                local = local.AddDays(1);
            return new DateTimeOffset(local, offset);
        }
        catch (ArgumentException ex)
        {
            throw new EpcisFormatException(field, "format", $"'{text}' is not a valid date-time", ex);
        }
    }

    private static TimeSpan ParseOffset(string s)
    {
        var sign = s[0] == '-' ? -1 : 1;
        var h = int.Parse(s.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        var min = int.Parse(s.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        return sign * new TimeSpan(h, min, 0);
    }

    /// <summary>Validates eventTimeZoneOffset (<c>^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$</c>).</summary>
    public static string ValidateOffset(string text, string field)
    {
        var t = text.Trim();
        if (!OffsetPattern().IsMatch(t))
            throw new EpcisFormatException(field, "pattern", $"'{text}' is not a time zone offset like +01:00 or -06:00");
        return t;
    }

    /// <summary>Writes a timestamp with its own offset and only the fractional digits it needs.</summary>
    public static string Format(DateTimeOffset t) =>
        t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>The offset of <paramref name="t"/> as <c>+hh:mm</c>.</summary>
    public static string FormatOffset(DateTimeOffset t) => t.ToString("zzz", CultureInfo.InvariantCulture);
}
