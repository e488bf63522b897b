using System.Globalization;

namespace Ledger.Protocol.Gs1;

/// <summary>A GTIN, always held as 14 digits with a valid check digit (GTIN-8/12/13 are left-padded with zeros).</summary>
public readonly record struct Gtin
{
    private Gtin(string value) => Value = value;

    /// <summary>The 14-digit GTIN.</summary>
    public string Value { get; }

    /// <summary>Parses a GTIN-8, -12, -13 or -14 and normalises it to 14 digits.</summary>
    /// <exception cref="Gs1FormatException">Field <c>gtin</c>; rule <c>length</c>, <c>digits</c> or <c>check-digit</c>.</exception>
    public static Gtin Parse(string value) => new(Gs1Key.Check("gtin", value, 8, 12, 13, 14).PadLeft(14, '0'));

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string? value, out Gtin gtin) => Gs1Key.Try(value, Parse, out gtin);

    /// <summary>The GTIN as its shortest standard form (8, 12, 13 or 14 digits) is not implied; this returns the 14 digits.</summary>
    public override string ToString() => Value ?? "";
}

/// <summary>A Global Location Number: 13 digits with a valid check digit.</summary>
public readonly record struct Gln
{
    private Gln(string value) => Value = value;

    /// <summary>The 13-digit GLN.</summary>
    public string Value { get; }

    /// <summary>Parses a 13-digit GLN.</summary>
    /// <exception cref="Gs1FormatException">Field <c>gln</c>.</exception>
    public static Gln Parse(string value) => new(Gs1Key.Check("gln", value, 13));

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string? value, out Gln gln) => Gs1Key.Try(value, Parse, out gln);

    /// <inheritdoc/>
    public override string ToString() => Value ?? "";
}

/// <summary>A Serial Shipping Container Code: 18 digits with a valid check digit.</summary>
public readonly record struct Sscc
{
    private Sscc(string value) => Value = value;

    /// <summary>The 18-digit SSCC.</summary>
    public string Value { get; }

    /// <summary>Parses an 18-digit SSCC.</summary>
    /// <exception cref="Gs1FormatException">Field <c>sscc</c>.</exception>
    public static Sscc Parse(string value) => new(Gs1Key.Check("sscc", value, 18));

    /// <summary>Like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string? value, out Sscc sscc) => Gs1Key.Try(value, Parse, out sscc);

    /// <inheritdoc/>
    public override string ToString() => Value ?? "";
}

/// <summary>A serialised GTIN (GTIN + AI (21) serial): the key that identifies one pack.</summary>
public readonly record struct Sgtin
{
    /// <summary>Creates an SGTIN; the serial must be 1-20 characters of CSET 82.</summary>
    /// <exception cref="Gs1FormatException">Field <c>serial</c>.</exception>
    public Sgtin(Gtin gtin, string serial)
    {
        Gs1Text.ValidateLotOrSerial(serial, "serial");
        Gtin = gtin;
        Serial = serial;
    }

    /// <summary>The GTIN.</summary>
    public Gtin Gtin { get; }

    /// <summary>The serial number (AI 21).</summary>
    public string Serial { get; }

    /// <summary>The canonical Digital Link URI <c>https://id.gs1.org/01/{gtin}/21/{serial}</c>.</summary>
    public string ToDigitalLink(string? stem = null) => Gs1DigitalLink.Generate([new("01", Gtin.Value), new("21", Serial)], stem);

    /// <summary>The EPC pure identity URI <c>urn:epc:id:sgtin:…</c> for a GS1 Company Prefix of <paramref name="companyPrefixLength"/> digits.</summary>
    public string ToEpcUri(int companyPrefixLength) => Gs1EpcUri.Generate([new("01", Gtin.Value), new("21", Serial)], companyPrefixLength);

    /// <summary>The bracketed form <c>(01)…(21)…</c>.</summary>
    public override string ToString() => $"(01){Gtin.Value}(21){Serial}";
}

/// <summary>Lot (AI 10) and serial (AI 21) text rules.</summary>
public static class Gs1Text
{
    /// <summary>Checks 1-20 characters of GS1 character set 82.</summary>
    /// <exception cref="Gs1FormatException">Field <paramref name="field"/>; rule <c>length</c> or <c>cset82</c>.</exception>
    public static void ValidateLotOrSerial(string value, string field = "serial")
    {
        if (value is null || value.Length is 0 or > 20)
            throw new Gs1FormatException(field, "length", $"must be 1 to 20 characters, got {value?.Length ?? 0}");
        if (Gs1Linters.CharSet(value, Gs1Linters.Cset82, "INVALID_CSET82_CHARACTER", "cset82", "is not in GS1 character set 82") is { } e)
            throw new Gs1FormatException(field, e.Rule, e.Message, "GS1_LINTER_" + e.Code);
    }

    /// <summary>True when <paramref name="value"/> is 1-20 characters of CSET 82.</summary>
    public static bool IsValidLotOrSerial(string? value) => value is { Length: >= 1 and <= 20 } && Gs1Linters.IsCset82(value);
}

/// <summary>A calendar date resolved from a GS1 YYMMDD date.</summary>
/// <param name="Date">The date; when the day was unspecified (DD=00) the last day of the month.</param>
/// <param name="DayUnspecified">True when the encoded day was 00.</param>
public readonly record struct Gs1CalendarDate(DateOnly Date, bool DayUnspecified)
{
    /// <summary>ISO 8601 <c>yyyy-MM-dd</c>.</summary>
    public override string ToString() => Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// A GS1 six-digit date YYMMDD as used by AI (17) expiry and (11) production date. DD=00 means "day not specified".
/// The century is resolved only by <see cref="Resolve"/> against a reference year supplied by the caller
/// (GS1 General Specifications §7.12 sliding window); the library never reads a clock.
/// </summary>
public readonly record struct Gs1Date
{
    private Gs1Date(string text) => Text = text;

    /// <summary>The six digits.</summary>
    public string Text { get; }

    /// <summary>YY (00-99).</summary>
    public int YearOfCentury => int.Parse(Text.AsSpan(0, 2), CultureInfo.InvariantCulture);

    /// <summary>MM (01-12).</summary>
    public int Month => int.Parse(Text.AsSpan(2, 2), CultureInfo.InvariantCulture);

    /// <summary>DD (00-31; 00 = unspecified).</summary>
    public int Day => int.Parse(Text.AsSpan(4, 2), CultureInfo.InvariantCulture);

    /// <summary>True when DD=00.</summary>
    public bool DayUnspecified => Day == 0;

    /// <summary>Parses YYMMDD with DD=00 allowed (linter yymmd0: month 01-12, day valid for the month; Feb 29 when YY is divisible by 4).</summary>
    /// <exception cref="Gs1FormatException">Field <paramref name="field"/>, rule <c>date</c> or <c>digits</c>.</exception>
    public static Gs1Date Parse(string yymmdd, string field = "AI (17)")
    {
        if (Gs1Linters.Run("yymmd0", yymmdd) is { } e)
            throw new Gs1FormatException(field, e.Rule, e.Message, "GS1_LINTER_" + e.Code);
        return new Gs1Date(yymmdd);
    }

    /// <summary>
    /// Resolves the century with the GS1 sliding window relative to <paramref name="referenceYear"/> (normally the current year):
    /// if YY is 51-99 years ahead of the reference year's YY it is in the previous century; if it is 50 or more years behind,
    /// the next century; otherwise the reference year's century.
    /// </summary>
    /// <exception cref="Gs1FormatException">Rule <c>date</c>: 29 February in a resolved year that is not a leap year.</exception>
    public Gs1CalendarDate Resolve(int referenceYear, string field = "AI (17)")
    {
        var century = referenceYear / 100 * 100;
        var diff = YearOfCentury - referenceYear % 100;
        var year = century + YearOfCentury + (diff >= 51 ? -100 : diff <= -50 ? 100 : 0);
        var daysInMonth = DateTime.DaysInMonth(year, Month);
        if (Day > daysInMonth)
            throw new Gs1FormatException(field, "date", string.Create(CultureInfo.InvariantCulture, $"day {Day:D2} does not exist in {year:D4}-{Month:D2}"));
        return new Gs1CalendarDate(new DateOnly(year, Month, DayUnspecified ? daysInMonth : Day), DayUnspecified);
    }

    /// <inheritdoc/>
    public override string ToString() => Text ?? "";
}

internal static class Gs1Key
{
    internal static string Check(string field, string value, params int[] lengths)
    {
        if (value is null || !lengths.Contains(value.Length))
            throw new Gs1FormatException(field, "length", $"must be {string.Join(", ", lengths)} digits, got {value?.Length ?? 0}");
        var e = Gs1Linters.Csum(value);
        if (e is not null)
            throw new Gs1FormatException(field, e.Rule, e.Message, "GS1_LINTER_" + e.Code);
        return value;
    }

    internal static bool Try<T>(string? value, Func<string, T> parse, out T result)
    {
        result = default!;
        if (value is null)
            return false;
        try
        {
            result = parse(value);
            return true;
        }
        catch (Gs1FormatException)
        {
            return false;
        }
    }
}
