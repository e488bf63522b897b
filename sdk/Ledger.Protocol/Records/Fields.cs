using System.Globalization;
using Ledger.Protocol.Gs1;

namespace Ledger.Protocol.Records;

/// <summary>Field rules shared by the record payloads (docs/spec/records.md §3.2). Each throws <see cref="RecordFormatException"/>.</summary>
internal static class Fields
{
    public const int MaxItems = 10_000;
    public const int MaxText = 256;

    public static string Digits(string? value, int length, string field, string what)
    {
        if (value is null || value.Length != length)
            throw new RecordFormatException(field, "length", $"{what} must be {length} digits, got {value?.Length ?? 0} characters");
        foreach (var c in value)
            if (c is < '0' or > '9')
                throw new RecordFormatException(field, "digits", $"{what} must be digits only, found '{c}'");
        if (!CheckDigit.IsValid(value))
            throw new RecordFormatException(field, "check-digit",
                $"{what} check digit is {value[^1]}, expected {CheckDigit.Compute(value.AsSpan(0, length - 1))}");
        return value;
    }

    public static string Gtin(string? value, string field) => Digits(value, 14, field, "GTIN-14");

    public static string Gln(string? value, string field) => Digits(value, 13, field, "GLN");

    public static string Sscc(string? value, string field) => Digits(value, 18, field, "SSCC");

    public static string GlnOrEmpty(string? value, string field) => string.IsNullOrEmpty(value) ? "" : Gln(value, field);

    /// <summary>GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1), 1–20 characters.</summary>
    public static string Cset82(string? value, string field, string what)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 20)
            throw new RecordFormatException(field, "length", $"{what} must be 1 to 20 characters, got {value?.Length ?? 0}");
        for (var i = 0; i < value.Length; i++)
            if (!IsCset82(value[i]))
                throw new RecordFormatException(field, "cset82", $"{what} character {i + 1} ('{value[i]}') is not in GS1 character set 82");
        return value;
    }

    public static string Cset82OrEmpty(string? value, string field, string what) =>
        string.IsNullOrEmpty(value) ? "" : Cset82(value, field, what);

    public static bool IsCset82(char c) =>
        c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9'
        || "!\"%&'()*+,-./:;<=>?_".Contains(c, StringComparison.Ordinal);

    /// <summary>AI (17) form YYMMDD; DD = 00 means day unspecified. Month 01–12; day valid for that month (Feb 29 in leap years, 20YY assumed for the leap rule).</summary>
    public static string Expiry(string? value, string field)
    {
        if (value is null || value.Length != 6 || !value.All(char.IsAsciiDigit))
            throw new RecordFormatException(field, "date", $"expiry must be 6 digits YYMMDD, got '{value}'");
        var yy = int.Parse(value.AsSpan(0, 2), CultureInfo.InvariantCulture);
        var mm = int.Parse(value.AsSpan(2, 2), CultureInfo.InvariantCulture);
        var dd = int.Parse(value.AsSpan(4, 2), CultureInfo.InvariantCulture);
        if (mm is < 1 or > 12)
            throw new RecordFormatException(field, "date", $"expiry month {mm:00} is not 01-12");
        if (dd != 0 && dd > DateTime.DaysInMonth(2000 + yy, mm))
            throw new RecordFormatException(field, "date", $"expiry day {dd:00} does not exist in month {mm:00}");
        return value;
    }

    public static string ExpiryOrEmpty(string? value, string field) => string.IsNullOrEmpty(value) ? "" : Expiry(value, field);

    public static string Text(string? value, string field, bool allowEmpty = true, int max = MaxText)
    {
        value ??= "";
        if (!allowEmpty && value.Length == 0)
            throw new RecordFormatException(field, "length", "must not be empty");
        if (System.Text.Encoding.UTF8.GetByteCount(value) > max)
            throw new RecordFormatException(field, "length", $"must be at most {max} bytes of UTF-8");
        foreach (var c in value)
            if (char.IsControl(c))
                throw new RecordFormatException(field, "text", "must not contain control characters");
        return value;
    }

    /// <summary>Canonical decimal text: optional '-', digits without leading zeros (except a lone 0), optional '.' and digits without trailing zeros.</summary>
    public static string Decimal(string? value, string field)
    {
        static bool Valid(string v)
        {
            var s = v.StartsWith('-') ? v[1..] : v;
            var dot = s.IndexOf('.', StringComparison.Ordinal);
            var intPart = dot < 0 ? s : s[..dot];
            var frac = dot < 0 ? null : s[(dot + 1)..];
            if (intPart.Length == 0 || !intPart.All(char.IsAsciiDigit) || (intPart.Length > 1 && intPart[0] == '0'))
                return false;
            if (frac is not null && (frac.Length == 0 || !frac.All(char.IsAsciiDigit) || frac[^1] == '0'))
                return false;
            return !(v.StartsWith('-') && intPart == "0" && frac is null);
        }
        if (string.IsNullOrEmpty(value) || value.Length > 40 || !Valid(value))
            throw new RecordFormatException(field, "decimal", $"'{value}' is not a canonical decimal (e.g. 2.5, -18, 0.25; no trailing zeros)");
        return value;
    }

    /// <summary>Returns the items sorted by their canonical encoding; rejects duplicates and counts outside [min, max].</summary>
    public static IReadOnlyList<T> SortedSet<T>(IEnumerable<T> items, Func<T, byte[]> encode, string field, int min = 1, int max = MaxItems)
    {
        var withBytes = items.Select(i => (Item: i, Bytes: encode(i))).ToList();
        if (withBytes.Count < min || withBytes.Count > max)
            throw new RecordFormatException(field, "count", $"must hold {min} to {max} entries, got {withBytes.Count}");
        withBytes.Sort((a, b) => a.Bytes.AsSpan().SequenceCompareTo(b.Bytes));
        for (var i = 1; i < withBytes.Count; i++)
            if (withBytes[i - 1].Bytes.AsSpan().SequenceEqual(withBytes[i].Bytes))
                throw new RecordFormatException($"{field}[{i}]", "duplicate", "appears twice");
        return [.. withBytes.Select(x => x.Item)];
    }

    /// <summary>On decode: the set must already be strictly ascending by encoding (canonical), within [min, max].</summary>
    public static void RequireSortedSet(IReadOnlyList<Rlp.RlpItem> items, string field, int min = 1, int max = MaxItems)
    {
        if (items.Count < min || items.Count > max)
            throw new RecordFormatException(field, "count", $"must hold {min} to {max} entries, got {items.Count}");
        byte[]? previous = null;
        for (var i = 0; i < items.Count; i++)
        {
            var bytes = Rlp.Rlp.Encode(items[i]);
            if (previous is not null && previous.AsSpan().SequenceCompareTo(bytes) >= 0)
                throw new RecordFormatException($"{field}[{i}]", "sorted-set", "set entries must be strictly ascending by encoding, without duplicates");
            previous = bytes;
        }
    }
}
