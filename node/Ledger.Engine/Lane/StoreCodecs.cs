using System.Buffers.Binary;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Storage.Segments;

namespace Ledger.Engine.Lane;

/// <summary>
/// Keys of the store's lane-scoped entries (docs/spec/lane.md §2). A store holds many lanes: each gets a compact lane
/// number (4 bytes, big-endian) in the <c>lanes</c> family, and every entry that belongs to one lane (headers,
/// certificates, block locations, batch trees, state deltas, log nodes, the lane's head and state-map checkpoint) is
/// keyed by that number first. Number 1 is always the node's own lane.
/// </summary>
internal static class LaneKeys
{
    /// <summary>The node's own lane.</summary>
    public const int OwnLane = 1;

    /// <summary>Bytes of a lane number in a key.</summary>
    public const int PrefixLength = 4;

    /// <summary>The 4-byte prefix of lane <paramref name="lane"/>.</summary>
    public static byte[] Prefix(int lane)
    {
        var b = new byte[PrefixLength];
        BinaryPrimitives.WriteInt32BigEndian(b, lane);
        return b;
    }

    /// <summary>lane ‖ key.</summary>
    public static byte[] Of(int lane, ReadOnlySpan<byte> key)
    {
        var b = new byte[PrefixLength + key.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, lane);
        key.CopyTo(b.AsSpan(PrefixLength));
        return b;
    }

    /// <summary>lane ‖ height (8 bytes BE): headers, certs, blocks, state-deltas.</summary>
    public static byte[] Height(int lane, long height)
    {
        var b = new byte[PrefixLength + 8];
        BinaryPrimitives.WriteInt32BigEndian(b, lane);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(PrefixLength), height);
        return b;
    }

    /// <summary>The height of a lane ‖ height key, or -1 when the key has another shape.</summary>
    public static long HeightOf(ReadOnlySpan<byte> key) => key.Length == PrefixLength + 8 ? BinaryPrimitives.ReadInt64BigEndian(key[PrefixLength..]) : -1;

    /// <summary>The lane number of a lane-scoped key.</summary>
    public static int LaneOf(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt32BigEndian(key);

    /// <summary>
    /// A <c>history</c> key: state key (32) ‖ lane (4) ‖ log index in that lane (8), 44 bytes. A 40-byte key (state key ‖
    /// log index) was written before stores were keyed by lane and is the own lane's: it sorts before the own lane's
    /// 44-byte keys, whose log indices follow it.
    /// </summary>
    public static byte[] History(Hash32 stateKey, int lane, long logIndex)
    {
        var b = new byte[Hash32.Length + PrefixLength + 8];
        stateKey.CopyTo(b);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(Hash32.Length), lane);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(Hash32.Length + PrefixLength), logIndex);
        return b;
    }

    /// <summary>The lane and log index of a <c>history</c> key (40-byte keys: the own lane).</summary>
    /// <exception cref="InvalidOperationException">Neither 40 nor 44 bytes.</exception>
    public static (int Lane, long LogIndex) DecodeHistory(ReadOnlySpan<byte> key) => key.Length switch
    {
        Hash32.Length + 8 => (OwnLane, BinaryPrimitives.ReadInt64BigEndian(key[Hash32.Length..])),
        Hash32.Length + PrefixLength + 8 => (BinaryPrimitives.ReadInt32BigEndian(key[Hash32.Length..]), BinaryPrimitives.ReadInt64BigEndian(key[(Hash32.Length + PrefixLength)..])),
        _ => throw new InvalidOperationException($"a history key is {key.Length} bytes, expected 40 or 44: the store is damaged"),
    };
}

/// <summary>A <c>blocks</c> value: where a block's frame is (segment 8 ‖ offset 8 ‖ length 4, big-endian).</summary>
internal static class BlockLocationCodec
{
    public static byte[] Encode(BlockLocation l)
    {
        var b = new byte[20];
        BinaryPrimitives.WriteUInt64BigEndian(b, l.Segment);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(8), l.Offset);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), l.Length);
        return b;
    }

    public static BlockLocation Decode(ReadOnlySpan<byte> b) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(b), BinaryPrimitives.ReadInt64BigEndian(b[8..]), BinaryPrimitives.ReadInt32BigEndian(b[16..]));
}

/// <summary>
/// A <c>records</c> value: lane (4) ‖ height (8) ‖ batch (4) ‖ index (4) ‖ log index (8) ‖ span offset (4) ‖ span length
/// (4), big-endian, 36 bytes. Values written before stores were keyed by lane have no lane (32 bytes, or 24 before spans
/// were kept: span unknown) and are the own lane's.
/// </summary>
internal static class RecordLocationCodec
{
    public static byte[] Encode(RecordLocation l)
    {
        var b = new byte[36];
        BinaryPrimitives.WriteInt32BigEndian(b, l.Lane);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(4), l.Height);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), l.Batch);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(16), l.Index);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(20), l.LogIndex);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(28), l.Offset);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(32), l.Length);
        return b;
    }

    /// <exception cref="InvalidOperationException">The value is not 24, 32 or 36 bytes.</exception>
    public static RecordLocation Decode(ReadOnlySpan<byte> b)
    {
        var lane = LaneKeys.OwnLane;
        if (b.Length == 36)
        {
            lane = BinaryPrimitives.ReadInt32BigEndian(b);
            b = b[4..];
        }
        else if (b.Length is not (24 or 32))
        {
            throw new InvalidOperationException($"a records value is {b.Length} bytes, expected 36 (or 24 or 32 in a store written before lanes): the store is damaged");
        }
        var l = new RecordLocation(BinaryPrimitives.ReadInt64BigEndian(b), BinaryPrimitives.ReadInt32BigEndian(b[8..]), BinaryPrimitives.ReadInt32BigEndian(b[12..]),
            BinaryPrimitives.ReadInt64BigEndian(b[16..])) { Lane = lane };
        return b.Length == 24 ? l : l with { Offset = BinaryPrimitives.ReadInt32BigEndian(b[24..]), Length = BinaryPrimitives.ReadInt32BigEndian(b[28..]) };
    }
}

/// <summary>A <c>batches</c> value: lane (4) ‖ height (8); 8 bytes (height only) in a store written before lanes (the own lane).</summary>
internal static class BatchPlaceCodec
{
    public static byte[] Encode(int lane, long height) => LaneKeys.Height(lane, height);

    public static (int Lane, long Height) Decode(ReadOnlySpan<byte> b) => b.Length switch
    {
        8 => (LaneKeys.OwnLane, BinaryPrimitives.ReadInt64BigEndian(b)),
        12 => (BinaryPrimitives.ReadInt32BigEndian(b), BinaryPrimitives.ReadInt64BigEndian(b[4..])),
        _ => throw new InvalidOperationException($"a batches value is {b.Length} bytes, expected 12: the store is damaged"),
    };
}

/// <summary>A <c>lanes</c> entry: key lane number (4 BE), value the lane's address (20 bytes).</summary>
internal static class LaneEntryCodec
{
    public static byte[] Encode(Address lane) => lane.ToBytes();

    public static Address Decode(ReadOnlySpan<byte> b) =>
        b.Length == 20 ? new Address(b.ToArray()) : throw new InvalidOperationException($"a lanes value is {b.Length} bytes, expected 20: the store is damaged");
}

/// <summary>
/// A <c>held</c> entry: what the applier keeps for a block not yet applied (docs/spec/lane.md §4.1). Key lane (4) ‖
/// height (8) ‖ header hash (32) ‖ kind (1), then for a cosignature the cosigning node (20). Kind 1: a block held for a
/// dependency, value its encoding (records.md §5). Kind 2: a cosignature that arrived before its block, value the
/// signature (65 bytes).
/// </summary>
internal static class HeldEntryCodec
{
    public const byte BlockKind = 1, CosignatureKind = 2;

    private const int HeaderEnd = LaneKeys.PrefixLength + 8 + Hash32.Length;

    public static byte[] BlockKey(int lane, long height, Hash32 headerHash) => Key(lane, height, headerHash, BlockKind, 0);

    public static byte[] CosignatureKey(int lane, long height, Hash32 headerHash, Address node)
    {
        var b = Key(lane, height, headerHash, CosignatureKind, Address.Length);
        node.ToBytes().CopyTo(b.AsSpan(HeaderEnd + 1));
        return b;
    }

    private static byte[] Key(int lane, long height, Hash32 headerHash, byte kind, int extra)
    {
        var b = new byte[HeaderEnd + 1 + extra];
        BinaryPrimitives.WriteInt32BigEndian(b, lane);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(LaneKeys.PrefixLength), height);
        headerHash.CopyTo(b.AsSpan(LaneKeys.PrefixLength + 8));
        b[HeaderEnd] = kind;
        return b;
    }

    /// <exception cref="InvalidOperationException">The key has neither shape.</exception>
    public static (int Lane, long Height, Hash32 HeaderHash, byte Kind, Address? Node) DecodeKey(ReadOnlySpan<byte> b)
    {
        var lane = BinaryPrimitives.ReadInt32BigEndian(b);
        if (b.Length == HeaderEnd + 1 && b[HeaderEnd] == BlockKind)
            return (lane, BinaryPrimitives.ReadInt64BigEndian(b[LaneKeys.PrefixLength..]), new Hash32(b[(LaneKeys.PrefixLength + 8)..HeaderEnd]), BlockKind, null);
        if (b.Length == HeaderEnd + 1 + Address.Length && b[HeaderEnd] == CosignatureKind)
            return (lane, BinaryPrimitives.ReadInt64BigEndian(b[LaneKeys.PrefixLength..]), new Hash32(b[(LaneKeys.PrefixLength + 8)..HeaderEnd]), CosignatureKind,
                new Address(b[(HeaderEnd + 1)..].ToArray()));
        throw new InvalidOperationException($"a held key is {b.Length} bytes (kind {(b.Length > HeaderEnd ? b[HeaderEnd] : 0)}), expected 45 (kind 1) or 65 (kind 2): the store is damaged");
    }

    public static byte[] EncodeSignature(Signature signature) => signature.ToBytes();

    public static Signature DecodeSignature(ReadOnlySpan<byte> b) => b.Length == 65
        ? Signature.FromBytes(b)
        : throw new InvalidOperationException($"a held cosignature is {b.Length} bytes, expected 65: the store is damaged");
}
