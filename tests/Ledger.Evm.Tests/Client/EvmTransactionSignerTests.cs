using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Evm.Tests.Client;

/// <summary>
/// Public vectors for the transactions the sender signs (Nethereum's encoding, the project's libsecp256k1 key):
/// the EIP-155 worked example (legacy with replay protection) and the ethereum/tests GeneralStateTests EIP-1559 cases
/// with an empty access list (the only kind the sender builds), replayed verbatim from tests/vectors/ethereum.
/// </summary>
public sealed class EvmTransactionSignerTests
{
    private static JsonElement Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "ethereum", name))).RootElement;

    private static BigInteger HexInteger(string hex)
    {
        var digits = hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;
        return digits.Length == 0 ? BigInteger.Zero : BigInteger.Parse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void SignLegacy_Eip155Example_IsByteExact()
    {
        var v = Load("eip155_example.json");
        var t = v.GetProperty("tx");
        var signed = EvmTransactionSigner.SignLegacy(
            PrivateKey.Parse(v.GetProperty("private_key").GetString()!),
            t.GetProperty("chainId").GetUInt64(),
            t.GetProperty("nonce").GetUInt64(),
            BigInteger.Parse(t.GetProperty("gasPrice").GetString()!, CultureInfo.InvariantCulture),
            t.GetProperty("gasLimit").GetUInt64(),
            Address.Parse(t.GetProperty("to").GetString()!),
            BigInteger.Parse(t.GetProperty("value").GetString()!, CultureInfo.InvariantCulture),
            Hex.Decode(t.GetProperty("data").GetString()!));
        Assert.Equal(v.GetProperty("expected_signed_tx").GetString(), Hex.Encode0x(signed.Raw));
        Assert.Equal(Keccak256.Hash(signed.Raw), signed.Hash);
    }

    private static IEnumerable<JsonElement> Eip1559Cases() =>
        Load("signing_vectors_state_tests.json").GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("tx").GetProperty("type").GetInt32() == 2
                && (!c.GetProperty("tx").TryGetProperty("accessList", out var al) || al.GetArrayLength() == 0));

    public static TheoryData<int> Eip1559Indexes() => [.. Enumerable.Range(0, Eip1559Cases().Count())];

    [Theory]
    [MemberData(nameof(Eip1559Indexes))]
    public void SignEip1559_StateTestVector_ReproducesRawTransaction(int index)
    {
        var c = Eip1559Cases().ElementAt(index);
        var t = c.GetProperty("tx");
        var to = t.GetProperty("to").GetString();
        var signed = EvmTransactionSigner.SignEip1559(
            PrivateKey.Parse(c.GetProperty("secretKey").GetString()!),
            c.GetProperty("chainId").GetUInt64(),
            (ulong)HexInteger(t.GetProperty("nonce").GetString()!),
            HexInteger(t.GetProperty("maxPriorityFeePerGas").GetString()!),
            HexInteger(t.GetProperty("maxFeePerGas").GetString()!),
            (ulong)HexInteger(t.GetProperty("gasLimit").GetString()!),
            string.IsNullOrEmpty(to) ? null : new Address(Hex.Decode(to)),
            HexInteger(t.GetProperty("value").GetString()!),
            Hex.Decode(t.GetProperty("data").GetString()!));
        Assert.Equal(c.GetProperty("expected_txbytes").GetString(), Hex.Encode0x(signed.Raw));
    }

    [Fact]
    public void Eip1559Vectors_WithoutAccessList_HaveTheDocumentedCount()
    {
        Assert.Equal(11, Eip1559Cases().Count());
    }

    [Fact]
    public void SignEip1559_RandomFields_EqualsNethereumsOwnSigner()
    {
        // Nethereum's managed signer (RFC 6979 too) as a second oracle for the bytes the project's key produces.
        var random = new Random(1559);
        for (var i = 0; i < 20; i++)
        {
            var key = PrivateKey.Generate();
            var to = new byte[20];
            random.NextBytes(to);
            var data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            var (chainId, nonce, tip, fee, gas, value) = ((ulong)random.Next(1, int.MaxValue), (ulong)random.Next(), (BigInteger)random.Next(0, 1000), (BigInteger)random.NextInt64(1000, long.MaxValue), (ulong)random.Next(21_000, 10_000_000), (BigInteger)random.NextInt64());
            var ours = EvmTransactionSigner.SignEip1559(key, chainId, nonce, tip, fee, gas, i % 4 == 0 ? null : new Address(to), value, data);
            var tx = new Nethereum.Model.Transaction1559(chainId, nonce, tip, fee, gas, i % 4 == 0 ? null : Hex.Encode0x(to), value, Hex.Encode0x(data), []);
            var theirs = new Nethereum.Signer.Transaction1559Signer().SignTransaction(key.ToBytes(), tx);
            Assert.Equal(Hex.Encode(ours.Raw), theirs.StartsWith("0x", StringComparison.Ordinal) ? theirs[2..] : theirs);
        }
    }

    [Fact]
    public void SignEip1559_TipAboveMaxFee_ThrowsNamingTheField()
    {
        var e = Assert.Throws<ArgumentException>(() => EvmTransactionSigner.SignEip1559(PrivateKey.Generate(), 1, 0, 10, 9, 21_000, null, 0, [0x00]));
        Assert.Equal("maxPriorityFeePerGas", e.ParamName);
    }
}
