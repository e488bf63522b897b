using System.Numerics;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Nethereum.Model;
using NSignature = Nethereum.Model.Signature;

namespace Ledger.Evm;

/// <summary>A signed EVM transaction: its hash and the raw bytes for eth_sendRawTransaction.</summary>
/// <param name="Hash">keccak256 of <paramref name="Raw"/>.</param>
/// <param name="Raw">The signed encoding (EIP-2718 envelope for EIP-1559).</param>
public sealed record SignedEvmTransaction(Hash32 Hash, byte[] Raw);

/// <summary>
/// EVM transactions built and encoded by Nethereum (<see cref="Transaction1559"/>, <see cref="LegacyTransactionChainId"/>)
/// and signed with the project's key: the signing hash is Nethereum's unsigned encoding hashed with keccak256, the
/// signature comes from <see cref="PrivateKey.Sign(Hash32)"/> (libsecp256k1, the same code that signs the ledger's
/// records), and Nethereum attaches it and encodes the signed transaction. Nethereum's managed secp256k1 never sees the
/// key (docs/adr/0005-nethereum-client.md).
/// </summary>
public static class EvmTransactionSigner
{
    /// <summary>Signs an EIP-1559 (type 2) transaction with an empty access list; <paramref name="to"/> null creates a contract from <paramref name="data"/>.</summary>
    public static SignedEvmTransaction SignEip1559(PrivateKey key, ulong chainId, ulong nonce, BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas,
        ulong gasLimit, Address? to, BigInteger value, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(data);
        Validate(maxPriorityFeePerGas, "maxPriorityFeePerGas");
        Validate(maxFeePerGas, "maxFeePerGas");
        Validate(value, "value");
        if (maxPriorityFeePerGas > maxFeePerGas)
            throw new ArgumentException("maxPriorityFeePerGas: must not exceed maxFeePerGas", nameof(maxPriorityFeePerGas));
        var tx = new Transaction1559(chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, To(to), value, Hex.Encode0x(data), []);
        var signature = key.Sign(Keccak256.Hash(tx.GetRLPEncodedRaw()));
        tx.SetSignature(new NSignature(Trim(signature.R), Trim(signature.S), signature.RecoveryId == 0 ? [] : [(byte)signature.RecoveryId]));
        return Finish(tx.GetRLPEncoded());
    }

    /// <summary>Signs a legacy transaction with EIP-155 replay protection (v = chainId × 2 + 35 + recovery id).</summary>
    public static SignedEvmTransaction SignLegacy(PrivateKey key, ulong chainId, ulong nonce, BigInteger gasPrice, ulong gasLimit, Address? to, BigInteger value, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(data);
        Validate(gasPrice, "gasPrice");
        Validate(value, "value");
        var tx = new LegacyTransactionChainId(To(to), value, nonce, gasPrice, gasLimit, Hex.Encode0x(data), chainId);
        var signature = key.Sign(Keccak256.Hash(tx.GetRLPEncodedRaw()));
        tx.SetSignature(new NSignature(Trim(signature.R), Trim(signature.S), Trim(signature.ToEip155V(chainId))));
        return Finish(tx.GetRLPEncoded());
    }

    private static SignedEvmTransaction Finish(byte[] raw) => new(Keccak256.Hash(raw), raw);

    private static string? To(Address? to) => to?.ToLowerHex();

    private static void Validate(BigInteger v, string field)
    {
        if (v.Sign < 0)
            throw new ArgumentOutOfRangeException(field, $"{field}: must not be negative");
        if (v.GetByteCount(isUnsigned: true) > 32)
            throw new ArgumentOutOfRangeException(field, $"{field}: must fit in 256 bits");
    }

    // Minimal big-endian bytes (RLP integers carry no leading zeros; zero is the empty string).
    private static byte[] Trim(BigInteger v) => v.IsZero ? [] : v.ToByteArray(isUnsigned: true, isBigEndian: true);
}
