using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace Ledger.Protocol.Epcis.Hashing;

/// <summary>
/// The number canonicalisation of the reference hash generator: a value that Python's <c>float()</c> accepts is
/// written as <c>str(int(x))</c> when integral, else as Python's shortest <c>repr</c> of the double
/// (e.g. "1.0" → "1", "0.50" → "0.5", "+5" → "5", "1e-05" stays "1e-05").
/// </summary>
internal static partial class PythonNumber
{
    // ASCII digits only: .NET's \d takes every Unicode digit, which double.Parse then refuses. A value in other digits is
    // hashed as text (the Python reference would read it as a number; such values are refused on capture anyway).
    [GeneratedRegex(@"^[+-]?(([0-9](_?[0-9])*)(\.([0-9](_?[0-9])*)?)?|\.[0-9](_?[0-9])*)([eE][+-]?[0-9](_?[0-9])*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    /// <summary>Formats <paramref name="text"/> (already trimmed) if it is a finite Python float literal.</summary>
    public static bool TryFormat(string text, out string formatted)
    {
        formatted = text;
        var t = text.Trim();
        if (t.Length == 0 || !FloatPattern().IsMatch(t))
            return false;
        var d = double.Parse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(d))
            return false;
        formatted = Format(d);
        return true;
    }

    /// <summary>Python's <c>str()</c> of <c>int(x)</c> when integral, else of the float.</summary>
    public static string Format(double d)
    {
        if (d == Math.Floor(d))
            return new BigInteger(d).ToString(CultureInfo.InvariantCulture);
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative)
            r = r[1..];
        var exp = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? r : r[..dot];
        var frac = dot < 0 ? "" : r[(dot + 1)..];
        var digits = (intPart + frac).TrimStart('0');
        var leadingZeros = (intPart + frac).Length - (intPart + frac).TrimStart('0').Length;
        // value = 0.d1d2... * 10^(intPart.Length - leadingZeros + exp)  => d1.d2... * 10^decExp
        var decExp = intPart.Length - leadingZeros + exp - 1;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
            digits = "0";
        var sb = new StringBuilder();
        if (negative)
            sb.Append('-');
        if (decExp is >= -4 and < 16)
        {
            if (decExp >= 0)
            {
                var ip = digits.Length > decExp + 1 ? digits[..(decExp + 1)] : digits.PadRight(decExp + 1, '0');
                var fp = digits.Length > decExp + 1 ? digits[(decExp + 1)..] : "0";
                sb.Append(ip).Append('.').Append(fp);
            }
            else
                sb.Append("0.").Append('0', -decExp - 1).Append(digits);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
                sb.Append('.').Append(digits[1..]);
            sb.Append('e').Append(decExp < 0 ? '-' : '+').Append(Math.Abs(decExp).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
