namespace Ledger.Protocol.Crypto;

/// <summary>
/// Incremental Keccak-256 (see <see cref="Keccak256"/>): append pieces, then <see cref="Finish"/>.
/// Equivalent to hashing the concatenation. Not thread-safe; reusable after <see cref="Reset"/>.
/// </summary>
public sealed class Keccak256Hasher
{
    private readonly ulong[] _state = new ulong[25];
    private readonly byte[] _buffer = new byte[Keccak256.RateBytes];
    private int _buffered;

    /// <summary>Appends <paramref name="data"/> to the message.</summary>
    public Keccak256Hasher Append(ReadOnlySpan<byte> data)
    {
        if (_buffered > 0)
        {
            var take = Math.Min(Keccak256.RateBytes - _buffered, data.Length);
            data[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            data = data[take..];
            if (_buffered < Keccak256.RateBytes)
                return this;
            Keccak256.AbsorbBlock(_state, _buffer);
            _buffered = 0;
        }
        while (data.Length >= Keccak256.RateBytes)
        {
            Keccak256.AbsorbBlock(_state, data[..Keccak256.RateBytes]);
            data = data[Keccak256.RateBytes..];
        }
        data.CopyTo(_buffer);
        _buffered = data.Length;
        return this;
    }

    /// <summary>Pads, returns the digest of everything appended, and resets the hasher.</summary>
    public Hash32 Finish()
    {
        Keccak256.AbsorbFinal(_state, _buffer.AsSpan(0, _buffered));
        Span<byte> digest = stackalloc byte[Keccak256.DigestBytes];
        Keccak256.Squeeze(_state, digest);
        Reset();
        return new Hash32(digest);
    }

    /// <summary>Forgets everything appended so far.</summary>
    public void Reset()
    {
        Array.Clear(_state);
        _buffered = 0;
    }
}
