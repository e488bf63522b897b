namespace Ledger.Protocol;

/// <summary>Hex encoding as used across the protocol: lowercase on output, optional 0x prefix on input.</summary>
public static class Hex
{
    /// <summary>Lowercase hex without prefix.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Lowercase hex with a 0x prefix (the Ethereum convention).</summary>
    public static string Encode0x(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>Decodes hex digits (either case), with or without a 0x prefix.</summary>
    /// <exception cref="FormatException">Odd length or a character that is not a hex digit.</exception>
    public static byte[] Decode(string hex)
    {
        if (!TryDecode(hex, out var bytes))
            throw new FormatException("hex: expected an even number of hex digits (0-9, a-f), optionally prefixed by 0x");
        return bytes;
    }

    /// <summary>Tries to decode hex digits, with or without a 0x prefix.</summary>
    public static bool TryDecode(string hex, out byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var s = hex.AsSpan();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            s = s[2..];
        bytes = [];
        if (s.Length % 2 != 0)
            return false;
        var result = new byte[s.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var hi = Nibble(s[2 * i]);
            var lo = Nibble(s[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return false;
            result[i] = (byte)(hi << 4 | lo);
        }
        bytes = result;
        return true;
    }

    private static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
