namespace Ledger.Protocol.Gs1;

/// <summary>
/// The GS1 mod-10 check digit shared by GTIN-8/12/13/14, GLN and SSCC
/// (GS1 General Specifications §7.9; gs1-syntax-engine lint_csum.c): from the right, excluding the
/// check digit, weights 3,1,3,1…; check = (10 − sum mod 10) mod 10.
/// </summary>
public static class CheckDigit
{
    /// <summary>Computes the check digit for <paramref name="digitsWithoutCheck"/> (all ASCII digits).</summary>
    /// <exception cref="FormatException">A character is not a digit.</exception>
    public static char Compute(ReadOnlySpan<char> digitsWithoutCheck)
    {
        var sum = 0;
        var weight = 3;
        for (var i = digitsWithoutCheck.Length - 1; i >= 0; i--)
        {
            var c = digitsWithoutCheck[i];
            if (c is < '0' or > '9')
                throw new FormatException($"check digit: character {i + 1} ('{c}') is not a digit");
            sum += (c - '0') * weight;
            weight = 4 - weight;
        }
        return (char)('0' + (10 - sum % 10) % 10);
    }

    /// <summary>True when <paramref name="digits"/> is all digits, at least two long, and its last digit is the correct check digit.</summary>
    public static bool IsValid(ReadOnlySpan<char> digits)
    {
        if (digits.Length < 2)
            return false;
        foreach (var c in digits)
            if (c is < '0' or > '9')
                return false;
        return Compute(digits[..^1]) == digits[^1];
    }
}
