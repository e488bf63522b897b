using Ledger.Node.Api;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Node.Tests.BadInput;

/// <summary>The worked example of docs/spec/api.md (signed requests, tag <c>ledger/request/v1</c>).</summary>
public sealed class SignedRequestVectorTests
{
    // The example key of docs/spec/api.md (a well-known test key; never use it for anything real).
    private static readonly PrivateKey Key = PrivateKey.Parse("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private const long TimeMs = 1767225600000; // 2026-01-01T00:00:00Z

    [Fact]
    public void RequestDigest_GetHead_MatchesIndependentComputation()
    {
        // SHA-256("ledger/request/v1" || 0x00 || f5 83"GET" 88"/v1/head" 86 019b76daa800 a0 SHA-256("")), computed by hand
        // (Python hashlib) from the spec, not by this code.
        var digest = CallerResolver.RequestDigest("GET", "/v1/head", TimeMs, []);
        Assert.Equal("4e1566a2dba382b8655a94abe383f9f3f8cad95fadcdeba7828097dba56ecef1", digest.ToString());
        Assert.Equal(digest, CallerResolver.RequestDigest("get", "/v1/head", TimeMs, []));
    }

    [Fact]
    public void SignRequest_GetHead_GoldenHeaderThatRecoversToTheKey()
    {
        var header = CallerResolver.SignRequest(Key, "GET", "/v1/head", TimeMs, []);
        // Golden (RFC 6979 signatures are deterministic): generated once and committed with docs/spec/api.md.
        Assert.Equal(Golden, header);
        var signature = Signature.FromBytes(Hex.Decode(header[(header.IndexOf("signature=", StringComparison.Ordinal) + 10)..]));
        Assert.Equal(Key.Address, Secp256k1.RecoverAddress(CallerResolver.RequestDigest("GET", "/v1/head", TimeMs, []), signature));
    }

    private const string Golden = "Ledger-Signature address=0x2c7536E3605D9C16a7a3D7b1898e529396a65c23, time=1767225600000, "
        + "signature=0x1911298f38d35a4d5dafe15de37faeed646dbd20cf493b99475560a1c26b669351e6244e7126c6da4c244e4b1c853a3dd96842173d6b16a5d035df825da4264a00";
}
