using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Protocol.Tests.Crypto;

/// <summary>The protocol's SHA-256 (direct libcrypto path for small inputs, .NET otherwise) against FIPS 180-4 and .NET.</summary>
[Collection(nameof(Sha256Tests))] // ForceManaged is process-wide
public sealed class Sha256Tests
{
    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): "abc", the empty string, the 448-bit two-block message.
    [Theory]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Hash_FipsExamples_MatchOnBothPaths(string message, string expected)
    {
        Assert.Equal(expected, Hex.Encode(Sha256.Hash(Encoding.ASCII.GetBytes(message)).ToArray()));
        Sha256.ForceManaged = true;
        try
        {
            Assert.Equal(expected, Hex.Encode(Sha256.Hash(Encoding.ASCII.GetBytes(message)).ToArray()));
        }
        finally
        {
            Sha256.ForceManaged = false;
        }
    }

    [Fact]
    public void Hash_OnLinuxWithLibcrypto_UsesTheDirectPath()
    {
        // The node's throughput depends on it (docs/benchmarks.md); a silent fallback would only show up as a slow node.
        if (!OperatingSystem.IsLinux() || !System.Runtime.InteropServices.NativeLibrary.TryLoad("libcrypto.so.3", out _))
            return;
        Assert.True(Sha256.IsDirect);
    }

    [Fact]
    public void Hash_RandomInputs_EqualsDotNet()
    {
        // Lengths around the 64-byte block, the padding boundary (55/56) and the direct-path limit.
        var lengths = Gen.OneOf(Gen.Choose(0, 300), Gen.Choose(Sha256.DirectLimit - 70, Sha256.DirectLimit + 70), Gen.Choose(0, 40_000));
        var inputs = lengths.SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));
        Prop.ForAll(inputs.ToArbitrary(), data =>
            Sha256.Hash(data) == new Hash32(System.Security.Cryptography.SHA256.HashData(data))).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void HashData_ShortDestination_Throws() =>
        Assert.Throws<ArgumentException>(() => Sha256.HashData([1, 2, 3], new byte[31]));
}
