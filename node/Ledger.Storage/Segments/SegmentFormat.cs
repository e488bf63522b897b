using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Ledger.Storage.Segments;

/// <summary>
/// The byte layout of segment files (normative description: docs/spec/storage-segments.md). All integers big-endian.
/// <code>
/// header (32 bytes)
///   0  8  magic "LDGRSEG1"
///   8  2  format version (u16)            = 1
///  10  2  minimum compatible version (u16) = 1
///  12  8  segment number (u64), equal to the number in the file name
///  20 12  reserved, zero
/// frame (repeated from offset 32)
///   0  4  payload length (u32)
///   4  4  CRC-32C of the payload (u32)
///   8  n  payload
/// </code>
/// </summary>
public static class SegmentFormat
{
    /// <summary>Header size in bytes.</summary>
    public const int HeaderSize = 32;

    /// <summary>Frame header size (length + CRC) in bytes.</summary>
    public const int FrameHeaderSize = 8;

    /// <summary>The format version this code writes.</summary>
    public const ushort FormatVersion = 1;

    /// <summary>The minimum compatible version this code writes: a reader must understand at least this version.</summary>
    public const ushort MinCompatibleVersion = 1;

    /// <summary>The largest payload a frame may hold (so that offsets and lengths fit in an int-sized buffer).</summary>
    public const int MaxPayloadLength = int.MaxValue - 1024;

    /// <summary>The 8 magic bytes, ASCII "LDGRSEG1".</summary>
    public static ReadOnlySpan<byte> Magic => "LDGRSEG1"u8;

    /// <summary>The file name of segment <paramref name="segment"/>: <c>seg-000000000001.dat</c>.</summary>
    public static string FileName(ulong segment) => string.Create(CultureInfo.InvariantCulture, $"seg-{segment:D12}.dat");

    /// <summary>Parses a segment file name; false for any other name.</summary>
    public static bool TryParseFileName(string fileName, out ulong segment)
    {
        segment = 0;
        return fileName.Length == 20 && fileName.StartsWith("seg-", StringComparison.Ordinal) && fileName.EndsWith(".dat", StringComparison.Ordinal)
            && ulong.TryParse(fileName.AsSpan(4, 12), NumberStyles.None, CultureInfo.InvariantCulture, out segment) && segment > 0;
    }

    /// <summary>Writes the header of segment <paramref name="segment"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void WriteHeader(Span<byte> destination, ulong segment)
    {
        destination[..HeaderSize].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], FormatVersion);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], MinCompatibleVersion);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], segment);
    }

    /// <summary>Throws <see cref="SegmentCorruptException"/> unless <paramref name="header"/> is a header this code can read for <paramref name="segment"/>.</summary>
    public static void ValidateHeader(ReadOnlySpan<byte> header, long fileLength, ulong segment)
    {
        var name = FileName(segment);
        if (fileLength < HeaderSize || header.Length < HeaderSize)
            throw new SegmentCorruptException(name, 0, string.Create(CultureInfo.InvariantCulture, $"file is {fileLength} bytes, shorter than the {HeaderSize}-byte header"));
        if (!header[..8].SequenceEqual(Magic))
            throw new SegmentCorruptException(name, 0, $"magic is {Convert.ToHexStringLower(header[..8])}, expected \"LDGRSEG1\" ({Convert.ToHexStringLower(Magic)})");
        var version = BinaryPrimitives.ReadUInt16BigEndian(header[8..]);
        var minCompatible = BinaryPrimitives.ReadUInt16BigEndian(header[10..]);
        if (version == 0 || minCompatible == 0 || minCompatible > version)
            throw new SegmentCorruptException(name, 8, string.Create(CultureInfo.InvariantCulture, $"format version {version} with minimum compatible version {minCompatible} is not a valid pair"));
        if (minCompatible > FormatVersion)
            throw new SegmentCorruptException(name, 8, string.Create(CultureInfo.InvariantCulture, $"format version {version} needs a reader of version {minCompatible} or later; this reader is version {FormatVersion}"));
        var number = BinaryPrimitives.ReadUInt64BigEndian(header[12..]);
        if (number != segment)
            throw new SegmentCorruptException(name, 12, string.Create(CultureInfo.InvariantCulture, $"header says segment {number}, the file name says {segment}"));
    }

    /// <summary>Writes a frame header (length, CRC-32C of <paramref name="payload"/>) into <paramref name="destination"/> (8 bytes).</summary>
    public static void WriteFrameHeader(Span<byte> destination, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Crc32C.Compute(payload));
    }

    /// <summary>
    /// Reads and verifies the frame at <paramref name="offset"/> of an open segment file of length <paramref name="fileLength"/>.
    /// <paramref name="expectedLength"/> (from the index) must match the frame's length field if given.
    /// </summary>
    internal static byte[] ReadFrame(SegmentReader file, string name, long offset, long fileLength, int? expectedLength)
    {
        if (offset < HeaderSize)
            throw new SegmentCorruptException(name, offset, string.Create(CultureInfo.InvariantCulture, $"a frame cannot start inside the {HeaderSize}-byte header"));
        if (offset + FrameHeaderSize > fileLength)
            throw new SegmentCorruptException(name, offset, string.Create(CultureInfo.InvariantCulture, $"frame header runs past the end of the file (size {fileLength})"));
        Span<byte> head = stackalloc byte[FrameHeaderSize];
        file.ReadExactly(head, offset);
        var length = BinaryPrimitives.ReadUInt32BigEndian(head);
        var crc = BinaryPrimitives.ReadUInt32BigEndian(head[4..]);
        if (expectedLength is { } expected && length != (uint)expected)
            throw new SegmentCorruptException(name, offset, string.Create(CultureInfo.InvariantCulture, $"length {length} does not match the index, which says {expected}"));
        if (length > MaxPayloadLength || offset + FrameHeaderSize + length > fileLength)
            throw new SegmentCorruptException(name, offset, string.Create(CultureInfo.InvariantCulture, $"length {length} runs past the end of the file (size {fileLength})"));
        var payload = new byte[length];
        file.ReadExactly(payload, offset + FrameHeaderSize);
        var actual = Crc32C.Compute(payload);
        if (actual != crc)
            throw new SegmentCorruptException(name, offset, string.Create(CultureInfo.InvariantCulture, $"CRC32C 0x{crc:x8} does not match the payload (0x{actual:x8})"));
        return payload;
    }

    /// <summary>fsyncs a directory so that a file created or deleted in it survives a power loss (Linux; no-op elsewhere).</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = LibC.open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
            throw new IOException($"could not open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (LibC.fsync(fd) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = LibC.close(fd);
        }
    }
}

/// <summary>A read-only segment file opened for positional reads.</summary>
internal sealed class SegmentReader(Microsoft.Win32.SafeHandles.SafeFileHandle handle) : IDisposable
{
    public static SegmentReader Open(string path) =>
        new(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public long Length => RandomAccess.GetLength(handle);

    public void ReadExactly(Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (n <= 0)
                throw new EndOfStreamException($"unexpected end of file at offset {offset + done}");
            done += n;
        }
    }

    public void Dispose() => handle.Dispose();
}

internal static partial class LibC
{
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    internal static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int close(int fd);
}
