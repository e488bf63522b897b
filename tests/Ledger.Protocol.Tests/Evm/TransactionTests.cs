using System.Numerics;
using System.Text.Json;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Evm;
using Ledger.Protocol.Rlp;
using Ledger.Protocol.Tests.Crypto;
using Xunit;
using RlpCodec = Ledger.Protocol.Rlp.Rlp;

namespace Ledger.Protocol.Tests.Evm;

public class TransactionTests
{
    private static Address? ToAddress(string hex) => hex.Length is 0 or 2 && hex.Replace("0x", "", StringComparison.Ordinal).Length == 0
        ? null
        : new Address(Hex.Decode(hex));

    // ---- EIP-155 worked example ----

    [Fact]
    public void Sign_Eip155Example_IsByteExact()
    {
        var v = EthereumVectors.Load("eip155_example.json");
        var t = v.GetProperty("tx");
        var tx = new EvmTransaction
        {
            Type = TransactionType.Legacy,
            ChainId = t.GetProperty("chainId").GetUInt64(),
            Nonce = t.GetProperty("nonce").GetUInt64(),
            GasPrice = EthereumVectors.Decimal(t.GetProperty("gasPrice").GetString()!),
            GasLimit = t.GetProperty("gasLimit").GetUInt64(),
            To = Address.Parse(t.GetProperty("to").GetString()!),
            Value = EthereumVectors.Decimal(t.GetProperty("value").GetString()!),
            Data = Hex.Decode(t.GetProperty("data").GetString()!),
        };
        Assert.Equal(v.GetProperty("expected_signing_data_rlp").GetString(), Hex.Encode0x(tx.EncodeForSigning()));
        Assert.Equal(v.GetProperty("expected_signing_hash").GetString(), "0x" + tx.SigningHash());
        var signed = tx.Sign(PrivateKey.Parse(v.GetProperty("private_key").GetString()!));
        Assert.Equal(v.GetProperty("expected_v").GetInt32(), (int)signed.V);
        Assert.Equal(EthereumVectors.Decimal(v.GetProperty("expected_r_decimal").GetString()!), signed.Signature.R);
        Assert.Equal(EthereumVectors.Decimal(v.GetProperty("expected_s_decimal").GetString()!), signed.Signature.S);
        Assert.Equal(EthereumVectors.HexInteger(v.GetProperty("expected_r_hex").GetString()!), signed.Signature.R);
        Assert.Equal(EthereumVectors.HexInteger(v.GetProperty("expected_s_hex").GetString()!), signed.Signature.S);
        Assert.Equal(v.GetProperty("expected_signed_tx").GetString(), signed.ToString());

        var decoded = SignedEvmTransaction.Decode(signed.ToBytes(), chainId: 1);
        Assert.Equal(signed.Sender, decoded.Sender);
        Assert.Equal((ulong?)1, decoded.Transaction.ChainId);
        Assert.Equal(Keccak256.Hash(signed.ToBytes()), decoded.Hash);
    }

    // ---- ethereum/tests BasicTests/txtest.json ----

    public static TheoryData<int> TxTestCases() => [.. Enumerable.Range(0, EthereumVectors.Load("BasicTests__txtest.json").GetArrayLength())];

    [Theory]
    [MemberData(nameof(TxTestCases))]
    public void Sign_TxTest_MatchesUnsignedAndSignedRlp(int index)
    {
        var c = EthereumVectors.Load("BasicTests__txtest.json")[index];
        var tx = new EvmTransaction
        {
            Nonce = c.GetProperty("nonce").GetUInt64(),
            GasPrice = c.GetProperty("gasprice").GetUInt64(),
            GasLimit = c.GetProperty("startgas").GetUInt64(),
            To = c.GetProperty("to").GetString() is { Length: > 0 } to ? new Address(Hex.Decode(to)) : null,
            Value = c.GetProperty("value").GetUInt64(),
            Data = Hex.Decode(c.GetProperty("data").GetString()!),
        };
        // "unsigned" is the 9-field list with empty v, r, s; the signing payload is its first 6 fields.
        var unsigned = RlpCodec.Decode(Hex.Decode(c.GetProperty("unsigned").GetString()!)).AsList("unsigned").Expect("unsigned", 9);
        Assert.All(unsigned.Items.Skip(6), item => Assert.Equal(0, item.AsString("vrs").Value.Length));
        Assert.Equal(RlpCodec.Encode(RlpItem.List(unsigned.Items.Take(6))), tx.EncodeForSigning());

        var signed = tx.Sign(PrivateKey.Parse(c.GetProperty("key").GetString()!));
        var expected = RlpCodec.Decode(Hex.Decode(c.GetProperty("signed").GetString()!)).AsList("signed").Expect("signed", 9);
        var expectedV = expected[6].AsString("v").ToBigInteger("v");
        var expectedR = expected[7].AsString("r").ToBigInteger("r");
        var expectedS = expected[8].AsString("s").ToBigInteger("s");
        Assert.Equal(expectedR, signed.Signature.R);
        if (expectedS <= Secp256k1.HalfN)
        {
            Assert.Equal(c.GetProperty("signed").GetString(), Hex.Encode(signed.ToBytes()));
        }
        else
        {
            // pre-Homestead high-s signature: a low-s signer yields s' = n − s and v flipped 27 ↔ 28
            Assert.Equal(Secp256k1.N - expectedS, signed.Signature.S);
            Assert.Equal(expectedV == 27 ? 28 : 27, (int)signed.V);
            Assert.Throws<EvmFormatException>(() => SignedEvmTransaction.Decode(Hex.Decode(c.GetProperty("signed").GetString()!)));
        }
        Assert.Equal(PrivateKey.Parse(c.GetProperty("key").GetString()!).Address, SignedEvmTransaction.Decode(signed.ToBytes()).Sender);
    }

    [Fact]
    public void TxTest_ContainsExactlyOneHighSCase()
    {
        var highS = EthereumVectors.Load("BasicTests__txtest.json").EnumerateArray()
            .Select(c => RlpCodec.Decode(Hex.Decode(c.GetProperty("signed").GetString()!)).AsList("signed")[8].AsString("s").ToBigInteger("s"))
            .Count(s => s > Secp256k1.HalfN);
        Assert.Equal(1, highS);
    }

    // ---- GeneralStateTests signing vectors: key + fields → exact raw tx ----

    public static TheoryData<int> SigningCases() => [.. Enumerable.Range(0, EthereumVectors.Load("signing_vectors_state_tests.json").GetProperty("cases").GetArrayLength())];

    private static EvmTransaction FromStateTest(JsonElement c)
    {
        var t = c.GetProperty("tx");
        var type = (TransactionType)t.GetProperty("type").GetInt32();
        BigInteger Int(string name) => t.TryGetProperty(name, out var p) ? EthereumVectors.HexInteger(p.GetString()!) : BigInteger.Zero;
        var accessList = t.TryGetProperty("accessList", out var al)
            ? al.EnumerateArray().Select(e => new AccessListEntry(
                new Address(Hex.Decode(e.GetProperty("address").GetString()!)),
                e.GetProperty("storageKeys").EnumerateArray().Select(k => Hash32.Parse(k.GetString()!)).ToArray())).ToArray()
            : [];
        return new EvmTransaction
        {
            Type = type,
            ChainId = c.GetProperty("chainId").ValueKind == JsonValueKind.Null ? null : c.GetProperty("chainId").GetUInt64(),
            Nonce = (ulong)Int("nonce"),
            GasPrice = Int("gasPrice"),
            MaxFeePerGas = Int("maxFeePerGas"),
            MaxPriorityFeePerGas = Int("maxPriorityFeePerGas"),
            GasLimit = (ulong)Int("gasLimit"),
            To = t.GetProperty("to").GetString() is { Length: > 0 } to ? new Address(Hex.Decode(to)) : null,
            Value = Int("value"),
            Data = Hex.Decode(t.GetProperty("data").GetString()!),
            AccessList = accessList,
        };
    }

    [Theory]
    [MemberData(nameof(SigningCases))]
    public void Sign_StateTestVector_ReproducesRawTransaction(int index)
    {
        var c = EthereumVectors.Load("signing_vectors_state_tests.json").GetProperty("cases")[index];
        var tx = FromStateTest(c);
        var key = PrivateKey.Parse(c.GetProperty("secretKey").GetString()!);
        var signed = tx.Sign(key);
        Assert.Equal(c.GetProperty("expected_txbytes").GetString(), signed.ToString());
        Assert.Equal(c.GetProperty("sender").GetString(), signed.Sender.ToLowerHex());
        // the managed fallback signs the same bytes
        Assert.Equal(signed.Signature, key.Sign(tx.SigningHash(), BouncyCastleSecp256k1Backend.Instance));

        var decoded = SignedEvmTransaction.Decode(signed.ToBytes(), chainId: 1);
        Assert.Equal(signed.Sender, decoded.Sender);
        Assert.Equal(signed.Hash, decoded.Hash);
        Assert.Equal(tx.Type, decoded.Transaction.Type);
        Assert.Equal(tx.SigningHash(), decoded.Transaction.SigningHash());
    }

    [Fact]
    public void StateTestVectors_CoverAllThreeTypes()
    {
        var counts = EthereumVectors.Load("signing_vectors_state_tests.json").GetProperty("cases").EnumerateArray()
            .GroupBy(c => c.GetProperty("tx").GetProperty("type").GetInt32()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<int, int> { [0] = 40, [1] = 40, [2] = 15 }, counts);
    }

    // ---- TransactionTests (Cancun): strict decoding and sender recovery ----

    /// <summary>Invalid vectors whose rejection needs consensus rules this decoder does not model.</summary>
    private static readonly Dictionary<string, string> ExcludedInvalid = new()
    {
        ["NotEnoughGasLimit"] = "INTRINSIC_GAS_TOO_LOW: needs the fork's intrinsic-gas schedule, not a decoding rule",
        ["DataTestNotEnoughGAS"] = "INTRINSIC_GAS_TOO_LOW: needs the fork's intrinsic-gas schedule, not a decoding rule",
        ["dataTx_bcValidBlockTestFrontier"] = "INTRINSIC_GAS_TOO_LOW: needs the fork's intrinsic-gas schedule, not a decoding rule",
    };

    private static IEnumerable<JsonElement> Cases() => EthereumVectors.Load("transaction_tests_cancun.json").GetProperty("cases").EnumerateArray();

    // Case names repeat in the file (e.g. ValidChainID1InvalidV00), so cases are addressed by index.
    public static TheoryData<int, string> ValidCases() => Select(valid: true);

    public static TheoryData<int, string> InvalidCases() => Select(valid: false);

    private static TheoryData<int, string> Select(bool valid)
    {
        var data = new TheoryData<int, string>();
        var i = 0;
        foreach (var c in Cases())
        {
            var name = c.GetProperty("name").GetString()!;
            if (c.GetProperty("expect").GetProperty("valid").GetBoolean() == valid && (valid || !ExcludedInvalid.ContainsKey(name)))
                data.Add(i, name);
            i++;
        }
        return data;
    }

    [Fact]
    public void TransactionTests_HaveTheDocumentedCounts()
    {
        Assert.Equal(204, Cases().Count());
        Assert.Equal(47, ValidCases().Count);
        Assert.Equal(157 - ExcludedInvalid.Count, InvalidCases().Count);
        foreach (var name in ExcludedInvalid.Keys)
            Assert.Contains(Cases(), c => c.GetProperty("name").GetString() == name && c.GetProperty("expect").GetProperty("exception").GetString() == "TransactionException.INTRINSIC_GAS_TOO_LOW");
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Decode_ValidTransactionTest_RecoversSenderAndHash(int index, string name)
    {
        var c = Cases().ElementAt(index);
        Assert.Equal(name, c.GetProperty("name").GetString());
        var raw = Hex.Decode(c.GetProperty("txbytes").GetString()!);
        var tx = SignedEvmTransaction.Decode(raw, chainId: 1);
        var expect = c.GetProperty("expect");
        Assert.Equal(expect.GetProperty("sender").GetString(), tx.Sender.ToLowerHex());
        Assert.Equal(expect.GetProperty("hash").GetString(), "0x" + tx.Hash);
        // re-encoding the decoded fields and signature gives the same bytes
        Assert.Equal(raw, tx.Transaction.WithSignature(tx.Signature).ToBytes());
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Decode_InvalidTransactionTest_IsRejected(int index, string name)
    {
        var c = Cases().ElementAt(index);
        Assert.Equal(name, c.GetProperty("name").GetString());
        var raw = Hex.Decode(c.GetProperty("txbytes").GetString()!);
        var ex = Assert.Throws<EvmFormatException>(() => SignedEvmTransaction.Decode(raw, chainId: 1));
        Assert.False(string.IsNullOrEmpty(ex.Field));
    }

    // ---- construction rules ----

    [Fact]
    public void EncodeForSigning_TypedWithoutChainId_Throws()
    {
        var ex = Assert.Throws<EvmFormatException>(() => new EvmTransaction { Type = TransactionType.DynamicFee }.EncodeForSigning());
        Assert.Equal("tx.chainId", ex.Field);
        Assert.Throws<EvmFormatException>(() => new EvmTransaction { Type = TransactionType.Legacy, MaxFeePerGas = 1 }.EncodeForSigning());
        Assert.Throws<EvmFormatException>(() => new EvmTransaction { Value = -1 }.EncodeForSigning());
    }

    [Fact]
    public void Decode_WrongChain_IsRejected()
    {
        var signed = new EvmTransaction { Type = TransactionType.DynamicFee, ChainId = 5, GasLimit = 21000, MaxFeePerGas = 10, MaxPriorityFeePerGas = 1 }
            .Sign(PrivateKey.Generate());
        Assert.Equal(signed.Sender, SignedEvmTransaction.Decode(signed.ToBytes(), chainId: 5).Sender);
        var ex = Assert.Throws<EvmFormatException>(() => SignedEvmTransaction.Decode(signed.ToBytes(), chainId: 1));
        Assert.Equal("tx.chainId", ex.Field);
    }
}
