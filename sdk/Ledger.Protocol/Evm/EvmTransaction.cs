using System.Numerics;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;
using RlpCodec = Ledger.Protocol.Rlp.Rlp;

namespace Ledger.Protocol.Evm;

/// <summary>Ethereum transaction envelope types supported here.</summary>
public enum TransactionType : byte
{
    /// <summary>Legacy RLP list (pre-EIP-155 when <see cref="EvmTransaction.ChainId"/> is null, else EIP-155).</summary>
    Legacy = 0,
    /// <summary>EIP-2930: 0x01 || rlp([chainId, nonce, gasPrice, gasLimit, to, value, data, accessList, yParity, r, s]).</summary>
    AccessList = 1,
    /// <summary>EIP-1559: 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList, yParity, r, s]).</summary>
    DynamicFee = 2,
}

/// <summary>One EIP-2930 access-list entry: an address and the storage keys it pre-warms.</summary>
public sealed record AccessListEntry(Address Address, IReadOnlyList<Hash32> StorageKeys);

/// <summary>
/// An unsigned Ethereum transaction. Amounts are unsigned 256-bit integers (<see cref="BigInteger"/>), nonce and gas are 64-bit.
/// <see cref="To"/> null means contract creation. Fields that do not belong to <see cref="Type"/> must stay at their defaults.
/// </summary>
public sealed class EvmTransaction
{
    internal static readonly BigInteger UInt256Max = (BigInteger.One << 256) - 1;

    /// <summary>The envelope type.</summary>
    public TransactionType Type { get; init; } = TransactionType.Legacy;

    /// <summary>The chain id: required for typed transactions; for legacy, null means pre-EIP-155 (no replay protection).</summary>
    public ulong? ChainId { get; init; }

    /// <summary>The sender's nonce.</summary>
    public ulong Nonce { get; init; }

    /// <summary>Gas price in wei (legacy and EIP-2930).</summary>
    public BigInteger GasPrice { get; init; }

    /// <summary>EIP-1559 priority fee per gas (tip) in wei.</summary>
    public BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>EIP-1559 maximum fee per gas in wei.</summary>
    public BigInteger MaxFeePerGas { get; init; }

    /// <summary>Gas limit.</summary>
    public ulong GasLimit { get; init; }

    /// <summary>Recipient; null for contract creation.</summary>
    public Address? To { get; init; }

    /// <summary>Value in wei.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Call data or init code.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>EIP-2930 access list (typed transactions only).</summary>
    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    /// <summary>Checks that the fields fit the type and their ranges.</summary>
    /// <exception cref="EvmFormatException">A field that does not belong to the type is set, a typed transaction has no chain id, or an amount is outside 0…2^256−1.</exception>
    public void Validate()
    {
        CheckUInt256(GasPrice, "tx.gasPrice");
        CheckUInt256(MaxPriorityFeePerGas, "tx.maxPriorityFeePerGas");
        CheckUInt256(MaxFeePerGas, "tx.maxFeePerGas");
        CheckUInt256(Value, "tx.value");
        switch (Type)
        {
            case TransactionType.Legacy:
                if (AccessList.Count > 0)
                    throw new EvmFormatException("tx.accessList", "legacy transactions have no access list");
                if (!MaxFeePerGas.IsZero || !MaxPriorityFeePerGas.IsZero)
                    throw new EvmFormatException("tx.maxFeePerGas", "legacy transactions use gasPrice, not EIP-1559 fees");
                break;
            case TransactionType.AccessList:
                if (ChainId is null)
                    throw new EvmFormatException("tx.chainId", "EIP-2930 transactions require a chain id");
                if (!MaxFeePerGas.IsZero || !MaxPriorityFeePerGas.IsZero)
                    throw new EvmFormatException("tx.maxFeePerGas", "EIP-2930 transactions use gasPrice, not EIP-1559 fees");
                break;
            case TransactionType.DynamicFee:
                if (ChainId is null)
                    throw new EvmFormatException("tx.chainId", "EIP-1559 transactions require a chain id");
                if (!GasPrice.IsZero)
                    throw new EvmFormatException("tx.gasPrice", "EIP-1559 transactions use maxFeePerGas and maxPriorityFeePerGas");
                break;
            default:
                throw new EvmFormatException("tx.type", $"type {(byte)Type} is not supported (0, 1, 2)");
        }
    }

    private static void CheckUInt256(BigInteger value, string field)
    {
        if (value.Sign < 0 || value > UInt256Max)
            throw new EvmFormatException(field, "must be an unsigned 256-bit integer");
    }

    /// <summary>The bytes whose keccak256 is signed: rlp(6 fields) pre-EIP-155, rlp(9 fields with chainId, 0, 0) for EIP-155, type byte || rlp(fields) for typed transactions.</summary>
    public byte[] EncodeForSigning()
    {
        Validate();
        var fields = Fields();
        if (Type == TransactionType.Legacy && ChainId is { } chainId)
        {
            fields.Add(RlpItem.UInt(chainId));
            fields.Add(RlpItem.UInt(0UL));
            fields.Add(RlpItem.UInt(0UL));
        }
        return Envelope(fields);
    }

    /// <summary>keccak256 of <see cref="EncodeForSigning"/>.</summary>
    public Hash32 SigningHash() => Keccak256.Hash(EncodeForSigning());

    /// <summary>Signs with <paramref name="key"/> (RFC 6979, low s).</summary>
    public SignedEvmTransaction Sign(PrivateKey key)
    {
        var signature = key.Sign(SigningHash());
        return WithSignature(signature, key.Address);
    }

    /// <summary>Attaches an existing signature; the sender is recovered from it.</summary>
    /// <exception cref="EvmFormatException">The signature is not canonical or does not recover.</exception>
    public SignedEvmTransaction WithSignature(Signature signature)
    {
        if (!signature.IsCanonical)
            throw new EvmFormatException("tx.signature", "r and s must satisfy 0 < r < n and 0 < s ≤ n/2");
        var sender = Secp256k1.RecoverAddress(SigningHash(), signature)
            ?? throw new EvmFormatException("tx.signature", "does not recover a public key");
        return WithSignature(signature, sender);
    }

    private SignedEvmTransaction WithSignature(Signature signature, Address sender)
    {
        var fields = Fields();
        BigInteger v = Type == TransactionType.Legacy
            ? ChainId is { } chainId ? signature.ToEip155V(chainId) : signature.ToLegacyV()
            : signature.RecoveryId;
        fields.Add(RlpItem.UInt(v));
        fields.Add(RlpItem.UInt(signature.R));
        fields.Add(RlpItem.UInt(signature.S));
        var raw = Envelope(fields);
        return new SignedEvmTransaction(this, signature, v, raw, sender);
    }

    private List<RlpItem> Fields()
    {
        var to = To is { } address ? RlpItem.Bytes(address.ToBytes()) : RlpItem.Bytes([]);
        var data = RlpItem.Bytes(Data.Span);
        return Type switch
        {
            TransactionType.Legacy => [RlpItem.UInt(Nonce), RlpItem.UInt(GasPrice), RlpItem.UInt(GasLimit), to, RlpItem.UInt(Value), data],
            TransactionType.AccessList =>
                [RlpItem.UInt(ChainId!.Value), RlpItem.UInt(Nonce), RlpItem.UInt(GasPrice), RlpItem.UInt(GasLimit), to, RlpItem.UInt(Value), data, AccessListItem()],
            _ =>
                [RlpItem.UInt(ChainId!.Value), RlpItem.UInt(Nonce), RlpItem.UInt(MaxPriorityFeePerGas), RlpItem.UInt(MaxFeePerGas), RlpItem.UInt(GasLimit), to, RlpItem.UInt(Value), data, AccessListItem()],
        };
    }

    private RlpList AccessListItem() =>
        RlpItem.List(AccessList.Select(e => (RlpItem)RlpItem.List(RlpItem.Bytes(e.Address.ToBytes()), RlpItem.List(e.StorageKeys.Select(k => (RlpItem)RlpItem.Hash(k))))));

    private byte[] Envelope(List<RlpItem> fields)
    {
        var body = RlpCodec.Encode(RlpItem.List(fields));
        if (Type == TransactionType.Legacy)
            return body;
        var raw = new byte[body.Length + 1];
        raw[0] = (byte)Type;
        body.CopyTo(raw, 1);
        return raw;
    }
}
