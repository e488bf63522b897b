using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Engine.Tests.Lane;

/// <summary>The lane log's upper levels in memory (<see cref="LogUpperLevels"/>): append-only levels, gaps left to RocksDB.</summary>
public sealed class LogUpperLevelsTests
{
    private static Hash32 H(int level, long index) => Sha256.Hash(BitConverter.GetBytes(level * 1_000_003L + index));

    private static KeyValuePair<(int, long), Hash32> N(int level, long index) => new((level, index), H(level, index));

    [Fact]
    public void Nodes_AddedOutOfOrderWithinABlock_AreHeldAcrossPages()
    {
        var upper = new LogUpperLevels();
        // 3,000 nodes of level 8 (three pages), added in blocks whose nodes come in any order.
        var random = new Random(3);
        for (var start = 0; start < 3_000; start += 100)
            upper.Add(Enumerable.Range(start, 100).Select(i => N(8, i)).OrderBy(_ => random.Next()).Append(N(9, start / 100)));
        Assert.Equal(3_030, upper.Count);
        for (var i = 0; i < 3_000; i++)
        {
            Assert.True(upper.TryGet(8, i, out var h));
            Assert.Equal(H(8, i), h);
        }
        Assert.False(upper.TryGet(8, 3_000, out _));
        Assert.False(upper.TryGet(8, -1, out _));
        Assert.True(upper.TryGet(9, 29, out _));
        Assert.False(upper.TryGet(10, 0, out _));
        Assert.False(upper.TryGet(64, 0, out _));
    }

    [Fact]
    public void LowLevels_AreNotHeld_AndAGap_LeavesTheRestOfItsLevelToRocksDb()
    {
        var upper = new LogUpperLevels();
        upper.Add([N(7, 0), N(8, 0), N(8, 1), N(8, 3), N(8, 4), N(9, 0)]);
        Assert.False(upper.TryGet(7, 0, out _));
        Assert.True(upper.TryGet(8, 1, out _));
        Assert.False(upper.TryGet(8, 3, out _));
        upper.Add([N(8, 2), N(8, 5)]);
        Assert.False(upper.TryGet(8, 2, out _)); // the level stopped at its gap
        Assert.True(upper.TryGet(9, 0, out _));
        Assert.Equal(3, upper.Count);
    }

    [Fact]
    public void ANodeAlreadyHeld_IsKept()
    {
        var upper = new LogUpperLevels();
        upper.Add([N(8, 0)]);
        upper.Add([new((8, 0), H(99, 99))]);
        Assert.True(upper.TryGet(8, 0, out var h));
        Assert.Equal(H(8, 0), h);
    }
}
