namespace Ledger.Storage.Segments;

/// <summary>
/// A segment file does not hold what it must: a bad header (magic, version, segment number), a frame whose length or
/// CRC-32C does not check out, or a committed location that the file does not contain. The message names the file,
/// the offset and what is wrong, e.g. <c>seg-000000000001.dat offset 4096: CRC32C 0x1234abcd does not match the payload (0x…)</c>.
/// </summary>
public sealed class SegmentCorruptException : Exception
{
    /// <summary>Creates the exception; the message is <c>"{fileName} offset {offset}: {reason}"</c>.</summary>
    public SegmentCorruptException(string fileName, long offset, string reason)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{fileName} offset {offset}: {reason}"))
    {
        FileName = fileName;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The segment file name (no directory), e.g. <c>seg-000000000001.dat</c>.</summary>
    public string FileName { get; }

    /// <summary>Byte offset in the file where the problem is (0 for the header).</summary>
    public long Offset { get; }

    /// <summary>What is wrong, without the file and offset.</summary>
    public string Reason { get; }
}
