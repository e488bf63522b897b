using System.Globalization;

namespace Ledger.Protocol.Gs1;

/// <summary>
/// One linter failure: <see cref="Code"/> is the GS1 Syntax Engine result name without the <c>GS1_LINTER_</c>
/// prefix, <see cref="Rule"/> our short stable rule id, and the offending part is
/// <c>value.Substring(Position, Length)</c>.
/// </summary>
public sealed record Gs1LintError(string Code, string Rule, int Position, int Length, string Message);

/// <summary>
/// The GS1 Barcode Syntax Tests ("linters") named in the syntax dictionary, re-implemented from the
/// GS1 General Specifications and the gs1-syntax-engine unit tests. Each returns null when the component is valid.
/// Linters not implemented (mediatype, packagetype)
/// accept any value; see docs/spec/gs1-identifiers.md.
/// </summary>
public static class Gs1Linters
{
    /// <summary>The GS1 AI encodable character set 82, in value order (used by the check character pair).</summary>
    public const string Cset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    private const string Cset39Chars = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Cset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static readonly int[] Primes =
    [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
        101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199,
        211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307, 311, 313, 317, 331,
        337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421, 431, 433, 439, 443, 449, 457,
        461, 463, 467, 479, 487, 491, 499, 503, 509,
    ];

    /// <summary>The linter names this class implements.</summary>
    public static IReadOnlySet<string> Implemented { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "csum", "csumalpha", "cset82", "cset39", "cset64", "csetnumeric", "yymmd0", "yymmdd", "yyyymmdd", "hhmi", "hh", "mi", "ss",
        "nonzero", "zero", "winding", "importeridx", "pcenc", "iso3166", "iso3166999", "iso3166alpha2", "iso4217", "yesno",
        "hyphen", "nozeroprefix", "pieceoftotal", "latitude", "longitude", "iso5218", "posinseqslash", "hasnondigit", "gcppos1", "gcppos2", "iban", "couponcode", "couponposoffer",
    };

    /// <summary>True when every character is in CSET 82.</summary>
    public static bool IsCset82(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
            if (!Cset82.Contains(c))
                return false;
        return true;
    }

    /// <summary>Runs the linter called <paramref name="name"/> on <paramref name="value"/>; null when valid or not implemented.</summary>
    public static Gs1LintError? Run(string name, string value) => name switch
    {
        "csum" => Csum(value),
        "csumalpha" => CsumAlpha(value),
        "cset82" => CharSet(value, Cset82, "INVALID_CSET82_CHARACTER", "cset82", "is not in GS1 character set 82"),
        "cset39" => CharSet(value, Cset39Chars, "INVALID_CSET39_CHARACTER", "cset39", "is not in GS1 character set 39"),
        "cset64" => Cset64(value),
        "csetnumeric" => Numeric(value),
        "yymmd0" => Date(value, 2, allowDayZero: true),
        "yymmdd" => Date(value, 2, allowDayZero: false),
        "yyyymmdd" => Date(value, 4, allowDayZero: false),
        "hhmi" => Exact(value, 4) ?? Numeric(value) ?? Range(value, 0, 2, 23, "ILLEGAL_HOUR", "time", "hour") ?? Range(value, 2, 2, 59, "ILLEGAL_MINUTE", "time", "minute"),
        "hh" => Exact(value, 2) ?? Numeric(value) ?? Range(value, 0, 2, 23, "ILLEGAL_HOUR", "time", "hour"),
        "mi" => Exact(value, 2) ?? Numeric(value) ?? Range(value, 0, 2, 59, "ILLEGAL_MINUTE", "time", "minute"),
        "ss" => Exact(value, 2) ?? Numeric(value) ?? Range(value, 0, 2, 59, "ILLEGAL_SECOND", "time", "second"),
        "nonzero" => Numeric(value) ?? (value.All(c => c == '0') ? new("ILLEGAL_ZERO_VALUE", "nonzero", 0, value.Length, "must not be zero") : null),
        "zero" => value != "0" ? new("NOT_ZERO", "zero", 0, value.Length, "must be 0") : null,
        "winding" => value is "0" or "1" or "9" ? null : new("INVALID_WINDING_DIRECTION", "winding", 0, value.Length, "winding direction must be 0, 1 or 9"),
        "yesno" => value is "0" or "1" ? null : new("NOT_ZERO_OR_ONE", "yesno", 0, value.Length, "must be 0 or 1"),
        "hyphen" => value == "-" ? null : new("NOT_HYPHEN", "hyphen", 0, value.Length, "must be '-'"),
        "iso5218" => value is "0" or "1" or "2" or "9" ? null : new("INVALID_BIOLOGICAL_SEX_CODE", "iso5218", 0, value.Length, "must be an ISO/IEC 5218 code (0, 1, 2, 9)"),
        "importeridx" => value.Length == 1 && (char.IsAsciiLetterOrDigit(value[0]) || value[0] is '-' or '_') ? null
            : new("INVALID_IMPORT_IDX_CHARACTER", "importer-index", 0, value.Length, "importer index must be one of 0-9 A-Z a-z - _"),
        "pcenc" => PercentEncoding(value),
        "iso3166" => Gs1CodeLists.Iso3166Numeric.Contains(value) ? null
            : new("NOT_ISO3166", "iso3166", 0, value.Length, $"'{value}' is not an ISO 3166 numeric country code"),
        "iso3166999" => value == "999" || Gs1CodeLists.Iso3166Numeric.Contains(value) ? null
            : new("NOT_ISO3166_OR_999", "iso3166", 0, value.Length, $"'{value}' is not an ISO 3166 numeric country code or 999"),
        "iso3166alpha2" => Gs1CodeLists.Iso3166Alpha2.Contains(value) ? null
            : new("NOT_ISO3166_ALPHA2", "iso3166", 0, value.Length, $"'{value}' is not an ISO 3166 alpha-2 country code"),
        "iso4217" => Gs1CodeLists.Iso4217Numeric.Contains(value) ? null
            : new("NOT_ISO4217", "iso4217", 0, value.Length, $"'{value}' is not an ISO 4217 numeric currency code"),
        "nozeroprefix" => value.Length > 1 && value[0] == '0' ? new("ILLEGAL_ZERO_PREFIX", "zero-prefix", 0, 1, "must not start with 0") : null,
        "hasnondigit" => value.All(char.IsAsciiDigit) ? new("REQUIRES_NON_DIGIT_CHARACTER", "non-digit", 0, value.Length, "must contain a non-digit") : null,
        "pieceoftotal" => PieceOfTotal(value),
        "latitude" => Numeric(value) ?? (value.Length == 10 && long.Parse(value, CultureInfo.InvariantCulture) > 1800000000L
            ? new("INVALID_LATITUDE", "latitude", 0, value.Length, "latitude out of range") : null),
        "longitude" => Numeric(value) ?? (value.Length == 10 && long.Parse(value, CultureInfo.InvariantCulture) > 3600000000L
            ? new("INVALID_LONGITUDE", "longitude", 0, value.Length, "longitude out of range") : null),
        "posinseqslash" => PositionInSequence(value),
        "iban" => Iban(value),
        "couponcode" => Gs1CouponLinters.CouponCode(value),
        "couponposoffer" => Gs1CouponLinters.PositiveOffer(value),
        "gcppos1" => CompanyPrefix(value, 0),
        "gcppos2" => CompanyPrefix(value, 1),
        _ => null,
    };

    /// <summary>GS1 mod-10 check digit (<c>csum</c>).</summary>
    public static Gs1LintError? Csum(string value)
    {
        if (value.Length == 0)
            return new("TOO_SHORT_FOR_CHECK_DIGIT", "check-digit", 0, 0, "too short for a check digit");
        if (Numeric(value) is { } e)
            return e;
        var expected = CheckDigit.Compute(value.AsSpan(0, value.Length - 1));
        return expected == value[^1] ? null
            : new("INCORRECT_CHECK_DIGIT", "check-digit", value.Length - 1, 1, $"check digit is {value[^1]}, expected {expected}");
    }

    /// <summary>Check character pair over CSET 82 (<c>csumalpha</c>, AI 8013).</summary>
    public static Gs1LintError? CsumAlpha(string value)
    {
        if (value.Length < 2)
            return new("TOO_SHORT_FOR_CHECK_PAIR", "check-pair", 0, value.Length, "too short for a check character pair");
        if (value.Length - 2 > Primes.Length)
            return new("TOO_LONG_FOR_CHECK_PAIR_IMPLEMENTATION", "check-pair", 0, value.Length, "too long for the check character pair");
        var data = value[..^2];
        if (CharSet(data, Cset82, "INVALID_CSET82_CHARACTER", "cset82", "is not in GS1 character set 82") is { } e)
            return e;
        var sum = 0;
        for (var i = 0; i < data.Length; i++)
            sum += Cset82.IndexOf(data[data.Length - 1 - i], StringComparison.Ordinal) * Primes[i];
        sum %= 1021;
        var pair = string.Concat(Cset32[sum >> 5], Cset32[sum & 31]);
        return pair == value[^2..] ? null
            : new("INCORRECT_CHECK_PAIR", "check-pair", value.Length - 2, 2, $"check character pair is {value[^2..]}, expected {pair}");
    }

    /// <summary>Dates: YYMMDD (yymmd0 allows DD=00) or YYYYMMDD.</summary>
    private static Gs1LintError? Date(string value, int yearDigits, bool allowDayZero)
    {
        var len = yearDigits + 4;
        if (value.Length < len)
            return new("DATE_TOO_SHORT", "date", 0, value.Length, "date too short");
        if (value.Length > len)
            return new("DATE_TOO_LONG", "date", 0, value.Length, "date too long");
        if (Numeric(value) is { } e)
            return e;
        var year = int.Parse(value.AsSpan(0, yearDigits), CultureInfo.InvariantCulture);
        var month = int.Parse(value.AsSpan(yearDigits, 2), CultureInfo.InvariantCulture);
        var day = int.Parse(value.AsSpan(yearDigits + 2, 2), CultureInfo.InvariantCulture);
        if (month is < 1 or > 12)
            return new("ILLEGAL_MONTH", "date", yearDigits, 2, $"month {value.Substring(yearDigits, 2)} is not 01-12");
        // A two-digit year is leap when divisible by 4 (the engine's rule; 00 = 2000).
        var leap = yearDigits == 2 ? year % 4 == 0 : DateTime.IsLeapYear(year);
        var days = month == 2 ? (leap ? 29 : 28) : DateTime.DaysInMonth(2001, month);
        if ((day == 0 && !allowDayZero) || day > days)
            return new("ILLEGAL_DAY", "date", yearDigits + 2, 2, $"day {value.Substring(yearDigits + 2, 2)} is not valid for month {value.Substring(yearDigits, 2)}");
        return null;
    }

    internal static Gs1LintError? CharSet(string value, string set, string code, string rule, string what)
    {
        for (var i = 0; i < value.Length; i++)
            if (!set.Contains(value[i], StringComparison.Ordinal))
                return new(code, rule, i, 1, $"character {i + 1} ({Describe(value[i])}) {what}");
        return null;
    }

    internal static Gs1LintError? Numeric(string value)
    {
        for (var i = 0; i < value.Length; i++)
            if (!char.IsAsciiDigit(value[i]))
                return new("NON_DIGIT_CHARACTER", "digits", i, 1, $"character {i + 1} ({Describe(value[i])}) is not a digit");
        return null;
    }

    internal static Gs1LintError? Cset64(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                continue;
            if (c == '=' && value.AsSpan(i).TrimStart('=').IsEmpty)
                return new("INVALID_CSET64_PADDING", "cset64", i, value.Length - i, "base64url padding is not allowed");
            return new("INVALID_CSET64_CHARACTER", "cset64", i, 1, $"character {i + 1} ({Describe(c)}) is not base64url");
        }
        return null;
    }

    internal static string Describe(char c) =>
        c is >= '!' and <= '~' ? $"'{c}'" : string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}");

    private static Gs1LintError? Exact(string value, int length) =>
        value.Length == length ? null : new("INVALID_LENGTH", "length", 0, value.Length, $"must be {length} characters");

    private static Gs1LintError? Range(string value, int start, int length, int max, string code, string rule, string what)
    {
        var n = int.Parse(value.AsSpan(start, length), CultureInfo.InvariantCulture);
        return n <= max ? null : new(code, rule, start, length, $"{what} {value.Substring(start, length)} is out of range");
    }

    private static Gs1LintError? PercentEncoding(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '%')
                continue;
            if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                return new("INVALID_PERCENT_SEQUENCE", "percent-encoding", i, Math.Min(3, value.Length - i), "'%' must be followed by two hex digits");
            i += 2;
        }
        return null;
    }

    private static Gs1LintError? PieceOfTotal(string value)
    {
        if (value.Length % 2 != 0 || Numeric(value) is not null)
            return new("INVALID_LENGTH", "piece-of-total", 0, value.Length, "piece/total malformed");
        var half = value.Length / 2;
        var piece = int.Parse(value.AsSpan(0, half), CultureInfo.InvariantCulture);
        var total = int.Parse(value.AsSpan(half), CultureInfo.InvariantCulture);
        if (piece == 0)
            return new("ZERO_PIECE_NUMBER", "piece-of-total", 0, half, "piece number must not be zero");
        if (total == 0)
            return new("ZERO_TOTAL_PIECES", "piece-of-total", half, half, "total pieces must not be zero");
        return piece > total ? new("PIECE_NUMBER_EXCEEDS_TOTAL", "piece-of-total", 0, value.Length, "piece number exceeds the total") : null;
    }

    /// <summary>
    /// gcppos1/gcppos2: a GS1 Company Prefix starts at position 1 (or 2, after an indicator digit) and is at least 4 digits.
    /// Whether the prefix is actually allocated is not checked (that needs GS1's prefix tables).
    /// </summary>
    private static Gs1LintError? CompanyPrefix(string value, int start)
    {
        const int MinLength = 4;
        if (value.Length < start + MinLength)
            return new("TOO_SHORT_FOR_GCP", "gcp", 0, value.Length, "too short to hold a GS1 Company Prefix");
        for (var i = start; i < start + MinLength; i++)
            if (!char.IsAsciiDigit(value[i]))
                return new("INVALID_GCP_PREFIX", "gcp", start, MinLength, "the GS1 Company Prefix must start with 4 digits");
        return null;
    }

    /// <summary>
    /// iban (AI 8007): at least 15 characters (the shortest national IBAN), upper-case letters and digits, an ISO 3166 alpha-2
    /// country code, two check digits, and ISO 13616 mod-97 = 1. National lengths and BBAN formats are not checked.
    /// </summary>
    private static Gs1LintError? Iban(string value)
    {
        if (value.Length < 15)
            return new("IBAN_TOO_SHORT", "iban", 0, value.Length, "an IBAN has at least 15 characters");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = i < 2 ? char.IsAsciiLetterUpper(c) : i < 4 ? char.IsAsciiDigit(c) : char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c);
            if (!ok)
                return new("INVALID_IBAN_CHARACTER", "iban", i, 1, $"character {i + 1} ({Describe(c)}) is not valid in an IBAN");
        }
        if (!Gs1CodeLists.Iso3166Alpha2.Contains(value[..2]))
            return new("ILLEGAL_IBAN_COUNTRY_CODE", "iban", 0, 2, $"'{value[..2]}' is not an ISO 3166 country code");
        var remainder = 0;
        foreach (var c in value[4..] + value[..4])
        {
            var n = char.IsAsciiDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = (remainder * (n < 10 ? 10 : 100) + n) % 97;
        }
        return remainder == 1 ? null : new("INCORRECT_IBAN_CHECKSUM", "iban", 2, 2, "IBAN check digits do not match (mod 97)");
    }

    private static Gs1LintError? PositionInSequence(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1 || value.IndexOf('/', slash + 1) >= 0
            || !value.AsSpan(0, slash).ContainsOnlyDigits() || !value.AsSpan(slash + 1).ContainsOnlyDigits())
            return new("POSITION_IN_SEQUENCE_MALFORMED", "position-in-sequence", 0, value.Length, "must be <position>/<end>");
        if (value[0] == '0')
            return new("ILLEGAL_ZERO_PREFIX", "zero-prefix", 0, 1, "position must not start with 0");
        if (value[slash + 1] == '0')
            return new("ILLEGAL_ZERO_PREFIX", "zero-prefix", slash + 1, 1, "end must not start with 0");
        return int.Parse(value.AsSpan(0, slash), CultureInfo.InvariantCulture) > int.Parse(value.AsSpan(slash + 1), CultureInfo.InvariantCulture)
            ? new("POSITION_EXCEEDS_END", "position-in-sequence", 0, value.Length, "position exceeds the end") : null;
    }

    private static bool ContainsOnlyDigits(this ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!char.IsAsciiDigit(c))
                return false;
        return true;
    }
}
