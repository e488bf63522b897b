using System.Runtime.InteropServices;

namespace Ledger.Protocol.Crypto;

/// <summary>
/// secp256k1 through the C library libsecp256k1 (bitcoin-core) with its recovery module. The library is the one bundled
/// with the Secp256k1.Net package (a dependency of this library, so it reaches every application that uses it), loaded by
/// full path from <c>runtimes/&lt;rid&gt;/native/</c> under the application's folder (or next to it, for a RID-specific
/// publish) before any system copy is tried; only the package's native file is used, through function pointers.
/// One context is created with SIGN | VERIFY and shared: libsecp256k1 documents these calls as thread-safe
/// on a const context. Signing uses the library's default nonce function (RFC 6979, HMAC-SHA-256, no extra data),
/// which always yields low s.
/// </summary>
public sealed unsafe class LibSecp256k1Backend : ISecp256k1Backend
{
    /// <summary>
    /// The files tried, in order, when loading the library: the bundled file's full paths, then system names
    /// (a system libsecp256k1 with the recovery module works the same; it is only a fallback).
    /// </summary>
    public static IReadOnlyList<string> LibraryNames { get; } = Candidates();

    /// <summary>The library loaded (full path for the bundled one, else the system name), or null when none could be.</summary>
    public static string? LibraryPath => Loaded.Value.Backend?._path;

    private const uint ContextSign = (1u << 0) | (1u << 9);
    private const uint ContextVerify = (1u << 0) | (1u << 8);
    private const uint EcCompressed = (1u << 1) | (1u << 8);
    private const uint EcUncompressed = 1u << 1;

    private static readonly Lazy<(LibSecp256k1Backend? Backend, string? Error)> Loaded = new(TryCreate, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly nint _context;
    private readonly string _path;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, int> _seckeyVerify;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, int> _pubkeyCreate;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, nuint, int> _pubkeyParse;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, nuint*, byte*, uint, int> _pubkeySerialize;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, nint, nint, int> _signRecoverable;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, int*, byte*, int> _recoverableSerializeCompact;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, int, int> _recoverableParseCompact;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, int> _recover;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, int> _signatureParseCompact;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, int> _signatureNormalize;
    private readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, int> _verify;

    private LibSecp256k1Backend(nint library, string path)
    {
        _path = path;
        var contextCreate = (delegate* unmanaged[Cdecl]<uint, nint>)NativeLibrary.GetExport(library, "secp256k1_context_create");
        _seckeyVerify = (delegate* unmanaged[Cdecl]<nint, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ec_seckey_verify");
        _pubkeyCreate = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_create");
        _pubkeyParse = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nuint, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_parse");
        _pubkeySerialize = (delegate* unmanaged[Cdecl]<nint, byte*, nuint*, byte*, uint, int>)NativeLibrary.GetExport(library, "secp256k1_ec_pubkey_serialize");
        _signRecoverable = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, nint, nint, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_sign_recoverable");
        _recoverableSerializeCompact = (delegate* unmanaged[Cdecl]<nint, byte*, int*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recoverable_signature_serialize_compact");
        _recoverableParseCompact = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, int, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recoverable_signature_parse_compact");
        _recover = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_recover");
        _signatureParseCompact = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_signature_parse_compact");
        _signatureNormalize = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_signature_normalize");
        _verify = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, byte*, int>)NativeLibrary.GetExport(library, "secp256k1_ecdsa_verify");
        _context = contextCreate(ContextSign | ContextVerify);
        if (_context == 0)
            throw new DllNotFoundException("secp256k1_context_create returned NULL");
    }

    private static (LibSecp256k1Backend?, string?) TryCreate()
    {
        var errors = new List<string>();
        foreach (var name in LibraryNames)
        {
            if ((Path.IsPathRooted(name) && !File.Exists(name)) || !NativeLibrary.TryLoad(name, out var handle))
            {
                errors.Add($"{name}: not found");
                continue;
            }
            try
            {
                return (new LibSecp256k1Backend(handle, name), null);
            }
            catch (EntryPointNotFoundException e)
            {
                // e.g. a build without the recovery module
                errors.Add($"{name}: {e.Message}");
            }
            catch (DllNotFoundException e)
            {
                errors.Add($"{name}: {e.Message}");
            }
        }
        return (null, string.Join("; ", errors));
    }

    private static string[] Candidates()
    {
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var (rid, file, system) = OperatingSystem.IsWindows() ? ("win-" + arch, "secp256k1.dll", new[] { "secp256k1.dll" })
            : OperatingSystem.IsMacOS() ? ("osx-" + arch, "libsecp256k1.dylib", new[] { "libsecp256k1.dylib" })
            : ("linux-" + arch, "libsecp256k1.so", new[] { "libsecp256k1.so.2", "libsecp256k1.so.1", "libsecp256k1.so" });
        var names = new List<string>();
        foreach (var root in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(LibSecp256k1Backend).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(root))
                continue;
            foreach (var path in new[] { Path.Combine(root, "runtimes", rid, "native", file), Path.Combine(root, file) })
            {
                if (!names.Contains(path, StringComparer.Ordinal))
                    names.Add(path);
            }
        }
        names.AddRange(system);
        return [.. names];
    }

    /// <summary>True when the native library was found and has every function this backend needs.</summary>
    public static bool IsAvailable => Loaded.Value.Backend is not null;

    /// <summary>The shared instance, or null when the library cannot be loaded.</summary>
    public static LibSecp256k1Backend? TryLoad() => Loaded.Value.Backend;

    /// <summary>The shared instance.</summary>
    /// <exception cref="DllNotFoundException">libsecp256k1 (with the recovery module) cannot be loaded; the message lists what was tried.</exception>
    public static LibSecp256k1Backend Load() =>
        Loaded.Value.Backend ?? throw new DllNotFoundException($"libsecp256k1 could not be loaded ({Loaded.Value.Error}); it comes with the Secp256k1.Net package, which a build copies to runtimes/<rid>/native/");

    /// <inheritdoc/>
    public string Name => "libsecp256k1";

    /// <inheritdoc/>
    public bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
            return false;
        fixed (byte* k = privateKey)
            return _seckeyVerify(_context, k) == 1;
    }

    /// <inheritdoc/>
    public bool TryDerivePublicKey(ReadOnlySpan<byte> privateKey, Span<byte> publicKey)
    {
        if (privateKey.Length != 32 || publicKey.Length < 64)
            return false;
        var pubkey = stackalloc byte[64];
        fixed (byte* k = privateKey)
        {
            if (_pubkeyCreate(_context, pubkey, k) != 1)
                return false;
        }
        return Serialize(pubkey, publicKey);
    }

    /// <inheritdoc/>
    public bool TryParsePublicKey(ReadOnlySpan<byte> encoded, Span<byte> publicKey)
    {
        if (publicKey.Length < 64 || !IsSec1Shape(encoded))
            return false;
        var pubkey = stackalloc byte[64];
        fixed (byte* input = encoded)
        {
            if (_pubkeyParse(_context, pubkey, input, (nuint)encoded.Length) != 1)
                return false;
        }
        return Serialize(pubkey, publicKey);
    }

    internal static bool IsSec1Shape(ReadOnlySpan<byte> encoded) =>
        (encoded.Length == 33 && encoded[0] is 0x02 or 0x03) || (encoded.Length == 65 && encoded[0] == 0x04);

    private bool Serialize(byte* pubkey, Span<byte> publicKey)
    {
        var output = stackalloc byte[65];
        nuint length = 65;
        if (_pubkeySerialize(_context, output, &length, pubkey, EcUncompressed) != 1 || length != 65)
            return false;
        new ReadOnlySpan<byte>(output + 1, 64).CopyTo(publicKey);
        return true;
    }

    private bool Load64(ReadOnlySpan<byte> publicKey, byte* pubkey)
    {
        if (publicKey.Length != 64)
            return false;
        var input = stackalloc byte[65];
        input[0] = 0x04;
        publicKey.CopyTo(new Span<byte>(input + 1, 64));
        return _pubkeyParse(_context, pubkey, input, 65) == 1;
    }

    /// <inheritdoc/>
    public Signature Sign(ReadOnlySpan<byte> privateKey, Hash32 digest)
    {
        if (!IsValidPrivateKey(privateKey))
            throw new ArgumentException("private key must be 32 bytes with 0 < k < n", nameof(privateKey));
        var message = stackalloc byte[32];
        digest.CopyTo(new Span<byte>(message, 32));
        var recoverable = stackalloc byte[65];
        fixed (byte* k = privateKey)
        {
            if (_signRecoverable(_context, recoverable, message, k, 0, 0) != 1)
                throw new InvalidOperationException("secp256k1_ecdsa_sign_recoverable failed");
        }
        var compact = stackalloc byte[64];
        int recoveryId;
        if (_recoverableSerializeCompact(_context, compact, &recoveryId, recoverable) != 1)
            throw new InvalidOperationException("secp256k1_ecdsa_recoverable_signature_serialize_compact failed");
        if (recoveryId is not (0 or 1))
            throw new InvalidOperationException($"recovery id {recoveryId} (R.x ≥ n) is outside what Ethereum can encode"); // probability ~2^-127
        var bytes = new ReadOnlySpan<byte>(compact, 64);
        return new Signature(bytes[..32], bytes[32..], recoveryId);
    }

    /// <inheritdoc/>
    public bool Verify(ReadOnlySpan<byte> publicKey, Hash32 digest, in Signature signature)
    {
        var pubkey = stackalloc byte[64];
        if (!Load64(publicKey, pubkey))
            return false;
        var compact = stackalloc byte[64];
        signature.WriteCompact(new Span<byte>(compact, 64));
        var sig = stackalloc byte[64];
        if (_signatureParseCompact(_context, sig, compact) != 1)
            return false; // r or s ≥ n
        var message = stackalloc byte[32];
        digest.CopyTo(new Span<byte>(message, 32));
        // secp256k1_ecdsa_verify itself rejects high s (and r = 0 or s = 0).
        return _verify(_context, sig, message, pubkey) == 1;
    }

    /// <inheritdoc/>
    public bool TryRecover(Hash32 digest, in Signature signature, Span<byte> publicKey)
    {
        if (publicKey.Length < 64)
            return false;
        var compact = stackalloc byte[64];
        signature.WriteCompact(new Span<byte>(compact, 64));
        // Reject high s explicitly: secp256k1_ecdsa_recover accepts both forms.
        var sig = stackalloc byte[64];
        if (_signatureParseCompact(_context, sig, compact) != 1)
            return false;
        var normalized = stackalloc byte[64];
        if (_signatureNormalize(_context, normalized, sig) != 0)
            return false;
        var recoverable = stackalloc byte[65];
        if (_recoverableParseCompact(_context, recoverable, compact, signature.RecoveryId) != 1)
            return false;
        var message = stackalloc byte[32];
        digest.CopyTo(new Span<byte>(message, 32));
        var pubkey = stackalloc byte[64];
        if (_recover(_context, pubkey, recoverable, message) != 1)
            return false;
        return Serialize(pubkey, publicKey);
    }

    // The compressed form is computed in managed code (PublicKey.ToCompressed); the flag is kept for completeness.
    internal bool TrySerializeCompressed(ReadOnlySpan<byte> publicKey, Span<byte> destination)
    {
        var pubkey = stackalloc byte[64];
        if (destination.Length < 33 || !Load64(publicKey, pubkey))
            return false;
        var output = stackalloc byte[33];
        nuint length = 33;
        if (_pubkeySerialize(_context, output, &length, pubkey, EcCompressed) != 1)
            return false;
        new ReadOnlySpan<byte>(output, 33).CopyTo(destination);
        return true;
    }
}
