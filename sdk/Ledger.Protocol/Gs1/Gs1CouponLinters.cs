namespace Ledger.Protocol.Gs1;

/// <summary>
/// The North American coupon linters: <c>couponcode</c> (AI 8110) and <c>couponposoffer</c> (AI 8112), after the GS1 US
/// coupon application guideline as exercised by the gs1-syntax-engine linter tests. Fields are digits, lengths are given by
/// one-digit length indicators (VLIs). Codes are the engine's <c>GS1_LINTER_COUPON_*</c> names.
/// </summary>
internal static class Gs1CouponLinters
{
    /// <summary>AI 8110: GCP, offer code, save value, 1st purchase requirement, then optional fields 1,2,3,4,5,6,9 in increasing order.</summary>
    public static Gs1LintError? CouponCode(string v)
    {
        var r = new Reader(v);
        if (Gs1Linters.Numeric(v) is { } e)
            return e;
        return r.Vli("GCP", 0, 6, 6)
            ?? r.Fixed("OFFER_CODE", 6)
            ?? r.Vli("SAVE_VALUE", 1, 5, 0)
            ?? r.Vli("1ST_PURCHASE_REQUIREMENT", 1, 5, 0)
            ?? r.Code("1ST_PURCHASE_REQUIREMENT_CODE", "012349")
            ?? r.Fixed("1ST_PURCHASE_FAMILY_CODE", 3)
            ?? OptionalFields(r);
    }

    /// <summary>AI 8112: format code (0/1), funder ID, offer code, serial number, nothing else.</summary>
    public static Gs1LintError? PositiveOffer(string v)
    {
        var r = new Reader(v);
        if (Gs1Linters.Numeric(v) is { } e)
            return e;
        return r.Code("FORMAT_CODE", "01", missing: "INVALID_FORMAT_CODE")
            ?? r.Vli("FUNDER", 0, 6, 6)
            ?? r.Fixed("OFFER_CODE", 6)
            ?? r.Vli("SERIAL_NUMBER", 0, 9, 6)
            ?? r.End();
    }

    private static Gs1LintError? OptionalFields(Reader r)
    {
        var last = 0;
        string? expiry = null;
        while (!r.AtEnd)
        {
            var indicator = r.Peek - '0';
            if (indicator <= last)
                return r.Error("EXCESS_DATA", "optional field out of order or repeated");
            r.Skip();
            last = indicator;
            Gs1LintError? e;
            switch (indicator)
            {
                case 1:
                    e = r.Code("ADDITIONAL_PURCHASE_RULES_CODE", "0123")
                        ?? r.Vli("2ND_PURCHASE_REQUIREMENT", 1, 5, 0)
                        ?? r.Code("2ND_PURCHASE_REQUIREMENT_CODE", "012349")
                        ?? r.Fixed("2ND_PURCHASE_FAMILY_CODE", 3)
                        ?? r.Vli("2ND_PURCHASE_GCP", 0, 6, 6, noneDigit: '9');
                    break;
                case 2:
                    e = r.Vli("3RD_PURCHASE_REQUIREMENT", 1, 5, 0)
                        ?? r.Code("3RD_PURCHASE_REQUIREMENT_CODE", "012349")
                        ?? r.Fixed("3RD_PURCHASE_FAMILY_CODE", 3)
                        ?? r.Vli("3RD_PURCHASE_GCP", 0, 6, 6, noneDigit: '9');
                    break;
                case 3:
                    e = r.Date("EXPIRATION_DATE", "TOO_SHORT_FOR_EXPIRATION_DATE", "INVALID_EXIPIRATION_DATE", out expiry);
                    break;
                case 4:
                    e = r.Date("START_DATE", "TOO_SHORT_FOR_START_DATE", "INVALID_START_DATE", out var start);
                    if (e is null && expiry is not null && string.CompareOrdinal(expiry, start) < 0)
                        e = r.Error("EXPIRATION_BEFORE_START", "the expiration date is before the start date");
                    break;
                case 5:
                    e = r.Vli("SERIAL_NUMBER", 0, 9, 6);
                    break;
                case 6:
                    e = r.Vli("RETAILER_GCP_OR_GLN", 1, 7, 6);
                    break;
                case 9:
                    e = r.Code("SAVE_VALUE_CODE", "01256")
                        ?? r.Code("SAVE_VALUE_APPLIES_TO_ITEM", "012")
                        ?? r.Code("STORE_COUPON_FLAG", "0123456789")
                        ?? r.Code("DONT_MULTIPLY_FLAG", "01");
                    break;
                default:
                    return r.Error("EXCESS_DATA", $"unknown optional field indicator {indicator}");
            }
            if (e is not null)
                return e;
        }
        return null;
    }

    private sealed class Reader(string value)
    {
        private int _pos;

        public bool AtEnd => _pos >= value.Length;

        public char Peek => value[_pos];

        public void Skip() => _pos++;

        public Gs1LintError Error(string code, string message) =>
            new("COUPON_" + code, "coupon", Math.Min(_pos, value.Length), 0, message.Replace('_', ' ').ToLowerInvariant());

        /// <summary>A one-digit length indicator in [min, max] (or <paramref name="noneDigit"/> = field absent), then VLI+offset digits.</summary>
        public Gs1LintError? Vli(string field, int min, int max, int offset, char? noneDigit = null)
        {
            if (AtEnd)
                return Error($"MISSING_{field}_VLI", $"missing {field} length indicator");
            var c = value[_pos];
            if (c == noneDigit)
            {
                _pos++;
                return null;
            }
            var vli = c - '0';
            if (vli < min || vli > max)
                return Error($"INVALID_{field}_LENGTH", $"invalid {field} length indicator");
            _pos++;
            return Fixed(field, vli + offset);
        }

        public Gs1LintError? Fixed(string field, int length)
        {
            if (value.Length - _pos < length)
                return Error($"TRUNCATED_{field}", $"{field} truncated");
            _pos += length;
            return null;
        }

        public Gs1LintError? Code(string field, string allowed, string? missing = null)
        {
            if (AtEnd)
                return Error(missing ?? $"MISSING_{field}", $"missing {field}");
            if (!allowed.Contains(value[_pos], StringComparison.Ordinal))
                return Error($"INVALID_{field}", $"invalid {field}");
            _pos++;
            return null;
        }

        public Gs1LintError? Date(string field, string tooShort, string invalid, out string date)
        {
            date = "";
            if (value.Length - _pos < 6)
                return Error(tooShort, $"too short for {field}");
            date = value.Substring(_pos, 6);
            if (Gs1Linters.Run("yymmdd", date) is not null)
                return Error(invalid, $"invalid {field}");
            _pos += 6;
            return null;
        }

        public Gs1LintError? End() => AtEnd ? null : Error("EXCESS_DATA", "excess data");
    }
}
