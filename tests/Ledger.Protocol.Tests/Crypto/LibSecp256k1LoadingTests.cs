using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Protocol.Tests.Crypto;

/// <summary>The signature hot path uses the libsecp256k1 bundled with the Secp256k1.Net package, not a system copy.</summary>
public class LibSecp256k1LoadingTests
{
    [Fact]
    public void LibraryPath_IsTheBundledFileUnderTheApplicationFolder()
    {
        Assert.True(LibSecp256k1Backend.IsAvailable);

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libsecp256k1.so"), LibSecp256k1Backend.LibraryPath);
    }

    [Fact]
    public void ProcessMaps_AfterARecovery_MapOnlyTheBundledLibrary()
    {
        var key = PrivateKey.FromBytes([.. Enumerable.Repeat((byte)0x41, 32)]);
        var digest = Keccak256.Hash("ledger/loading-test"u8);
        var backend = LibSecp256k1Backend.Load();
        var signature = backend.Sign(key.ToBytes(), digest);
        Span<byte> recovered = stackalloc byte[64];
        Assert.True(backend.TryRecover(digest, signature, recovered));
        Assert.True(backend.Verify(recovered, digest, signature));

        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && fields[5].Contains("libsecp256k1", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Equal([LibSecp256k1Backend.LibraryPath!], mapped);
    }
}
