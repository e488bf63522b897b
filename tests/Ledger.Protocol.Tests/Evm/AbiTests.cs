using System.Numerics;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Evm;
using Ledger.Protocol.Tests.Crypto;
using Xunit;

namespace Ledger.Protocol.Tests.Evm;

public class AbiTests
{
    // Vector argument conventions: integers are JSON numbers or 0x-hex strings; bytes/bytesN/string are ASCII text
    // (abi_spec_examples "args_note", ethereum/tests "1234567890"); addresses are 0x-hex.
    private static object? Value(AbiType type, JsonElement e) => type.Kind switch
    {
        AbiKind.UInt or AbiKind.Int => e.ValueKind == JsonValueKind.Number
            ? new BigInteger(e.GetInt64())
            : e.GetString()!.StartsWith("0x", StringComparison.Ordinal) ? EthereumVectors.HexInteger(e.GetString()!) : EthereumVectors.Decimal(e.GetString()!),
        AbiKind.Address => new Address(Hex.Decode(e.GetString()!)),
        AbiKind.Bool => e.GetBoolean(),
        AbiKind.FixedBytes or AbiKind.Bytes => e.GetString()!.StartsWith("0x", StringComparison.Ordinal) ? Hex.Decode(e.GetString()!) : Encoding.ASCII.GetBytes(e.GetString()!),
        AbiKind.String => e.GetString(),
        AbiKind.Array or AbiKind.FixedArray => e.EnumerateArray().Select(x => Value(type.Element!, x)).ToArray(),
        _ => throw new InvalidOperationException($"no vector convention for {type}"),
    };

    public static TheoryData<string> BasicCases() => [.. EthereumVectors.Load("ABITests__basic_abi_tests.json").EnumerateObject().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(BasicCases))]
    public void Encode_BasicAbiTest_MatchesResult(string name)
    {
        var c = EthereumVectors.Load("ABITests__basic_abi_tests.json").GetProperty(name);
        var types = c.GetProperty("types").EnumerateArray().Select(t => AbiType.Parse(t.GetString()!)).ToArray();
        var args = c.GetProperty("args").EnumerateArray().Select((a, i) => Value(types[i], a)).ToArray();
        var encoded = Abi.Encode(types, args);
        Assert.Equal(c.GetProperty("result").GetString(), Hex.Encode(encoded));
        AssertDecodesTo(types, encoded, args);
    }

    private static void AssertDecodesTo(AbiType[] types, byte[] encoded, object?[] args)
    {
        var decoded = Abi.Decode(types, encoded);
        Assert.Equal(Normalize(args), Normalize(decoded));
        Assert.Equal(encoded, Abi.Encode(types, decoded));
    }

    // Comparable text form of decoded/encoded values.
    private static string Normalize(object? v) => v switch
    {
        byte[] b => "0x" + Hex.Encode(b),
        object?[] items => "[" + string.Join(",", items.Select(Normalize)) + "]",
        BigInteger i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        null => "null",
        _ => v.ToString()!,
    };

    private static JsonElement SpecCases() => EthereumVectors.Load("abi_spec_examples.json").GetProperty("cases");

    public static TheoryData<int> SpecCallCases() =>
        [.. SpecCases().EnumerateArray().Select((c, i) => (c, i)).Where(x => x.c.TryGetProperty("expected_calldata", out _)).Select(x => x.i)];

    [Theory]
    [MemberData(nameof(SpecCallCases))]
    public void EncodeCall_AbiSpecExample_MatchesCalldata(int index)
    {
        var c = SpecCases()[index];
        var signature = c.GetProperty("signature").GetString()!;
        var (_, typeList) = Abi.SplitSignature(signature);
        var types = typeList.ToArray();
        var args = c.GetProperty("args").EnumerateArray().Select((a, i) => Value(types[i], a)).ToArray();
        var calldata = Abi.EncodeCall(signature, args);
        Assert.Equal(c.GetProperty("expected_calldata").GetString(), Hex.Encode0x(calldata));
        AssertDecodesTo(types, calldata[4..], args);
    }

    [Fact]
    public void Encode_AbiSpecFalseReturnValue_IsOneZeroWord()
    {
        var c = SpecCases().EnumerateArray().Single(x => x.TryGetProperty("expected_return_data", out _));
        Assert.Equal("baz(uint32,bool) returns (bool)", c.GetProperty("signature").GetString());
        Assert.Equal(c.GetProperty("expected_return_data").GetString(), Hex.Encode0x(Abi.Encode(["bool"], [false])));
    }

    [Fact]
    public void EncodePacked_AbiSpecExample_MatchesExpected()
    {
        var c = SpecCases().EnumerateArray().Single(x => x.TryGetProperty("expected_packed", out _));
        var types = c.GetProperty("types").EnumerateArray().Select(t => AbiType.Parse(t.GetString()!)).ToArray();
        var args = c.GetProperty("args").EnumerateArray().Select((a, i) => Value(types[i], a)).ToArray();
        Assert.Equal(c.GetProperty("expected_packed").GetString(), Hex.Encode0x(Abi.EncodePacked(types, args)));
    }

    [Fact]
    public void Selector_AbiSpecSignatures_MatchKeccakKatPrefixes()
    {
        foreach (var c in EthereumVectors.Load("keccak256_kat.json").GetProperty("cases").EnumerateArray()
                     .Where(c => c.TryGetProperty("expected_prefix_4_bytes", out _)))
            Assert.Equal(c.GetProperty("expected_prefix_4_bytes").GetString(), Hex.Encode0x(Abi.Selector(c.GetProperty("input_utf8").GetString()!)));
    }

    [Fact]
    public void EventTopic_Transfer_IsTheErc20Topic()
    {
        var kat = EthereumVectors.Load("keccak256_kat.json").GetProperty("cases").EnumerateArray()
            .Single(c => c.TryGetProperty("input_utf8", out var s) && s.GetString() == "Transfer(address,address,uint256)");
        Assert.Equal(kat.GetProperty("expected").GetString(), "0x" + Abi.EventTopic("Transfer(address,address,uint256)"));
        Assert.Equal(Abi.EventTopic("Transfer(address,address,uint256)"), Abi.EventTopic("Transfer(address, address, uint)"));
    }

    [Theory]
    [InlineData("uint", "uint256")]
    [InlineData("int", "int256")]
    [InlineData("bytes3[2]", "bytes3[2]")]
    [InlineData("uint256[][]", "uint256[][]")]
    [InlineData("(address,(uint8,bytes)[])[3]", "(address,(uint8,bytes)[])[3]")]
    public void Parse_TypeName_GivesCanonicalName(string name, string canonical) => Assert.Equal(canonical, AbiType.Parse(name).CanonicalName);

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("bytes0")]
    [InlineData("bytes33")]
    [InlineData("int08")]
    [InlineData("uint256[0]")]
    [InlineData("(uint256")]
    [InlineData("fixed128x18")]
    public void Parse_UnsupportedType_Throws(string name) => Assert.Equal("abi.type", Assert.Throws<EvmFormatException>(() => AbiType.Parse(name)).Field);

    [Fact]
    public void Encode_OutOfRangeValues_Throw()
    {
        Assert.Throws<EvmFormatException>(() => Abi.Encode(["uint8"], [256]));
        Assert.Throws<EvmFormatException>(() => Abi.Encode(["uint256"], [-1]));
        Assert.Throws<EvmFormatException>(() => Abi.Encode(["int8"], [128]));
        Assert.Throws<EvmFormatException>(() => Abi.Encode(["bytes3"], [new byte[2]]));
        Assert.Throws<EvmFormatException>(() => Abi.Encode(["uint256[2]"], [new object[] { 1 }]));
        Assert.Throws<EvmFormatException>(() => Abi.Encode(["uint256", "bool"], [1]));
    }

    [Fact]
    public void Decode_NonCanonicalData_IsRejected()
    {
        var word = new byte[32];
        word[31] = 2;
        Assert.Throws<EvmFormatException>(() => Abi.Decode(["bool"], word)); // bool must be 0/1
        var address = new byte[32];
        address[0] = 1;
        Assert.Throws<EvmFormatException>(() => Abi.Decode(["address"], address)); // dirty high bytes
        var small = new byte[32];
        small[30] = 1;
        Assert.Throws<EvmFormatException>(() => Abi.Decode(["uint8"], small)); // value wider than uint8
        var offset = new byte[32];
        offset[31] = 0x40;
        Assert.Throws<EvmFormatException>(() => Abi.Decode(["bytes"], offset)); // offset past the end
        var hugeArray = Abi.Encode(["uint256[]"], [new object[] { 1 }]);
        hugeArray[63] = 0xff;
        Assert.Throws<EvmFormatException>(() => Abi.Decode(["uint256[]"], hugeArray)); // length past the end
        Assert.Throws<EvmFormatException>(() => Abi.Decode(["uint256"], new byte[31]));
    }

    [Fact]
    public void Encode_NegativeInt_IsSignExtendedAndDecodesBack()
    {
        var encoded = Abi.Encode(["int16", "int256"], [-1, BigInteger.MinusOne << 255]);
        Assert.Equal(new string('f', 64), Hex.Encode(encoded.AsSpan(0, 32)));
        var decoded = Abi.Decode(["int16", "int256"], encoded);
        Assert.Equal(BigInteger.MinusOne, decoded[0]);
        Assert.Equal(BigInteger.MinusOne << 255, decoded[1]);
    }

    [Fact]
    public void EncodeDecode_RandomDynamicValues_RoundTrip()
    {
        var type = AbiType.Parse("(uint64,bytes,string[],(address,bool)[2],int32[])");
        var bytesGen = ArbMap.Default.GeneratorFor<byte[]>();
        var gen = from a in ArbMap.Default.GeneratorFor<ulong>()
                  from b in bytesGen
                  from strings in Gen.ListOf(ArbMap.Default.GeneratorFor<NonNull<string>>().Select(s => s.Get))
                  from addr in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 20)
                  from flag in ArbMap.Default.GeneratorFor<bool>()
                  from ints in Gen.ListOf(ArbMap.Default.GeneratorFor<int>())
                  select new object?[]
                  {
                      new BigInteger(a), b, strings.Select(s => (object?)new string(s.Where(ch => !char.IsSurrogate(ch)).ToArray())).ToArray(),
                      new object?[] { new object?[] { new Address(addr), flag }, new object?[] { Address.Zero, !flag } },
                      ints.Select(i => (object?)new BigInteger(i)).ToArray(),
                  };
        Prop.ForAll(gen.ToArbitrary(), value =>
        {
            var encoded = Abi.Encode([type], [value]);
            Assert.Equal(0, encoded.Length % 32);
            var decoded = Abi.Decode([type], encoded);
            Assert.Equal(Normalize(new object?[] { value }), Normalize(decoded));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }
}
