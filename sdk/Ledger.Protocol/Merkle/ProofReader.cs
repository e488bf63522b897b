using System.Buffers.Binary;

namespace Ledger.Protocol.Merkle;

/// <summary>Bounds-checked big-endian reader for proof encodings; every failure names the field.</summary>
internal ref struct ProofReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;
    private int _pos;

    public ProofReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
        _pos = 0;
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (_data.Length - _pos < count)
            throw new MerkleFormatException($"{_what} {field}", $"truncated: needs {count} bytes at offset {_pos}, {_data.Length - _pos} left");
        var s = _data.Slice(_pos, count);
        _pos += count;
        return s;
    }

    public byte ReadByte(string field) => Take(1, field)[0];

    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(2, field));

    public long ReadSize(string field)
    {
        var v = BinaryPrimitives.ReadUInt64BigEndian(Take(8, field));
        if (v > long.MaxValue)
            throw new MerkleFormatException($"{_what} {field}", $"must be at most 2^63-1; got {v}");
        return (long)v;
    }

    public Hash32 ReadHash(string field) => new(Take(Hash32.Length, field));

    public ReadOnlySpan<byte> ReadBytes(int count, string field) => Take(count, field);

    public readonly void End()
    {
        if (_pos != _data.Length)
            throw new MerkleFormatException(_what, $"{_data.Length - _pos} trailing bytes after the proof (length {_pos} expected)");
    }
}
