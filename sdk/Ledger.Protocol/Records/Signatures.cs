using Ledger.Protocol.Crypto;

namespace Ledger.Protocol.Records;

/// <summary>Signer checks by public-key recovery (docs/spec/records.md §1).</summary>
internal static class Signatures
{
    public static VerificationResult VerifySigner(Hash32 digest, Signature signature, Address expected, string code, string what)
    {
        if (!signature.IsLowS)
            return VerificationResult.Fail(code, $"{what} signature is high-s; only low-s signatures are accepted");
        var recovered = Secp256k1.RecoverAddress(digest, signature);
        if (recovered is not { } signer)
            return VerificationResult.Fail(code, $"{what} signature does not recover to any key");
        return signer == expected
            ? VerificationResult.Valid
            : VerificationResult.Fail(code, $"{what} is signed by {signer}, expected {expected}");
    }
}
