using Ledger.Engine.Anchoring;
using Ledger.Node.Tests;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Evm.Tests.Anchoring;

public sealed class AnchorStoreTests
{
    private static readonly Address Lane = PrivateKey.Generate().Address;
    private static readonly Address Contract = PrivateKey.Generate().Address;

    private static AnchorRecord Sample(long size, AnchorStatus status = AnchorStatus.Pending) => new(0, Lane, size, Hash32.Parse("0x" + new string('a', 62) + size.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
        size, Hash32.Parse("0x" + new string('b', 64)), 31337, Contract, Hash32.Parse("0x" + new string('c', 64)), (ulong)size, [1, 2, 3], status,
        status == AnchorStatus.Confirmed ? 7UL : null, status == AnchorStatus.Confirmed ? Hash32.Parse("0x" + new string('d', 64)) : null, 2, 1_700_000_000_000);

    [Fact]
    public void Put_Reopened_KeepsLastStatePerSizeInFirstSeenOrder()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "evm", AnchorStore.FileName);
        using (var store = AnchorStore.Open(path))
        {
            store.Put(Sample(3));
            store.Put(Sample(5));
            store.Put(Sample(3, AnchorStatus.Confirmed));
        }
        using var reopened = AnchorStore.Open(path);
        var all = reopened.List();
        Assert.Equal([3L, 5L], all.Select(a => a.Size));
        Assert.Equal([1L, 2L], all.Select(a => a.Sequence));
        Assert.Equal(AnchorStatus.Confirmed, all[0].Status);
        Assert.Equal(Sample(3, AnchorStatus.Confirmed) with { Sequence = 1, RawTransaction = all[0].RawTransaction }, all[0]);
        Assert.Equal([1, 2, 3], all[0].RawTransaction);
        Assert.Equal(0, reopened.IgnoredLines);
    }

    [Fact]
    public void Open_TornLastLine_IgnoresItAndAppendsCleanly()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, AnchorStore.FileName);
        using (var store = AnchorStore.Open(path))
            store.Put(Sample(3));
        var full = AnchorStore.Encode(Sample(4));
        using (var f = new FileStream(path, FileMode.Append))
            f.Write(full.AsSpan(0, full.Length / 2));
        using (var store = AnchorStore.Open(path))
        {
            Assert.Equal(1, store.IgnoredLines);
            Assert.Equal([3L], store.List().Select(a => a.Size));
            store.Put(Sample(6));
        }
        using var again = AnchorStore.Open(path);
        Assert.Equal(0, again.IgnoredLines);
        Assert.Equal([3L, 6L], again.List().Select(a => a.Size));
    }

    [Fact]
    public void LatestConfirmed_PendingAndLargerSizes_AreSkipped()
    {
        using var dir = new TestDirectory();
        using var store = AnchorStore.Open(Path.Combine(dir.Path, AnchorStore.FileName));
        store.Put(Sample(2, AnchorStatus.Confirmed));
        store.Put(Sample(4, AnchorStatus.Confirmed));
        store.Put(Sample(6, AnchorStatus.Pending));
        store.Put(Sample(9, AnchorStatus.Confirmed));
        Assert.Equal(4, store.LatestConfirmed(Lane, 8)!.Size);
        Assert.Equal(9, store.LatestConfirmed(Lane, 9)!.Size);
        Assert.Null(store.LatestConfirmed(Lane, 1));
        Assert.Null(store.LatestConfirmed(Contract, 9));
    }

    [Fact]
    public void List_AfterAndLimit_Pages()
    {
        using var dir = new TestDirectory();
        using var store = AnchorStore.Open(Path.Combine(dir.Path, AnchorStore.FileName));
        for (var i = 1; i <= 5; i++)
            store.Put(Sample(i));
        Assert.Equal([3L, 4L], store.List(after: 2, limit: 2).Select(a => a.Sequence));
        Assert.Empty(store.List(after: 5));
    }
}
