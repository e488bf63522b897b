using Ledger.Protocol.Gs1;

namespace Ledger.Protocol.Records;

/// <summary>Field rules shared by the record payloads (docs/spec/records.md §3.2). Each throws <see cref="RecordFormatException"/>.</summary>
internal static class Fields
{
    public const int MaxItems = 10_000;
    public const int MaxText = 256;

    /// <summary>Runs a GS1 rule (sdk/Ledger.Protocol/Gs1), reporting a break as a record format error with the same field and rule.</summary>
    private static T Gs1Rule<T>(Func<T> check)
    {
        try
        {
            return check();
        }
        catch (Gs1FormatException e)
        {
            throw new RecordFormatException(e.Field, e.Rule, e.Detail);
        }
    }

    /// <summary>Exactly 14 digits (the canonical GTIN-14 the ledger stores) with a valid check digit.</summary>
    public static string Gtin(string? value, string field) => Gs1Rule(() => Gs1Key.Check(field, value!, 14));

    public static string Gln(string? value, string field) => Gs1Rule(() => Gs1Key.Check(field, value!, 13));

    public static string Sscc(string? value, string field) => Gs1Rule(() => Gs1Key.Check(field, value!, 18));

    public static string GlnOrEmpty(string? value, string field) => string.IsNullOrEmpty(value) ? "" : Gln(value, field);

    /// <summary>GS1 AI encodable character set 82, 1–20 characters (lot AI 10, serial AI 21).</summary>
    public static string Cset82(string? value, string field)
    {
        Gs1Rule(() => { Gs1Text.ValidateLotOrSerial(value!, field); return 0; });
        return value!;
    }

    public static string Cset82OrEmpty(string? value, string field) =>
        string.IsNullOrEmpty(value) ? "" : Cset82(value, field);

    /// <summary>AI (17) form YYMMDD; DD = 00 means day unspecified (GS1 linter yymmd0).</summary>
    public static string Expiry(string? value, string field) => Gs1Rule(() => Gs1Date.Parse(value!, field)).Text;

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
