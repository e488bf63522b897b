// WRITE-FAILURE POLICY: stop writing, never limp on.
// If any write, fsync, truncation or file creation throws, the store records the failure and refuses every later
// Append and Flush with InvalidOperationException. After a failed write or fsync the state of the file (and of the
// OS page cache) is unknown: retrying could acknowledge bytes that were never made durable. Two ways forward: dispose
// the store and Open it again, which truncates the files back to what the RocksDB index says was committed; or
// RecoverAfterFailure(lastDurable) (BlockSegmentStore.Faults.cs), which cuts back to the caller's last durable frame
// without trusting the failed writer's buffer, and takes writes again. The failed frame is never reused.
// Reads keep working (they verify every frame's length and CRC-32C).

using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Ledger.Storage.Segments;

/// <summary>
/// Append-only storage for opaque block bodies in segment files <c>seg-000000000001.dat</c>, … (ADR 0003; byte layout
/// in docs/spec/storage-segments.md and <see cref="SegmentFormat"/>). Write path: <see cref="Append"/> the body,
/// <see cref="Flush"/> (fsync), then commit the returned <see cref="BlockLocation"/> in the RocksDB index; on restart pass
/// the last committed location to <see cref="Open"/>, which truncates everything after it.
/// One writer; all members are serialized by a lock.
/// </summary>
public sealed partial class BlockSegmentStore : IDisposable
{
    private const int WriteBufferSize = 64 * 1024;

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly BlockSegmentStoreOptions _options;
    private FileStream? _current;
    private ulong _currentSegment;
    private long _currentLength;
    private int _framesInCurrent;
    private Exception? _writeFailure;
    private bool _disposed;
    // Read-only handles for ReadSlice, one per segment, opened on first use and closed by Dispose. RandomAccess.Read on
    // a SafeFileHandle is positional and thread-safe, so readers share them without a lock around the read.
    private readonly Dictionary<ulong, SafeFileHandle> _readHandles = [];

    private BlockSegmentStore(string directory, BlockSegmentStoreOptions options)
    {
        _directory = directory;
        _options = options;
        Recovery = new SegmentRecovery(null, 0, 0, []);
    }

    /// <summary>The directory holding the segment files.</summary>
    public string Directory => _directory;

    /// <summary>What <see cref="Open"/> truncated or deleted.</summary>
    public SegmentRecovery Recovery { get; private set; }

    /// <summary>The segment currently appended to.</summary>
    public ulong CurrentSegment
    {
        get
        {
            lock (_lock)
                return _currentSegment;
        }
    }

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="directory"/> and recovers it: every byte after the end
    /// of the frame at <paramref name="lastCommitted"/> is an uncommitted or torn tail and is cut off; later segment files
    /// are deleted. <c>null</c> means nothing was committed: every segment file is deleted. The committed frame itself
    /// is verified (length and CRC-32C), and the header of every segment up to it is checked.
    /// </summary>
    /// <exception cref="SegmentCorruptException">A header is bad, or the committed frame is missing or damaged.</exception>
    public static BlockSegmentStore Open(string directory, BlockLocation? lastCommitted, BlockSegmentStoreOptions? options = null)
    {
        options ??= new BlockSegmentStoreOptions();
        if (options.SegmentSizeLimit < SegmentFormat.HeaderSize + SegmentFormat.FrameHeaderSize)
            throw new ArgumentOutOfRangeException(nameof(options), options.SegmentSizeLimit, "SegmentSizeLimit must leave room for the header and one frame header (40 bytes)");
        System.IO.Directory.CreateDirectory(directory);
        var segments = ListSegments(directory);
        var keep = lastCommitted?.Segment ?? 0;

        if (lastCommitted is { } committed)
        {
            if (!segments.Contains(committed.Segment))
                throw new SegmentCorruptException(SegmentFormat.FileName(committed.Segment), committed.Offset, "the file holding the last committed frame does not exist");
            var expected = 1UL;
            foreach (var s in segments.Where(s => s <= keep))
            {
                if (s != expected)
                    throw MissingSegment(expected, s);
                ValidateHeader(directory, s);
                expected++;
            }
        }

        if (options.MaxUncommittedFrames is { } max)
        {
            var after = CountFramesAfter(directory, lastCommitted, segments);
            if (after > max)
            {
                throw new SegmentCorruptException(SegmentFormat.FileName(lastCommitted?.Segment ?? 1), lastCommitted?.End ?? SegmentFormat.HeaderSize, string.Create(CultureInfo.InvariantCulture,
                    $"{after} complete frames follow the last committed frame, more than the {max} a crash can leave: the index is behind the segments (damaged or replaced); nothing was cut"));
            }
        }

        var deleted = new List<string>();
        foreach (var s in segments.Where(s => s > keep).OrderDescending())
        {
            File.Delete(Path.Combine(directory, SegmentFormat.FileName(s)));
            deleted.Add(SegmentFormat.FileName(s));
        }
        deleted.Reverse();

        string? truncatedFile = null;
        long truncatedFrom = 0, truncatedBytes = 0;
        var store = new BlockSegmentStore(directory, options);
        if (lastCommitted is { } last)
        {
            var name = SegmentFormat.FileName(last.Segment);
            var path = Path.Combine(directory, name);
            using (var reader = SegmentReader.Open(path))
                _ = SegmentFormat.ReadFrame(reader, name, last.Offset, reader.Length, last.Length);
            var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, WriteBufferSize);
            try
            {
                if (stream.Length > last.End)
                {
                    truncatedFile = name;
                    truncatedFrom = last.End;
                    truncatedBytes = stream.Length - last.End;
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
            store._current = stream;
            store._currentSegment = last.Segment;
            store._currentLength = last.End;
            store._framesInCurrent = 1; // at least the committed frame
        }
        else
        {
            store.StartSegment(1);
        }
        if (deleted.Count > 0)
            SegmentFormat.SyncDirectory(directory);
        store.Recovery = new SegmentRecovery(truncatedFile, truncatedFrom, truncatedBytes, deleted);
        return store;
    }

    /// <summary>
    /// Appends <paramref name="body"/> as one frame, starting a new segment first if the current one would exceed
    /// <see cref="BlockSegmentStoreOptions.SegmentSizeLimit"/>. Not durable until <see cref="Flush"/> returns.
    /// </summary>
    /// <exception cref="InvalidOperationException">An earlier write failed (see the write-failure policy).</exception>
    public BlockLocation Append(ReadOnlySpan<byte> body)
    {
        if (body.Length > SegmentFormat.MaxPayloadLength)
            throw new ArgumentOutOfRangeException(nameof(body), body.Length, string.Create(CultureInfo.InvariantCulture, $"a block body may be at most {SegmentFormat.MaxPayloadLength} bytes"));
        lock (_lock)
        {
            EnsureWritable();
            try
            {
                var frameSize = (long)SegmentFormat.FrameHeaderSize + body.Length;
                if (_framesInCurrent > 0 && _currentLength + frameSize > _options.SegmentSizeLimit)
                    StartSegment(_currentSegment + 1);
                Span<byte> head = stackalloc byte[SegmentFormat.FrameHeaderSize];
                SegmentFormat.WriteFrameHeader(head, body);
                var stream = _current!;
                stream.Write(head);
                stream.Write(body);
                var location = new BlockLocation(_currentSegment, _currentLength, body.Length);
                _currentLength += frameSize;
                _framesInCurrent++;
                return location;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                _writeFailure = e;
                throw;
            }
        }
    }

    /// <summary>Makes every appended frame durable: writes the buffer and fsyncs the current segment (<c>Flush(true)</c>).</summary>
    /// <exception cref="InvalidOperationException">An earlier write failed (see the write-failure policy).</exception>
    public void Flush() => FlushCore(toDisk: true);

    // Writes the buffer to the OS and, with toDisk, fsyncs it; a failure is remembered and refuses later writes.
    private void FlushCore(bool toDisk)
    {
        lock (_lock)
        {
            EnsureWritable();
            try
            {
                _current!.Flush(flushToDisk: toDisk);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                _writeFailure = e;
                throw;
            }
        }
    }

    /// <summary>Reads the body at <paramref name="location"/>, verifying the frame's length against the location and its CRC-32C.</summary>
    /// <exception cref="SegmentCorruptException">The file is missing, or the frame does not check out.</exception>
    public byte[] Read(BlockLocation location)
    {
        var name = SegmentFormat.FileName(location.Segment);
        var path = Path.Combine(_directory, name);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (location.Segment == _currentSegment)
                FlushBufferToOs(); // make buffered frames visible to the reader below
        }
        if (!File.Exists(path))
            throw new SegmentCorruptException(name, location.Offset, "the segment file does not exist");
        using var reader = SegmentReader.Open(path);
        return SegmentFormat.ReadFrame(reader, name, location.Offset, reader.Length, location.Length);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes at <paramref name="offset"/> inside the payload of the frame at
    /// <paramref name="location"/> (a positional read of just those bytes; the file handle is kept open per segment).
    /// The range is checked against the frame's length, but the frame's CRC-32C is NOT verified (that needs the whole
    /// payload): the caller checks the content, e.g. a record slice by comparing the SHA-256 of the bytes with the
    /// record id it expects.
    /// </summary>
    /// <exception cref="SegmentCorruptException">The range lies outside the frame, or the file is missing or ends before it; the segment is named.</exception>
    public byte[] ReadSlice(BlockLocation location, int offset, int length)
    {
        var name = SegmentFormat.FileName(location.Segment);
        if (offset < 0 || length < 0 || (long)offset + length > location.Length)
        {
            throw new SegmentCorruptException(name, location.Offset, string.Create(CultureInfo.InvariantCulture,
                $"the slice at payload offset {offset} of {length} bytes lies outside the frame's {location.Length}-byte payload"));
        }
        SafeFileHandle handle;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (location.Segment == _currentSegment)
                FlushBufferToOs(); // make buffered frames visible to the read below
            if (!_readHandles.TryGetValue(location.Segment, out handle!))
            {
                var path = Path.Combine(_directory, name);
                if (!File.Exists(path))
                    throw new SegmentCorruptException(name, location.Offset, "the segment file does not exist");
                handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                _readHandles.Add(location.Segment, handle);
            }
        }
        var result = new byte[length];
        var at = location.Offset + SegmentFormat.FrameHeaderSize + offset;
        var done = 0;
        while (done < length)
        {
            var n = RandomAccess.Read(handle, result.AsSpan(done), at + done);
            if (n <= 0)
                throw new SegmentCorruptException(name, at + done, "the file ends inside the slice");
            done += n;
        }
        return result;
    }

    /// <summary>
    /// Enumerates every frame of every segment in order, verifying headers, lengths and CRC-32Cs (for an offline
    /// <c>store verify</c>). Throws <see cref="SegmentCorruptException"/> at the first bad header or frame, with its location.
    /// </summary>
    public IEnumerable<SegmentFrame> Scan()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FlushBufferToOs();
        }
        return ScanDirectory(_directory);
    }

    /// <summary>Like <see cref="Scan"/>, on a directory that no store has open.</summary>
    public static IEnumerable<SegmentFrame> ScanDirectory(string directory)
    {
        var expected = 1UL;
        foreach (var segment in ListSegments(directory))
        {
            if (segment != expected)
                throw MissingSegment(expected, segment);
            expected++;
            var name = SegmentFormat.FileName(segment);
            using var reader = SegmentReader.Open(Path.Combine(directory, name));
            var length = reader.Length;
            var header = new byte[SegmentFormat.HeaderSize];
            if (length >= SegmentFormat.HeaderSize)
                reader.ReadExactly(header, 0);
            SegmentFormat.ValidateHeader(header, length, segment);
            var offset = (long)SegmentFormat.HeaderSize;
            while (offset < length)
            {
                var body = SegmentFormat.ReadFrame(reader, name, offset, length, expectedLength: null);
                var location = new BlockLocation(segment, offset, body.Length);
                yield return new SegmentFrame(location, body);
                offset = location.End;
            }
        }
    }

    /// <summary>Writes buffered frames (without fsync, unless a failure stopped writing) and closes the current segment.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            try
            {
                if (_writeFailure is null)
                    _current?.Flush(flushToDisk: false);
            }
            finally
            {
                _current?.Dispose();
                foreach (var handle in _readHandles.Values)
                    handle.Dispose();
                _readHandles.Clear();
            }
        }
    }

    /// <summary>Hands buffered frames to the OS (no fsync) so that readers see them; a failure stops writing.</summary>
    private void FlushBufferToOs()
    {
        if (_writeFailure is not null || _current is null)
            return;
        try
        {
            _current.Flush(flushToDisk: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _writeFailure = e;
            throw;
        }
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writeFailure is not null)
            throw new InvalidOperationException(
                $"the segment store stopped writing after a failed write ({_writeFailure.Message}); dispose it and Open it again to recover from the committed index",
                _writeFailure);
    }

    /// <summary>fsyncs and closes the current segment, then creates segment <paramref name="segment"/> with its header, fsynced with its directory.</summary>
    private void StartSegment(ulong segment)
    {
        if (_current is not null)
        {
            _current.Flush(flushToDisk: true); // frames appended before the rollover are durable once the next Flush returns
            _current.Dispose();
            _current = null;
        }
        var path = Path.Combine(_directory, SegmentFormat.FileName(segment));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, WriteBufferSize);
        try
        {
            Span<byte> header = stackalloc byte[SegmentFormat.HeaderSize];
            SegmentFormat.WriteHeader(header, segment);
            stream.Write(header);
            stream.Flush(flushToDisk: true);
            SegmentFormat.SyncDirectory(_directory);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        _current = stream;
        _currentSegment = segment;
        _currentLength = SegmentFormat.HeaderSize;
        _framesInCurrent = 0;
    }

    private static SegmentCorruptException MissingSegment(ulong missing, ulong found) =>
        new(SegmentFormat.FileName(missing), 0, $"the segment file is missing ({SegmentFormat.FileName(found)} exists; segments are numbered from 1 without gaps)");

    private static void ValidateHeader(string directory, ulong segment)
    {
        using var reader = SegmentReader.Open(Path.Combine(directory, SegmentFormat.FileName(segment)));
        var length = reader.Length;
        var header = new byte[SegmentFormat.HeaderSize];
        if (length >= SegmentFormat.HeaderSize)
            reader.ReadExactly(header, 0);
        SegmentFormat.ValidateHeader(header, length, segment);
    }

    /// <summary>True when <paramref name="directory"/> holds a segment file with anything past its header (a frame, or part of one).</summary>
    public static bool HoldsFrames(string directory) =>
        ListSegments(directory).Any(s => new FileInfo(Path.Combine(directory, SegmentFormat.FileName(s))).Length > SegmentFormat.HeaderSize);

    private static List<ulong> ListSegments(string directory)
    {
        var list = new List<ulong>();
        if (!System.IO.Directory.Exists(directory))
            return list;
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "seg-*.dat"))
        {
            if (SegmentFormat.TryParseFileName(Path.GetFileName(path), out var s))
                list.Add(s);
        }
        list.Sort();
        return list;
    }
}
