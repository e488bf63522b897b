using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Lane;
using Ledger.Protocol;
using Ledger.Protocol.Merkle;
using Xunit;

namespace Ledger.Engine.Tests.Lane;

/// <summary>The state map's in-memory current tree (<see cref="NodeTable"/>): a model check, deletion runs, and lock-free readers.</summary>
public sealed class NodeTableTests
{
    private static SparseMerkleNode Node(int i)
    {
        var key = Ledger.Protocol.Crypto.Sha256.Hash(BitConverter.GetBytes(i));
        var value = Ledger.Protocol.Crypto.Sha256.Hash(BitConverter.GetBytes(~i));
        return i % 3 == 0 ? SparseMerkleNode.Leaf(key, value) : SparseMerkleNode.Internal(key, value);
    }

    /// <summary>Operations on a small key space (so removes and re-adds meet long probe runs) against a dictionary.</summary>
    [Fact]
    public void Property_AgreesWithADictionary()
    {
        var op = Gen.Zip(Gen.Choose(0, 2), Gen.Choose(0, 199));
        Prop.ForAll(Gen.ListOf(op).ToArbitrary(), ops =>
        {
            var table = new NodeTable();
            var model = new Dictionary<Hash32, SparseMerkleNode>();
            foreach (var (kind, i) in ops)
            {
                var node = Node(i);
                var hash = node.Hash();
                switch (kind)
                {
                    case 0:
                        table.Set(hash, node);
                        model[hash] = node;
                        break;
                    case 1:
                        if (table.Remove(hash) != model.Remove(hash))
                            return false;
                        break;
                    default:
                        if (i % 50 == 0)
                        {
                            table.Clear();
                            model.Clear();
                        }
                        break;
                }
            }
            if (table.Count != model.Count)
                return false;
            for (var i = 0; i < 200; i++)
            {
                var hash = Node(i).Hash();
                var found = table.TryGet(hash, out var a);
                var verified = table.TryGetVerified(hash, out var b);
                var expected = model.TryGetValue(hash, out var c);
                if (found != expected || verified != expected || (expected && (a != c || b != c)))
                    return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void ManyInsertsAndRemoves_KeepEveryRemainingNode_AcrossGrowth()
    {
        var table = new NodeTable();
        var nodes = Enumerable.Range(0, 50_000).Select(Node).ToArray();
        foreach (var n in nodes)
            table.Set(n.Hash(), n);
        Assert.Equal(50_000, table.Count);
        Assert.True(table.Capacity >= 50_000 * 4 / 3, $"capacity {table.Capacity} for 50,000 nodes is above three quarters full");
        for (var i = 0; i < nodes.Length; i += 2)
            Assert.True(table.Remove(nodes[i].Hash()));
        Assert.Equal(25_000, table.Count);
        for (var i = 0; i < nodes.Length; i++)
        {
            Assert.Equal(i % 2 == 1, table.TryGet(nodes[i].Hash(), out var found));
            if (i % 2 == 1)
                Assert.Equal(nodes[i], found);
        }
        Assert.False(table.Remove(nodes[0].Hash()));
        Assert.False(table.TryGet(Hash32.Zero, out _));
        table.Set(Hash32.Zero, nodes[1]);
        Assert.False(table.TryGetVerified(Hash32.Zero, out _));
        Assert.Equal(25_000, table.Count);
    }

    /// <summary>A node stored under a hash it does not have is not handed to a reader (the check that makes torn reads safe).</summary>
    [Fact]
    public void Verified_RefusesANodeThatDoesNotHashToItsKey()
    {
        var table = new NodeTable();
        var (a, b) = (Node(1), Node(2));
        table.Set(a.Hash(), b);
        Assert.True(table.TryGet(a.Hash(), out var raw));
        Assert.Equal(b, raw);
        Assert.False(table.TryGetVerified(a.Hash(), out _));
    }

    /// <summary>Readers on other threads while the writer inserts, removes, grows and clears: never a wrong node, and they find most.</summary>
    [Fact]
    public async Task ConcurrentReaders_NeverGetAWrongNode()
    {
        var table = new NodeTable();
        var nodes = Enumerable.Range(0, 20_000).Select(Node).ToArray();
        var hashes = nodes.Select(n => n.Hash()).ToArray();
        using var stop = new CancellationTokenSource();
        var wrong = 0;
        long hits = 0, reads = 0;
        using var started = new CountdownEvent(2);
        // Own threads, started before the writer: on a busy test host the thread pool may run them only after it.
        var readers = Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            started.Signal();
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(nodes.Length);
                Interlocked.Increment(ref reads);
                if (table.TryGetVerified(hashes[i], out var node))
                {
                    Interlocked.Increment(ref hits);
                    if (node != nodes[i])
                        Interlocked.Increment(ref wrong);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Assert.True(started.Wait(TimeSpan.FromMinutes(1)), "the reader threads did not start");
        var writer = new Random(7);
        // At least 40 rounds, and on until the readers have made 200,000 reads (a minute at most).
        var writing = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < 40 || (Interlocked.Read(ref reads) < 200_000 && writing.Elapsed < TimeSpan.FromMinutes(1)); round++)
        {
            for (var i = 0; i < nodes.Length; i++)
                table.Set(hashes[i], nodes[i]);
            for (var k = 0; k < nodes.Length / 2; k++)
            {
                var i = writer.Next(nodes.Length);
                table.Remove(hashes[i]);
            }
            if (round % 10 == 9)
                table.Clear();
        }
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, wrong);
        Assert.True(reads > 0);
        Assert.True(hits > 0, $"readers found none of {reads} nodes");
    }
}
