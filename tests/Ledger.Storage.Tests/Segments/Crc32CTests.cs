using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Storage.Segments;
using Xunit;

namespace Ledger.Storage.Tests.Segments;

public class Crc32CTests
{
    [Fact]
    public void Compute_Ascii123456789_IsStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Compute_Empty_IsZero() => Assert.Equal(0u, Crc32C.Compute([]));

    // RFC 3720 (iSCSI) appendix B.4 CRC examples, as the 32-bit CRC value.
    [Fact]
    public void Compute_Rfc3720Examples_MatchPublishedValues()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Fact]
    public void Compute_RandomData_EqualsBitwiseReference()
    {
        var arb = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(arb, data => Crc32C.Compute(data) == Reference(data)));
    }

    /// <summary>CRC-32C straight from the definition: reflected, bit by bit, polynomial 0x82F63B78, init and final XOR all ones.</summary>
    private static uint Reference(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
