using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Xunit;

namespace Ledger.Protocol.Tests.Crypto;

public class KeccakTests
{
    public static TheoryData<int> KatCases() => [.. Enumerable.Range(0, EthereumVectors.Load("keccak256_kat.json").GetProperty("cases").GetArrayLength())];

    private static byte[] Input(System.Text.Json.JsonElement c) =>
        c.TryGetProperty("input_hex", out var hex) ? Hex.Decode(hex.GetString()!) : Encoding.UTF8.GetBytes(c.GetProperty("input_utf8").GetString()!);

    [Theory]
    [MemberData(nameof(KatCases))]
    public void Hash_KnownAnswer_MatchesExpected(int index)
    {
        var c = EthereumVectors.Load("keccak256_kat.json").GetProperty("cases")[index];
        var input = Input(c);
        if (c.TryGetProperty("input_utf8", out var utf8) && c.TryGetProperty("input_hex", out var hex))
            Assert.Equal(Hex.Decode(hex.GetString()!), Encoding.UTF8.GetBytes(utf8.GetString()!)); // the vector is self-consistent
        var digest = Keccak256.Hash(input).ToArray();
        if (c.TryGetProperty("expected", out var expected))
            Assert.Equal(expected.GetString(), Hex.Encode0x(digest));
        else
            Assert.Equal(c.GetProperty("expected_prefix_4_bytes").GetString(), Hex.Encode0x(digest.AsSpan(0, 4)));
    }

    [Fact]
    public void Hash_Empty_IsKeccakNotSha3()
    {
        var digest = Keccak256.Hash([]).ToString();
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", digest);
        Assert.NotEqual("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", digest);
    }

    private static byte[] XkcpHexAfter(string[] lines, ref int from, string header)
    {
        while (!lines[from].StartsWith(header, StringComparison.Ordinal))
            from++;
        from++;
        return Convert.FromHexString(lines[from].Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Hash_Xkcp2008BitMessage_MatchesFirstSqueezedBytes()
    {
        var lines = File.ReadAllLines(EthereumVectors.PathOf("xkcp__KeccakSpongeIntermediateValues_r1088c512.txt"));
        var at = Array.FindIndex(lines, l => l.Contains("length 2008", StringComparison.Ordinal));
        Assert.True(at > 0);
        var message = XkcpHexAfter(lines, ref at, "Input message (last byte aligned on LSB):");
        Assert.Equal(251, message.Length);
        var squeezed = XkcpHexAfter(lines, ref at, "Squeezed block (part):");
        Assert.Equal(squeezed[..32], Keccak256.Hash(message).ToArray());
    }

    [Fact]
    public void Permute_XkcpIntermediateStates_MatchEveryPermutationInTheFile()
    {
        var lines = File.ReadAllLines(EthereumVectors.PathOf("xkcp__KeccakSpongeIntermediateValues_r1088c512.txt"));
        var checkedCount = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("Input of permutation:", StringComparison.Ordinal))
                continue;
            var input = Convert.FromHexString(lines[i + 1].Replace(" ", "", StringComparison.Ordinal));
            var j = i + 1;
            var output = XkcpHexAfter(lines, ref j, "State after permutation:");
            var state = new ulong[25];
            for (var k = 0; k < 25; k++)
                state[k] = BitConverter.ToUInt64(input, k * 8);
            Keccak256.Permute(state);
            var actual = new byte[200];
            for (var k = 0; k < 25; k++)
                BitConverter.TryWriteBytes(actual.AsSpan(k * 8), state[k]);
            Assert.Equal(output, actual);
            checkedCount++;
        }
        Assert.True(checkedCount >= 6, $"only {checkedCount} permutations found");
    }

    private static byte[] BouncyCastleKeccak(byte[] input)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(input, 0, input.Length);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return output;
    }

    private static readonly int[] EdgeLengths = [0, 1, 55, 56, 135, 136, 137, 271, 272, 273, 408, 1000];

    [Fact]
    public void Hash_RandomInputs_MatchBouncyCastleKeccakDigest()
    {
        var lengths = Gen.OneOf(Gen.Choose(0, 700), Gen.Elements(EdgeLengths));
        var inputs = lengths.SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));
        Prop.ForAll(inputs.ToArbitrary(), input => Keccak256.Hash(input).ToArray().AsSpan().SequenceEqual(BouncyCastleKeccak(input)))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void Hasher_RandomSplits_EqualsOneShotHash()
    {
        var gen = from n in Gen.OneOf(Gen.Choose(0, 600), Gen.Elements(EdgeLengths))
                  from input in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n)
                  from cuts in Gen.ArrayOf(Gen.Choose(0, n), 3)
                  select (input, cuts);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (input, cuts) = t;
            Array.Sort(cuts);
            var hasher = new Keccak256Hasher();
            var previous = 0;
            foreach (var cut in cuts)
            {
                hasher.Append(input.AsSpan(previous, cut - previous));
                previous = cut;
            }
            hasher.Append(input.AsSpan(previous));
            return hasher.Finish() == Keccak256.Hash(input);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void Hasher_AfterFinish_StartsOver()
    {
        var hasher = new Keccak256Hasher();
        hasher.Append("abc"u8);
        _ = hasher.Finish();
        hasher.Append("xyz"u8);
        Assert.Equal(Keccak256.Hash("xyz"u8), hasher.Finish());
    }

    [Fact]
    public void Sha256_Abc_MatchesFips180Example()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Sha256.Hash("abc"u8).ToString());
    }

    [Fact]
    public void Sha256_RandomInputs_MatchBouncyCastle()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), input =>
        {
            var digest = new Sha256Digest();
            digest.BlockUpdate(input, 0, input.Length);
            var expected = new byte[32];
            digest.DoFinal(expected, 0);
            return Sha256.Hash(input).ToArray().AsSpan().SequenceEqual(expected);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }
}
