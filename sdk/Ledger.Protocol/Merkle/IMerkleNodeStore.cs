namespace Ledger.Protocol.Merkle;

/// <summary>
/// Storage for the hashes of the perfect subtrees of an append-only RFC 9162 log. Node (level, index) is the root
/// of leaves [index·2^level, (index+1)·2^level); level 0 holds the leaf hashes. A node is written once, when its
/// last leaf is appended, and never changes. The node backs this with RocksDB; tests use
/// <see cref="InMemoryMerkleNodeStore"/>.
/// </summary>
public interface IMerkleNodeStore
{
    /// <summary>Gets the hash of node (level, index); false when it was never written.</summary>
    bool TryGet(int level, long index, out Hash32 hash);

    /// <summary>Writes the hash of node (level, index). Writing the same value again is harmless.</summary>
    void Put(int level, long index, Hash32 hash);
}

/// <summary>An <see cref="IMerkleNodeStore"/> held in memory (unit tests, benchmarks, small tools).</summary>
public sealed class InMemoryMerkleNodeStore : IMerkleNodeStore
{
    private readonly List<List<Hash32>> _levels = [];

    /// <summary>How many node hashes are held.</summary>
    public long Count { get; private set; }

    /// <inheritdoc/>
    public bool TryGet(int level, long index, out Hash32 hash)
    {
        if (level >= 0 && level < _levels.Count && index >= 0 && index < _levels[level].Count)
        {
            hash = _levels[level][(int)index];
            return true;
        }
        hash = default;
        return false;
    }

    /// <inheritdoc/>
    public void Put(int level, long index, Hash32 hash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        while (_levels.Count <= level)
            _levels.Add([]);
        var nodes = _levels[level];
        if (index < nodes.Count)
        {
            if (nodes[(int)index] != hash)
                throw new InvalidOperationException($"merkle node ({level}, {index}) is already {nodes[(int)index]}; refusing to overwrite with {hash}");
            return;
        }
        if (index != nodes.Count)
            throw new InvalidOperationException($"merkle node ({level}, {index}) written out of order; next index on level {level} is {nodes.Count}");
        nodes.Add(hash);
        Count++;
    }
}
