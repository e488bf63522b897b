using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Protocol.Tests.Crypto;

public class AddressTests
{
    // The checksummed examples listed in EIP-55 (ethereum/EIPs, EIPS/eip-55.md, CC0-1.0).
    public static TheoryData<string> Eip55Examples() =>
    [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ];

    [Theory]
    [MemberData(nameof(Eip55Examples))]
    public void ToString_Eip55Example_IsReproduced(string checksummed)
    {
        var address = Address.Parse(checksummed.ToLowerInvariant());
        Assert.Equal(checksummed, address.ToString());
        Assert.Equal(address, Address.Parse(checksummed));
    }

    [Theory]
    [InlineData("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "must start with 0x")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "must have 40 hex digits after 0x, found 39")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "character 41 'g' is not a hex digit")]
    [InlineData("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "EIP-55 checksum mismatch (mixed case must be exactly 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed)")]
    public void Parse_Invalid_ThrowsNamingTheRule(string text, string rule)
    {
        var ex = Assert.Throws<CryptoFormatException>(() => Address.Parse(text));
        Assert.Equal("address", ex.Field);
        Assert.Equal(rule, ex.Rule);
        Assert.False(Address.TryParse(text, out _));
    }

    [Fact]
    public void Parse_AllUpperCase_IsAccepted()
    {
        var a = Address.Parse("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED");
        Assert.Equal("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", a.ToString());
    }

    [Fact]
    public void ToStringParse_RandomAddresses_RoundTripAndAnyCaseFlipIsRejected()
    {
        var gen = from bytes in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 20)
                  from pick in Gen.Choose(0, 39)
                  select (bytes, pick);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var address = new Address(t.bytes);
            var text = address.ToString();
            Assert.Equal(address, Address.Parse(text));
            Assert.Equal(address, Address.Parse(text.ToLowerInvariant()));
            Assert.Equal(t.bytes, address.ToBytes());
            var letters = Enumerable.Range(2, 40).Where(i => char.IsAsciiLetter(text[i])).ToArray();
            var lower = letters.Count(i => char.IsAsciiLetterLower(text[i]));
            if (letters.Length >= 2 && lower > 0 && lower < letters.Length - 1)
            {
                // flipping one letter keeps the text mixed case, so the checksum must catch it
                var i = letters[t.pick % letters.Length];
                var chars = text.ToCharArray();
                chars[i] = char.IsAsciiLetterLower(chars[i]) ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
                var flipped = new string(chars);
                if (flipped.Skip(2).Any(char.IsAsciiLetterLower) && flipped.Skip(2).Any(char.IsAsciiLetterUpper))
                    Assert.False(Address.TryParse(flipped, out _), flipped);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }
}
