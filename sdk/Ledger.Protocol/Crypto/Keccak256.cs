using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// Ethereum Keccak-256: the original Keccak submission with rate 1088 bits, capacity 512 bits and padding
/// <c>0x01 … 0x80</c>. This is NOT FIPS-202 SHA3-256 (which pads with <c>0x06</c>): <c>Keccak256("")</c> is
/// <c>c5d24601…5d85a470</c>, SHA3-256("") would be <c>a7ffc6f8…</c>.
/// Managed, allocation-free implementation of Keccak-f[1600] on 64-bit lanes.
/// </summary>
public static class Keccak256
{
    /// <summary>The sponge rate in bytes (1088 bits).</summary>
    public const int RateBytes = 136;

    /// <summary>The digest length in bytes.</summary>
    public const int DigestBytes = 32;

    private static ReadOnlySpan<ulong> RoundConstants =>
    [
        0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808AUL, 0x8000000080008000UL,
        0x000000000000808BUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
        0x000000000000008AUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000AUL,
        0x000000008000808BUL, 0x800000000000008BUL, 0x8000000000008089UL, 0x8000000000008003UL,
        0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800AUL, 0x800000008000000AUL,
        0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL,
    ];

    /// <summary>Keccak-256 of <paramref name="data"/>.</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> data)
    {
        Span<ulong> state = stackalloc ulong[25];
        state.Clear();
        while (data.Length >= RateBytes)
        {
            AbsorbBlock(state, data[..RateBytes]);
            data = data[RateBytes..];
        }
        AbsorbFinal(state, data);
        Span<byte> digest = stackalloc byte[DigestBytes];
        Squeeze(state, digest);
        return new Hash32(digest);
    }

    /// <summary>Keccak-256 of <paramref name="data"/> written into <paramref name="destination"/> (at least 32 bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < DigestBytes)
            throw new ArgumentException("destination must hold 32 bytes", nameof(destination));
        Hash(data).CopyTo(destination);
    }

    internal static void AbsorbBlock(Span<ulong> state, ReadOnlySpan<byte> block)
    {
        for (var i = 0; i < RateBytes / 8; i++)
            state[i] ^= BinaryPrimitives.ReadUInt64LittleEndian(block[(i * 8)..]);
        Permute(state);
    }

    internal static void AbsorbFinal(Span<ulong> state, ReadOnlySpan<byte> tail)
    {
        Span<byte> block = stackalloc byte[RateBytes];
        block.Clear();
        tail.CopyTo(block);
        block[tail.Length] ^= 0x01;
        block[RateBytes - 1] ^= 0x80;
        AbsorbBlock(state, block);
    }

    internal static void Squeeze(ReadOnlySpan<ulong> state, Span<byte> digest)
    {
        for (var i = 0; i < DigestBytes / 8; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(digest[(i * 8)..], state[i]);
    }

    /// <summary>The Keccak-f[1600] permutation (24 rounds) over 25 little-endian lanes, lane index x + 5y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Permute(Span<ulong> state)
    {
        if (state.Length < 25)
            throw new ArgumentException("state must have 25 lanes", nameof(state));
        ulong a00 = state[0], a01 = state[1], a02 = state[2], a03 = state[3], a04 = state[4];
        ulong a05 = state[5], a06 = state[6], a07 = state[7], a08 = state[8], a09 = state[9];
        ulong a10 = state[10], a11 = state[11], a12 = state[12], a13 = state[13], a14 = state[14];
        ulong a15 = state[15], a16 = state[16], a17 = state[17], a18 = state[18], a19 = state[19];
        ulong a20 = state[20], a21 = state[21], a22 = state[22], a23 = state[23], a24 = state[24];
        var rc = RoundConstants;
        for (var round = 0; round < 24; round++)
        {
        ulong c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
        ulong c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
        ulong c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
        ulong c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
        ulong c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
        ulong d0 = c4 ^ BitOperations.RotateLeft(c1, 1);
        ulong d1 = c0 ^ BitOperations.RotateLeft(c2, 1);
        ulong d2 = c1 ^ BitOperations.RotateLeft(c3, 1);
        ulong d3 = c2 ^ BitOperations.RotateLeft(c4, 1);
        ulong d4 = c3 ^ BitOperations.RotateLeft(c0, 1);
        ulong b00 = a00 ^ d0;
        ulong b10 = BitOperations.RotateLeft(a01 ^ d1, 1);
        ulong b20 = BitOperations.RotateLeft(a02 ^ d2, 62);
        ulong b05 = BitOperations.RotateLeft(a03 ^ d3, 28);
        ulong b15 = BitOperations.RotateLeft(a04 ^ d4, 27);
        ulong b16 = BitOperations.RotateLeft(a05 ^ d0, 36);
        ulong b01 = BitOperations.RotateLeft(a06 ^ d1, 44);
        ulong b11 = BitOperations.RotateLeft(a07 ^ d2, 6);
        ulong b21 = BitOperations.RotateLeft(a08 ^ d3, 55);
        ulong b06 = BitOperations.RotateLeft(a09 ^ d4, 20);
        ulong b07 = BitOperations.RotateLeft(a10 ^ d0, 3);
        ulong b17 = BitOperations.RotateLeft(a11 ^ d1, 10);
        ulong b02 = BitOperations.RotateLeft(a12 ^ d2, 43);
        ulong b12 = BitOperations.RotateLeft(a13 ^ d3, 25);
        ulong b22 = BitOperations.RotateLeft(a14 ^ d4, 39);
        ulong b23 = BitOperations.RotateLeft(a15 ^ d0, 41);
        ulong b08 = BitOperations.RotateLeft(a16 ^ d1, 45);
        ulong b18 = BitOperations.RotateLeft(a17 ^ d2, 15);
        ulong b03 = BitOperations.RotateLeft(a18 ^ d3, 21);
        ulong b13 = BitOperations.RotateLeft(a19 ^ d4, 8);
        ulong b14 = BitOperations.RotateLeft(a20 ^ d0, 18);
        ulong b24 = BitOperations.RotateLeft(a21 ^ d1, 2);
        ulong b09 = BitOperations.RotateLeft(a22 ^ d2, 61);
        ulong b19 = BitOperations.RotateLeft(a23 ^ d3, 56);
        ulong b04 = BitOperations.RotateLeft(a24 ^ d4, 14);
        a00 = b00 ^ (~b01 & b02);
        a01 = b01 ^ (~b02 & b03);
        a02 = b02 ^ (~b03 & b04);
        a03 = b03 ^ (~b04 & b00);
        a04 = b04 ^ (~b00 & b01);
        a05 = b05 ^ (~b06 & b07);
        a06 = b06 ^ (~b07 & b08);
        a07 = b07 ^ (~b08 & b09);
        a08 = b08 ^ (~b09 & b05);
        a09 = b09 ^ (~b05 & b06);
        a10 = b10 ^ (~b11 & b12);
        a11 = b11 ^ (~b12 & b13);
        a12 = b12 ^ (~b13 & b14);
        a13 = b13 ^ (~b14 & b10);
        a14 = b14 ^ (~b10 & b11);
        a15 = b15 ^ (~b16 & b17);
        a16 = b16 ^ (~b17 & b18);
        a17 = b17 ^ (~b18 & b19);
        a18 = b18 ^ (~b19 & b15);
        a19 = b19 ^ (~b15 & b16);
        a20 = b20 ^ (~b21 & b22);
        a21 = b21 ^ (~b22 & b23);
        a22 = b22 ^ (~b23 & b24);
        a23 = b23 ^ (~b24 & b20);
        a24 = b24 ^ (~b20 & b21);
        a00 ^= rc[round];
        }
        state[0] = a00; state[1] = a01; state[2] = a02; state[3] = a03; state[4] = a04;
        state[5] = a05; state[6] = a06; state[7] = a07; state[8] = a08; state[9] = a09;
        state[10] = a10; state[11] = a11; state[12] = a12; state[13] = a13; state[14] = a14;
        state[15] = a15; state[16] = a16; state[17] = a17; state[18] = a18; state[19] = a19;
        state[20] = a20; state[21] = a21; state[22] = a22; state[23] = a23; state[24] = a24;
    }
}
