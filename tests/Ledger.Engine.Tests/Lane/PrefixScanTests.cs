using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Lane;
using Xunit;

namespace Ledger.Engine.Tests.Lane;

/// <summary>The upper bound of a prefix scan (<see cref="LaneStore.PrefixEnd"/>): above every key with the prefix, and the least such key.</summary>
public sealed class PrefixScanTests
{
    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, new byte[] { 1, 2, 4 })]
    [InlineData(new byte[] { 1, 0xFF }, new byte[] { 2 })]
    [InlineData(new byte[] { 0xFF, 0xFF }, null)]
    [InlineData(new byte[] { }, null)]
    public void Examples(byte[] prefix, byte[]? end) => Assert.Equal(end, LaneStore.PrefixEnd(prefix));

    [Fact]
    public void Property_KeysWithThePrefixAreBelowTheEnd_AndTheEndDoesNotHaveIt()
    {
        var bytes = Gen.ArrayOf(Gen.Elements<byte>(0, 1, 0xFE, 0xFF, 0x7F));
        Prop.ForAll(bytes.ToArbitrary(), bytes.ToArbitrary(), (prefix, tail) =>
        {
            var end = LaneStore.PrefixEnd(prefix);
            var key = prefix.Concat(tail).ToArray();
            if (end is null)
                return prefix.All(b => b == 0xFF);
            return key.AsSpan().SequenceCompareTo(end) < 0 && !end.AsSpan().StartsWith(prefix)
                && prefix.AsSpan().SequenceCompareTo(end) < 0;
        }).QuickCheckThrowOnFailure();
    }
}
