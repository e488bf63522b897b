namespace Ledger.Storage.Segments;

/// <summary>
/// The two ways out of a fault that do not need a restart: going back to the last durable frame after a failed write,
/// and a store opened for reading only when its committed frames do not check out (docs/spec/storage-segments.md,
/// "Write-failure policy").
/// </summary>
public sealed partial class BlockSegmentStore
{
    /// <summary>
    /// After a failed write: drops the writer without trusting what it buffered or wrote, cuts the segment back to the end
    /// of <paramref name="lastDurable"/> (the last frame the caller made durable and will commit, null = none), deletes every
    /// later segment, fsyncs, and takes writes again. The failed frame is never reused: after a failed fsync its bytes are
    /// unknown. Also a no-op check when nothing failed.
    /// </summary>
    /// <exception cref="IOException">The cut failed; the store still refuses writes.</exception>
    public void RecoverAfterFailure(BlockLocation? lastDurable)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                if (_current is not null)
                {
                    try
                    {
                        _current.Dispose(); // may try to write its buffer once more: whatever it writes is cut below
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // the handle is closed either way
                    }
                    _current = null;
                }
                var keep = lastDurable?.Segment ?? 0;
                var deleted = false;
                foreach (var s in ListSegments(_directory).Where(s => s > keep))
                {
                    if (_readHandles.Remove(s, out var handle))
                        handle.Dispose();
                    File.Delete(Path.Combine(_directory, SegmentFormat.FileName(s)));
                    deleted = true;
                }
                if (deleted)
                    SegmentFormat.SyncDirectory(_directory);
                if (lastDurable is { } last)
                {
                    var stream = new FileStream(Path.Combine(_directory, SegmentFormat.FileName(last.Segment)), FileMode.Open, FileAccess.ReadWrite, FileShare.Read, WriteBufferSize);
                    try
                    {
                        if (stream.Length != last.End)
                        {
                            if (stream.Length < last.End)
                                throw new SegmentCorruptException(SegmentFormat.FileName(last.Segment), last.Offset, "the last durable frame is not in the file any more");
                            stream.SetLength(last.End);
                            stream.Flush(flushToDisk: true);
                        }
                        stream.Position = last.End;
                    }
                    catch
                    {
                        stream.Dispose();
                        throw;
                    }
                    _current = stream;
                    _currentSegment = last.Segment;
                    _currentLength = last.End;
                    _framesInCurrent = 1;
                }
                else
                {
                    StartSegment(1);
                }
                _writeFailure = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SegmentCorruptException)
            {
                _writeFailure = e;
                throw;
            }
        }
    }

    /// <summary>
    /// Opens the segments in <paramref name="directory"/> for reading only, touching nothing: for a store whose recovery
    /// found <paramref name="damage"/> (a damaged committed frame or header). Every Append and Flush is refused naming it;
    /// reads verify each frame as always, so the damaged frame is never returned.
    /// </summary>
    public static BlockSegmentStore OpenForReading(string directory, SegmentCorruptException damage)
    {
        ArgumentNullException.ThrowIfNull(damage);
        var store = new BlockSegmentStore(directory, new BlockSegmentStoreOptions())
        {
            _writeFailure = damage,
            _currentSegment = ulong.MaxValue,
        };
        return store;
    }

    /// <summary>Intact, complete frames after <paramref name="head"/>'s end, in its segment and every later one (stops at the first bad one).</summary>
    private static int CountFramesAfter(string directory, BlockLocation? head, List<ulong> segments)
    {
        var count = 0;
        foreach (var segment in segments.Where(s => s >= (head?.Segment ?? 1)))
        {
            var name = SegmentFormat.FileName(segment);
            using var reader = SegmentReader.Open(Path.Combine(directory, name));
            var length = reader.Length;
            var inHead = head is { } h && segment == h.Segment;
            var offset = inHead ? head!.Value.End : SegmentFormat.HeaderSize;
            try
            {
                if (!inHead)
                {
                    var header = new byte[SegmentFormat.HeaderSize];
                    if (length >= SegmentFormat.HeaderSize)
                        reader.ReadExactly(header, 0);
                    SegmentFormat.ValidateHeader(header, length, segment);
                }
                while (offset < length)
                {
                    var body = SegmentFormat.ReadFrame(reader, name, offset, length, expectedLength: null);
                    offset += SegmentFormat.FrameHeaderSize + body.Length;
                    count++;
                }
            }
            catch (SegmentCorruptException)
            {
                return count; // a torn or damaged frame: what follows was never committed after it
            }
        }
        return count;
    }

    /// <summary>
    /// Hands the appended frames to the OS (write, no fsync): a crash of the process keeps them in the page cache, a power
    /// loss may not. <see cref="Flush"/> then only fsyncs. Separate so that the seam between the two can be tested.
    /// </summary>
    /// <exception cref="InvalidOperationException">An earlier write failed (see the write-failure policy).</exception>
    public void WriteToOs() => FlushCore(toDisk: false);

    /// <summary>The failure that stopped writing, or null while the store takes writes.</summary>
    public Exception? WriteFailure
    {
        get
        {
            lock (_lock)
                return _writeFailure;
        }
    }
}
