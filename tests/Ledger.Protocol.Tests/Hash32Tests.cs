using Xunit;

namespace Ledger.Protocol.Tests;

public class Hash32Tests
{
    [Fact]
    public void Constructor_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Hash32(new byte[31]));
        Assert.Throws<ArgumentException>(() => new Hash32(new byte[33]));
    }

    [Fact]
    public void ParseToString_RoundTrips_AndOrdersByBytes()
    {
        var a = Hash32.Parse("0x00000000000000000000000000000000000000000000000000000000000000ff");
        var b = Hash32.Parse("0100000000000000000000000000000000000000000000000000000000000000");
        Assert.Equal("00000000000000000000000000000000000000000000000000000000000000ff", a.ToString());
        Assert.True(a < b);
        Assert.Equal(b, new Hash32(b.ToArray()));
        Assert.False(Hash32.TryParse("zz", out _));
    }
}
