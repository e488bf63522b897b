namespace Ledger.Storage.Segments;

/// <summary>
/// Where a block body lives: the segment number (file <c>seg-{Segment:D12}.dat</c>), the byte offset of its frame
/// (the frame's length field) in that file, and the payload length. The frame ends at
/// <c>Offset + 8 + Length</c>. This is what the RocksDB index stores for a block.
/// </summary>
/// <param name="Segment">Segment number, from 1.</param>
/// <param name="Offset">Offset of the frame's first byte in the segment file (at least the header size, 32).</param>
/// <param name="Length">Payload length in bytes.</param>
public readonly record struct BlockLocation(ulong Segment, long Offset, int Length)
{
    /// <summary>The offset of the first byte after this frame.</summary>
    public long End => Offset + SegmentFormat.FrameHeaderSize + Length;
}

/// <summary>One frame found by <see cref="BlockSegmentStore.Scan"/>: its location and verified payload.</summary>
public sealed record SegmentFrame(BlockLocation Location, byte[] Body);

/// <summary>What <see cref="BlockSegmentStore.Open"/> removed during recovery.</summary>
/// <param name="TruncatedFile">The file whose tail was cut, or null if no file had bytes past the committed end.</param>
/// <param name="TruncatedFrom">The new length of <paramref name="TruncatedFile"/> (the end of the last committed frame or the header).</param>
/// <param name="TruncatedBytes">How many bytes were cut from it.</param>
/// <param name="DeletedFiles">Segment files after the committed one that were deleted, in order.</param>
public sealed record SegmentRecovery(string? TruncatedFile, long TruncatedFrom, long TruncatedBytes, IReadOnlyList<string> DeletedFiles)
{
    /// <summary>True if recovery changed nothing on disk.</summary>
    public bool IsClean => TruncatedBytes == 0 && DeletedFiles.Count == 0;
}

/// <summary>Options of a <see cref="BlockSegmentStore"/>.</summary>
public sealed record BlockSegmentStoreOptions
{
    /// <summary>
    /// A new segment starts when appending a frame would make the current one larger than this (bytes, header included).
    /// A frame larger than the limit gets a segment of its own. Default 256 MiB.
    /// </summary>
    public long SegmentSizeLimit { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// The most complete, intact frames a crash can leave after the last committed one (null: no limit). When
    /// <see cref="BlockSegmentStore.Open"/> finds more, the index is behind the segments (a damaged or replaced index):
    /// it cuts nothing and throws <see cref="SegmentCorruptException"/>, since those frames may have been acknowledged.
    /// </summary>
    public int? MaxUncommittedFrames { get; init; }
}
