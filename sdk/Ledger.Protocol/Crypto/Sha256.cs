using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// SHA-256 (FIPS 180-4), the protocol's record, Merkle and state-map hash. Every hash the ledger computes goes through
/// here. Small inputs (Merkle nodes, record ids) are hashed with OpenSSL's low-level <c>SHA256_Init/Update/Final</c>
/// called directly: the one-shot <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> goes through OpenSSL's
/// EVP layer, which costs ≈1.2 µs per call here for a 65-byte node against ≈0.13 µs for the same compression through
/// the low-level calls (docs/benchmarks.md). Where libcrypto is not found, or its answer to a probe differs from .NET's,
/// every call uses <see cref="SHA256"/>; the digests are the same either way (a property test holds them equal).
/// </summary>
public static unsafe class Sha256
{
    /// <summary>Inputs up to this length take the direct path (they hash in microseconds, so the call may skip the GC transition).</summary>
    internal const int DirectLimit = 16 * 1024;

    /// <summary>The file names tried, in order, when loading libcrypto.</summary>
    public static readonly IReadOnlyList<string> LibraryNames = ["libcrypto.so.3", "libcrypto.so"];

    private static readonly Direct? Native = Direct.TryLoad();

    /// <summary>True when the direct libcrypto path is in use (false: .NET's <see cref="SHA256"/> for every call).</summary>
    public static bool IsDirect => Native is not null && !ForceManaged;

    /// <summary>Tests set this to exercise the .NET path on a machine that has libcrypto.</summary>
    internal static bool ForceManaged { get; set; }

    /// <summary>SHA-256 of <paramref name="data"/>.</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Hash32.Length];
        HashData(data, digest);
        return new Hash32(digest);
    }

    /// <summary>Writes SHA-256 of <paramref name="data"/> to the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < Hash32.Length)
            throw new ArgumentException("the destination must hold 32 bytes", nameof(destination));
        if (data.Length <= DirectLimit && Native is { } native && !ForceManaged)
            native.Hash(data, destination);
        else
            SHA256.HashData(data, destination);
    }

    private sealed class Direct
    {
        private const int ContextSize = 256; // sizeof(SHA256_CTX) is 112 on every OpenSSL 1.1/3.x ABI; generous room
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int> _init;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int> _update;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int> _final;

        private Direct(nint library)
        {
            _init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int>)NativeLibrary.GetExport(library, "SHA256_Init");
            _update = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "SHA256_Update");
            _final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int>)NativeLibrary.GetExport(library, "SHA256_Final");
        }

        public void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
        {
            var context = stackalloc byte[ContextSize];
            fixed (byte* d = data)
            fixed (byte* o = destination)
            {
                if (_init(context) != 1 || _update(context, d, (nuint)data.Length) != 1 || _final(o, context) != 1)
                    throw new CryptographicException("libcrypto SHA256_Init/Update/Final failed");
            }
        }

        public static Direct? TryLoad()
        {
            if (!OperatingSystem.IsLinux())
                return null;
            foreach (var name in LibraryNames)
            {
                if (!NativeLibrary.TryLoad(name, out var handle))
                    continue;
                try
                {
                    var direct = new Direct(handle);
                    return direct.Probe() ? direct : null;
                }
                catch (EntryPointNotFoundException)
                {
                    // a libcrypto built without the deprecated low-level API
                }
            }
            return null;
        }

        /// <summary>The direct path must agree with .NET on inputs around the block boundaries before it is used.</summary>
        private bool Probe()
        {
            Span<byte> a = stackalloc byte[Hash32.Length];
            Span<byte> b = stackalloc byte[Hash32.Length];
            var input = new byte[200];
            for (var i = 0; i < input.Length; i++)
                input[i] = (byte)(i * 31 + 7);
            foreach (var length in (ReadOnlySpan<int>)[0, 3, 55, 56, 63, 64, 65, 119, 200])
            {
                Hash(input.AsSpan(0, length), a);
                SHA256.HashData(input.AsSpan(0, length), b);
                if (!a.SequenceEqual(b))
                    return false;
            }
            return true;
        }
    }
}
