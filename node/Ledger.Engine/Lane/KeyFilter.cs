using System.Buffers.Binary;

namespace Ledger.Engine.Lane;

/// <summary>
/// An in-memory "may contain" filter over the 32-byte keys of one column family (record ids, item state keys: both
/// SHA-256 outputs, so their bits are used directly as the filter's hash). It spares the sequencer a RocksDB point
/// lookup for a key that is not there — the common case: every commissioning looks up a fresh item and a fresh record
/// id, and a miss cost ≈ 8 µs (memtable, then a bloom probe per SST level) against ≈ 20 ns here.
/// <para>
/// No false negatives once <see cref="IsComplete"/>: every writer of the family adds its keys here before writing them,
/// and a background scan (<see cref="LaneStore"/>) adds what was on disk when it started. Until the scan is done,
/// <see cref="MayContain"/> answers true for everything, so callers look in RocksDB as before. False positives (≈ 0.5 %
/// at the 16 bits per key used here) also just cost that lookup.
/// </para>
/// <para>
/// Split-block layout (one 64-byte block of eight words per key, one bit set in each word), in segments that double in
/// capacity as keys are added, so the filter needs no size up front. Thread-safe: adds use interlocked ORs, growth a lock.
/// </para>
/// <para>
/// Bounded: a filter holds at most <see cref="DefaultMaxBytes"/> (1 GiB, about 500 million keys). When the next segment
/// would pass it, the filter stops filtering (every answer "may contain", adds are ignored): lookups go to RocksDB and
/// its bloom filters as they would without this filter, and memory does not grow with the ledger (ADR 0011).
/// </para>
/// </summary>
internal sealed class KeyFilter
{
    private const int BitsPerKey = 16;
    private const int WordsPerBlock = 8;
    private const long MinCapacity = 1 << 16;

    /// <summary>The bound on a filter's bit arrays.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    private readonly Lock _grow = new();
    private readonly long _maxBytes;
    private volatile Segment[] _segments;
    private volatile bool _complete;
    private volatile bool _overflowed;

    /// <param name="expected">Keys expected (e.g. RocksDB's estimate for the family); the first segment holds twice that (within the bound).</param>
    /// <param name="maxBytes">The bound on the bit arrays.</param>
    public KeyFilter(long expected = 0, long maxBytes = DefaultMaxBytes)
    {
        _maxBytes = maxBytes;
        var capacity = Math.Max(MinCapacity, 2 * expected);
        while (capacity > MinCapacity && SegmentBytes(capacity) > maxBytes)
            capacity /= 2;
        _segments = [new Segment(capacity)];
    }

    /// <summary>True when the bound was reached: the filter no longer filters.</summary>
    public bool Overflowed => _overflowed;

    private static long SegmentBytes(long capacity) => capacity * BitsPerKey / 8;

    /// <summary>True once every key on disk has been added: from then on a false <see cref="MayContain"/> is definite.</summary>
    public bool IsComplete => _complete;

    /// <summary>Bytes of the filter's bit arrays.</summary>
    public long Bytes => _segments.Sum(s => s.Words.LongLength * sizeof(ulong));

    /// <summary>How many keys were added (a key added twice counts twice).</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var s in _segments)
                n += Math.Min(Volatile.Read(ref s.Count), s.Capacity);
            return n;
        }
    }

    /// <summary>Adds a key (at least 16 bytes, uniformly distributed).</summary>
    public void Add(ReadOnlySpan<byte> key)
    {
        var last = _segments[^1];
        while (Interlocked.Increment(ref last.Count) > last.Capacity)
        {
            if (Grow(last) is not { } next)
                return;
            last = next;
        }
        last.Set(key);
    }

    /// <summary>False only when the key is definitely absent (which needs <see cref="IsComplete"/>).</summary>
    public bool MayContain(ReadOnlySpan<byte> key)
    {
        if (!_complete || _overflowed)
            return true;
        foreach (var s in _segments)
            if (s.Test(key))
                return true;
        return false;
    }

    /// <summary>Marks the filter complete: call after every key on disk was added (by a scan that started after this filter was wired into the family's writers).</summary>
    public void MarkComplete() => _complete = true;

    /// <summary>The next segment, or null when it would pass the bound (the filter has stopped filtering).</summary>
    private Segment? Grow(Segment full)
    {
        lock (_grow)
        {
            var segments = _segments;
            if (!ReferenceEquals(segments[^1], full))
                return segments[^1]; // another thread grew it
            if (_overflowed || Bytes + SegmentBytes(full.Capacity * 2) > _maxBytes)
            {
                _overflowed = true;
                return null;
            }
            var next = new Segment(full.Capacity * 2);
            _segments = [.. segments, next];
            return next;
        }
    }

    private sealed class Segment
    {
        public readonly ulong[] Words;
        public readonly long Capacity;
        public long Count;
        private readonly ulong _blocks;

        public Segment(long capacity)
        {
            Capacity = capacity;
            _blocks = (ulong)Math.Max(1, capacity * BitsPerKey / (WordsPerBlock * 64));
            Words = new ulong[_blocks * WordsPerBlock];
        }

        public void Set(ReadOnlySpan<byte> key)
        {
            var (start, bits) = Locate(key);
            for (var i = 0; i < WordsPerBlock; i++)
                Interlocked.Or(ref Words[start + i], 1UL << (int)((bits >> (6 * i)) & 63));
        }

        public bool Test(ReadOnlySpan<byte> key)
        {
            var (start, bits) = Locate(key);
            for (var i = 0; i < WordsPerBlock; i++)
            {
                if ((Volatile.Read(ref Words[start + i]) & (1UL << (int)((bits >> (6 * i)) & 63))) == 0)
                    return false;
            }
            return true;
        }

        private (long Start, ulong Bits) Locate(ReadOnlySpan<byte> key)
        {
            var h1 = BinaryPrimitives.ReadUInt64LittleEndian(key);
            var h2 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
            var block = (ulong)(((UInt128)h1 * _blocks) >> 64);
            return ((long)block * WordsPerBlock, h2);
        }
    }
}
