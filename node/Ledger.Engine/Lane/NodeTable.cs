using Ledger.Protocol;
using Ledger.Protocol.Merkle;

namespace Ledger.Engine.Lane;

/// <summary>
/// The state map's current tree in memory (node hash → node): written by one thread, the sequencer, and read by any
/// number of threads without locks. Open addressing with linear probing and backward-shift deletion over a power-of-two
/// array of (hash, node) slots, grown by doubling at three quarters full.
/// <para>
/// The writer's own reads are exact. Another thread may meet a slot half written or an entry in the middle of a move;
/// <see cref="TryGetVerified"/> therefore accepts a node only when it hashes to the hash asked for — a node's hash is its
/// identity, so such a node is the right one whichever tree it came from — and reports everything else as a miss, which
/// the caller answers from the generations or RocksDB. The all-zero hash marks an empty slot and is never stored (no
/// node hashes to it but with negligible probability; it is then simply not cached).
/// </para>
/// </summary>
internal sealed class NodeTable
{
    private const int MinimumCapacity = 16;

    private volatile Slot[] _slots = new Slot[MinimumCapacity];
    private int _count;

    /// <summary>Nodes held.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Slots allocated (a power of two).</summary>
    public int Capacity => _slots.Length;

    /// <summary>Bytes of the slot array.</summary>
    public long Bytes => (long)_slots.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>();

    /// <summary>Writer only: the node stored under <paramref name="hash"/>.</summary>
    public bool TryGet(Hash32 hash, out SparseMerkleNode node)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        if (!hash.IsZero)
        {
            for (var i = Home(hash, mask); ; i = (i + 1) & mask)
            {
                ref var slot = ref slots[i];
                if (slot.Key.IsZero)
                    break;
                if (slot.Key == hash)
                {
                    node = slot.Node;
                    return true;
                }
            }
        }
        node = default;
        return false;
    }

    /// <summary>Any thread: the node under <paramref name="hash"/> when it is found whole; false is a miss, never an error.</summary>
    public bool TryGetVerified(Hash32 hash, out SparseMerkleNode node)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        if (!hash.IsZero)
        {
            // At most one pass over the array: the writer may move entries under this loop.
            for (int i = Home(hash, mask), probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
            {
                var slot = slots[i]; // a copy: checked and returned as read
                if (slot.Key.IsZero)
                    break;
                if (slot.Key == hash)
                {
                    if (slot.Node.Kind is not (SparseMerkleNodeKind.Leaf or SparseMerkleNodeKind.Internal) || slot.Node.Hash() != hash)
                        break;
                    node = slot.Node;
                    return true;
                }
            }
        }
        node = default;
        return false;
    }

    /// <summary>Writer only: stores the node (replacing the one under the same hash, which is the same node).</summary>
    public void Set(Hash32 hash, SparseMerkleNode node)
    {
        if (hash.IsZero)
            return;
        if ((long)(_count + 1) * 4 > (long)_slots.Length * 3)
            Grow();
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = Home(hash, mask); ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            if (slot.Key == hash)
            {
                slot.Node = node;
                return;
            }
            if (slot.Key.IsZero)
            {
                // Node first, key last (a reader checks what it reads in any case).
                slot.Node = node;
                slot.Key = hash;
                Interlocked.Increment(ref _count);
                return;
            }
        }
    }

    /// <summary>Writer only: removes the node under <paramref name="hash"/>; false when it is not held.</summary>
    public bool Remove(Hash32 hash)
    {
        if (hash.IsZero)
            return false;
        var slots = _slots;
        var mask = slots.Length - 1;
        var i = Home(hash, mask);
        while (true)
        {
            if (slots[i].Key.IsZero)
                return false;
            if (slots[i].Key == hash)
                break;
            i = (i + 1) & mask;
        }
        // Backward shift: move each later entry of the run whose home is not in (i, j] into the hole.
        var j = i;
        while (true)
        {
            j = (j + 1) & mask;
            if (slots[j].Key.IsZero)
                break;
            var home = Home(slots[j].Key, mask);
            var stays = i <= j ? i < home && home <= j : i < home || home <= j;
            if (stays)
                continue;
            slots[i] = slots[j];
            i = j;
        }
        slots[i] = default;
        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>Writer only: drops every node (readers holding the old array still read it).</summary>
    public void Clear()
    {
        _slots = new Slot[MinimumCapacity];
        Volatile.Write(ref _count, 0);
    }

    private void Grow()
    {
        var old = _slots;
        var slots = new Slot[old.Length * 2];
        var mask = slots.Length - 1;
        foreach (ref readonly var slot in old.AsSpan())
        {
            if (slot.Key.IsZero)
                continue;
            var i = Home(slot.Key, mask);
            while (!slots[i].Key.IsZero)
                i = (i + 1) & mask;
            slots[i] = slot;
        }
        _slots = slots; // published whole; the old array is not written again
    }

    private static int Home(Hash32 hash, int mask) => hash.GetHashCode() & mask;

    private struct Slot
    {
        public Hash32 Key;
        public SparseMerkleNode Node;
    }
}
