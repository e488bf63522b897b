using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Ledger.Protocol.Tests.Crypto;

/// <summary>Reads the copied public vectors under vectors/ethereum/.</summary>
internal static class EthereumVectors
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "vectors", "ethereum", name);

    public static JsonElement Load(string name) => JsonDocument.Parse(File.ReadAllText(PathOf(name))).RootElement;

    /// <summary>0x-hex of any length (leading zeros and an odd digit count allowed) as an unsigned integer.</summary>
    public static BigInteger HexInteger(string hex)
    {
        var digits = hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;
        var bytes = Hex.Decode(digits.Length % 2 == 1 ? "0" + digits : digits);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public static BigInteger Decimal(string text) => BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
