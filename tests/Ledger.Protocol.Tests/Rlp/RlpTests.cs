using System.Numerics;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Rlp;
using Xunit;

namespace Ledger.Protocol.Tests.Rlp;

public class RlpTests
{
    private static string VectorPath(string name) => Path.Combine(AppContext.BaseDirectory, "vectors", "ethereum", name);

    private static JsonElement Load(string name) => JsonDocument.Parse(File.ReadAllText(VectorPath(name))).RootElement;

    public static TheoryData<string> ValidCases() => [.. Load("RLPTests__rlptest.json").EnumerateObject().Select(p => p.Name)];

    public static TheoryData<string> InvalidCases() => [.. Load("RLPTests__invalidRLPTest.json").EnumerateObject().Select(p => p.Name)];

    // ethereum/tests RLP format: strings are byte strings (chars as bytes), numbers are integers, "#123" is a bigint.
    private static RlpItem FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => RlpItem.List(e.EnumerateArray().Select(FromJson)),
        JsonValueKind.Number => RlpItem.UInt(e.GetUInt64()),
        JsonValueKind.String when e.GetString()!.StartsWith('#') => RlpItem.UInt(BigInteger.Parse(e.GetString()![1..], System.Globalization.CultureInfo.InvariantCulture)),
        JsonValueKind.String => RlpItem.Bytes(Encoding.Latin1.GetBytes(e.GetString()!)),
        _ => throw new InvalidOperationException($"unexpected vector value {e}"),
    };

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Encode_EthereumVector_MatchesExpectedBytes(string name)
    {
        var c = Load("RLPTests__rlptest.json").GetProperty(name);
        var expected = c.GetProperty("out").GetString()!;
        var item = FromJson(c.GetProperty("in"));
        Assert.Equal(expected.ToLowerInvariant(), Hex.Encode0x(global::Ledger.Protocol.Rlp.Rlp.Encode(item)));
        // and the strict decoder accepts it and re-encodes to the same bytes
        var decoded = global::Ledger.Protocol.Rlp.Rlp.Decode(Hex.Decode(expected));
        Assert.Equal(expected.ToLowerInvariant(), Hex.Encode0x(global::Ledger.Protocol.Rlp.Rlp.Encode(decoded)));
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Decode_EthereumInvalidVector_IsRejected(string name)
    {
        var c = Load("RLPTests__invalidRLPTest.json").GetProperty(name);
        var bytes = Hex.Decode(c.GetProperty("out").GetString()!);
        var ex = Assert.Throws<RlpException>(() => global::Ledger.Protocol.Rlp.Rlp.Decode(bytes));
        Assert.StartsWith("rlp@", ex.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RandomExample_IsValid()
    {
        foreach (var p in Load("RLPTests__RandomRLPTests__example.json").EnumerateObject())
        {
            var bytes = Hex.Decode(p.Value.GetProperty("out").GetString()!);
            Assert.Equal(bytes, global::Ledger.Protocol.Rlp.Rlp.Encode(global::Ledger.Protocol.Rlp.Rlp.Decode(bytes)));
        }
    }

    [Fact]
    public void ToUInt64_LeadingZero_IsRejected()
    {
        var item = (RlpString)global::Ledger.Protocol.Rlp.Rlp.Decode(Hex.Decode("820001"));
        var ex = Assert.Throws<RlpException>(() => item.ToUInt64("nonce"));
        Assert.Equal("nonce", ex.Field);
    }

    private static Gen<RlpItem> ItemGen(int depth)
    {
        var str = Gen.OneOf(
                ArbMap.Default.GeneratorFor<byte[]>(),
                Gen.Choose(50, 70).SelectMany(n => ArbMap.Default.GeneratorFor<byte>().ArrayOf(n))) // around the 55/56-byte boundary
            .Select(b => (RlpItem)RlpItem.Bytes(b));
        if (depth == 0)
            return str;
        var list = Gen.Choose(0, 12).SelectMany(n => ItemGen(depth - 1).ListOf(n)).Select(items => (RlpItem)RlpItem.List(items));
        return Gen.OneOf(str, str, list);
    }

    [Fact]
    public void EncodeDecode_RandomTrees_RoundTripExactly()
    {
        Prop.ForAll(ItemGen(3).ToArbitrary(), item =>
        {
            var bytes = global::Ledger.Protocol.Rlp.Rlp.Encode(item);
            Assert.Equal(bytes.Length, global::Ledger.Protocol.Rlp.Rlp.EncodedLength(item));
            var again = global::Ledger.Protocol.Rlp.Rlp.Encode(global::Ledger.Protocol.Rlp.Rlp.Decode(bytes));
            Assert.Equal(bytes, again);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decode_TruncatedOrExtended_IsRejected()
    {
        Prop.ForAll(ItemGen(3).ToArbitrary(), item =>
        {
            var bytes = global::Ledger.Protocol.Rlp.Rlp.Encode(item);
            Assert.Throws<RlpException>(() => global::Ledger.Protocol.Rlp.Rlp.Decode(bytes.AsSpan(0, bytes.Length - 1)));
            Assert.Throws<RlpException>(() => global::Ledger.Protocol.Rlp.Rlp.Decode([.. bytes, 0x00]));
        }).QuickCheckThrowOnFailure();
    }
}
