using System.Buffers.Binary;
using System.Globalization;
using Ledger.Storage.Segments;
using Microsoft.Win32.SafeHandles;

namespace Ledger.Engine.Verification;

/// <summary>
/// Reads the frames of a segment directory in order (layout: docs/spec/storage-segments.md) and, unlike
/// <see cref="BlockSegmentStore.ScanDirectory"/>, tells a torn frame (one that runs past the end of its file) from a CRC
/// mismatch. Opens every file read-only and stops at the first problem.
/// </summary>
internal static class SegmentScanner
{
    public abstract record Item;

    /// <summary>A complete frame whose CRC-32C matches.</summary>
    public sealed record Frame(string File, BlockLocation Location, byte[] Body) : Item;

    /// <summary>The first problem: a <see cref="StoreChecks"/> name, the file, the offset and what is wrong.</summary>
    public sealed record Problem(string Check, string File, long Offset, string Reason) : Item;

    public static IEnumerable<Item> Scan(string directory)
    {
        if (!Directory.Exists(directory))
            yield break;
        var segments = Directory.EnumerateFiles(directory)
            .Select(path => SegmentFormat.TryParseFileName(Path.GetFileName(path), out var s) ? s : 0)
            .Where(s => s > 0)
            .Order()
            .ToList();
        var expected = 1UL;
        foreach (var segment in segments)
        {
            var name = SegmentFormat.FileName(segment);
            if (segment != expected)
            {
                yield return new Problem(StoreChecks.SegmentFile, SegmentFormat.FileName(expected), 0, $"the segment file is missing (the next one present is {name})");
                yield break;
            }
            expected++;
            using var handle = File.OpenHandle(Path.Combine(directory, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (HeaderProblem(handle, length, segment) is { } bad)
            {
                yield return bad;
                yield break;
            }
            var offset = (long)SegmentFormat.HeaderSize;
            var head = new byte[SegmentFormat.FrameHeaderSize];
            while (offset < length)
            {
                if (offset + SegmentFormat.FrameHeaderSize > length)
                {
                    yield return new Problem(StoreChecks.FrameTorn, name, offset, Invariant(
                        $"torn frame: only {length - offset} of the {SegmentFormat.FrameHeaderSize} frame-header bytes are in the file (size {length})"));
                    yield break;
                }
                ReadExactly(handle, head, offset);
                var payloadLength = BinaryPrimitives.ReadUInt32BigEndian(head);
                var crc = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(4));
                var present = length - offset - SegmentFormat.FrameHeaderSize;
                if (payloadLength > SegmentFormat.MaxPayloadLength || payloadLength > present)
                {
                    yield return new Problem(StoreChecks.FrameTorn, name, offset, Invariant(
                        $"torn frame: the length field says {payloadLength} payload bytes, only {present} are in the file (size {length})"));
                    yield break;
                }
                var body = new byte[payloadLength];
                ReadExactly(handle, body, offset + SegmentFormat.FrameHeaderSize);
                var actual = Crc32C.Compute(body);
                if (actual != crc)
                {
                    yield return new Problem(StoreChecks.FrameCrc, name, offset, Invariant(
                        $"CRC32C 0x{crc:x8} does not match the payload of {payloadLength} bytes (0x{actual:x8})"));
                    yield break;
                }
                var location = new BlockLocation(segment, offset, (int)payloadLength);
                yield return new Frame(name, location, body);
                offset = location.End;
            }
        }
    }

    private static Problem? HeaderProblem(SafeFileHandle handle, long length, ulong segment)
    {
        var header = new byte[SegmentFormat.HeaderSize];
        if (length >= SegmentFormat.HeaderSize)
            ReadExactly(handle, header, 0);
        try
        {
            SegmentFormat.ValidateHeader(header, length, segment);
            return null;
        }
        catch (SegmentCorruptException e)
        {
            return new Problem(StoreChecks.SegmentFile, e.FileName, e.Offset, e.Reason);
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (n <= 0)
                throw new EndOfStreamException(Invariant($"unexpected end of file at offset {offset + done}"));
            done += n;
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
