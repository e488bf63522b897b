using System.Numerics;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;
using RlpCodec = Ledger.Protocol.Rlp.Rlp;

namespace Ledger.Protocol.Evm;

/// <summary>
/// A signed Ethereum transaction: its fields, signature, raw encoding (what eth_sendRawTransaction takes),
/// hash (keccak256 of the raw bytes) and sender (recovered from the signature).
/// </summary>
public sealed class SignedEvmTransaction
{
    private readonly byte[] _raw;

    internal SignedEvmTransaction(EvmTransaction transaction, Signature signature, BigInteger v, byte[] raw, Address sender)
    {
        Transaction = transaction;
        Signature = signature;
        V = v;
        _raw = raw;
        Sender = sender;
        Hash = Keccak256.Hash(raw);
    }

    /// <summary>The unsigned fields.</summary>
    public EvmTransaction Transaction { get; }

    /// <summary>The signature (recovery id 0/1).</summary>
    public Signature Signature { get; }

    /// <summary>v as encoded: 27/28 (pre-EIP-155), chainId·2+35/36 (EIP-155), or yParity 0/1 (typed).</summary>
    public BigInteger V { get; }

    /// <summary>The signer's address.</summary>
    public Address Sender { get; }

    /// <summary>keccak256 of <see cref="ToBytes"/>: the transaction hash.</summary>
    public Hash32 Hash { get; }

    /// <summary>A copy of the raw signed encoding.</summary>
    public byte[] ToBytes() => (byte[])_raw.Clone();

    /// <summary>The raw signed encoding as 0x-hex.</summary>
    public override string ToString() => Hex.Encode0x(_raw);

    /// <summary>
    /// Decodes a raw signed transaction strictly and recovers its sender. Rejects: non-canonical RLP, wrong field
    /// count or shape, integers with leading zeros or wider than their field (nonce/gas 64-bit, amounts 256-bit),
    /// nonce 2^64−1 (EIP-2681), gasLimit · price ≥ 2^256, priority fee above max fee, a recipient or access-list
    /// address that is not 20 bytes, storage keys that are not 32 bytes, unsupported types, legacy v other than
    /// 27/28/chainId·2+35/36, typed yParity other than 0/1, non-canonical r/s (0 &lt; r &lt; n, 0 &lt; s ≤ n/2),
    /// signatures that do not recover, and — when <paramref name="chainId"/> is given — a replay-protected
    /// transaction for another chain. Pre-EIP-155 legacy transactions are accepted (as Ethereum does).
    /// Does not check intrinsic gas or anything that needs chain state.
    /// </summary>
    /// <exception cref="EvmFormatException">Any of the above; Field names the transaction field.</exception>
    public static SignedEvmTransaction Decode(ReadOnlySpan<byte> raw, ulong? chainId = null)
    {
        if (raw.IsEmpty)
            throw new EvmFormatException("tx", "empty input");
        var first = raw[0];
        TransactionType type;
        RlpList list;
        if (first >= 0xc0)
        {
            type = TransactionType.Legacy;
            list = DecodeList(raw);
        }
        else if (first is 0x01 or 0x02)
        {
            type = (TransactionType)first;
            list = DecodeList(raw[1..]);
        }
        else if (first >= 0x80)
        {
            throw new EvmFormatException("tx", "a transaction is an RLP list or a type byte followed by one, found an RLP byte string");
        }
        else
        {
            throw new EvmFormatException("tx.type", $"transaction type 0x{first:x2} is not supported (legacy, 0x01, 0x02)");
        }
        try
        {
            return type == TransactionType.Legacy ? DecodeLegacy(raw, list, chainId) : DecodeTyped(raw, type, list, chainId);
        }
        catch (RlpException e)
        {
            throw new EvmFormatException(e.Field, e.Rule, e);
        }
        catch (CryptoFormatException e)
        {
            throw new EvmFormatException(e.Field, e.Rule, e);
        }
    }

    private static RlpList DecodeList(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return RlpCodec.Decode(bytes).AsList("tx");
        }
        catch (RlpException e)
        {
            throw new EvmFormatException(e.Field, e.Rule, e);
        }
    }

    private static SignedEvmTransaction DecodeLegacy(ReadOnlySpan<byte> raw, RlpList list, ulong? expectedChainId)
    {
        if (list.Count != 9)
            throw new EvmFormatException("tx", $"a legacy transaction has 9 fields, found {list.Count}");
        var v = list[6].AsString("tx.v").ToBigInteger("tx.v");
        if (!Signature.TryParseLegacyV(v, out var recoveryId, out var chainId))
            throw new EvmFormatException("tx.v", $"must be 27, 28 or chainId·2+35/36, found {v}");
        CheckChain(chainId, expectedChainId);
        var tx = new EvmTransaction
        {
            Type = TransactionType.Legacy,
            ChainId = chainId,
            Nonce = Nonce(list[0]),
            GasPrice = UInt256(list[1], "tx.gasPrice"),
            GasLimit = list[2].AsString("tx.gasLimit").ToUInt64("tx.gasLimit"),
            To = To(list[3]),
            Value = UInt256(list[4], "tx.value"),
            Data = list[5].AsString("tx.data").Value.ToArray(),
        };
        CheckFees(tx);
        return Finish(raw, tx, list[7], list[8], recoveryId, v);
    }

    private static SignedEvmTransaction DecodeTyped(ReadOnlySpan<byte> raw, TransactionType type, RlpList list, ulong? expectedChainId)
    {
        var expected = type == TransactionType.AccessList ? 11 : 12;
        if (list.Count != expected)
            throw new EvmFormatException("tx", $"a type {(byte)type} transaction has {expected} fields, found {list.Count}");
        var chainId = list[0].AsString("tx.chainId").ToUInt64("tx.chainId");
        CheckChain(chainId, expectedChainId);
        var i = 1;
        var nonce = Nonce(list[i++]);
        BigInteger gasPrice = 0, maxPriority = 0, maxFee = 0;
        if (type == TransactionType.AccessList)
        {
            gasPrice = UInt256(list[i++], "tx.gasPrice");
        }
        else
        {
            maxPriority = UInt256(list[i++], "tx.maxPriorityFeePerGas");
            maxFee = UInt256(list[i++], "tx.maxFeePerGas");
        }
        var tx = new EvmTransaction
        {
            Type = type,
            ChainId = chainId,
            Nonce = nonce,
            GasPrice = gasPrice,
            MaxPriorityFeePerGas = maxPriority,
            MaxFeePerGas = maxFee,
            GasLimit = list[i++].AsString("tx.gasLimit").ToUInt64("tx.gasLimit"),
            To = To(list[i++]),
            Value = UInt256(list[i++], "tx.value"),
            Data = list[i++].AsString("tx.data").Value.ToArray(),
            AccessList = AccessList(list[i++]),
        };
        CheckFees(tx);
        var yParity = list[i].AsString("tx.yParity").ToUInt64("tx.yParity");
        if (yParity > 1)
            throw new EvmFormatException("tx.yParity", $"must be 0 or 1, found {yParity}");
        return Finish(raw, tx, list[i + 1], list[i + 2], (int)yParity, yParity);
    }

    private static void CheckChain(ulong? chainId, ulong? expected)
    {
        if (chainId is { } actual && expected is { } wanted && actual != wanted)
            throw new EvmFormatException("tx.chainId", $"transaction is for chain {actual}, expected {wanted}");
    }

    private static ulong Nonce(RlpItem item)
    {
        var nonce = item.AsString("tx.nonce").ToUInt64("tx.nonce");
        if (nonce == ulong.MaxValue)
            throw new EvmFormatException("tx.nonce", "must be below 2^64 − 1 (EIP-2681)");
        return nonce;
    }

    private static BigInteger UInt256(RlpItem item, string field)
    {
        var s = item.AsString(field);
        if (s.Value.Length > 32)
            throw new EvmFormatException(field, $"integer of {s.Value.Length} bytes does not fit in 256 bits");
        return s.ToBigInteger(field);
    }

    private static Address? To(RlpItem item)
    {
        var s = item.AsString("tx.to");
        return s.Value.Length switch
        {
            0 => null,
            Address.Length => new Address(s.Value.Span),
            _ => throw new EvmFormatException("tx.to", $"must be empty (contract creation) or 20 bytes, found {s.Value.Length}"),
        };
    }

    private static List<AccessListEntry> AccessList(RlpItem item)
    {
        var entries = new List<AccessListEntry>();
        foreach (var entry in item.AsList("tx.accessList").Items)
        {
            var pair = entry.AsList("tx.accessList[]").Expect("tx.accessList[]", 2);
            var address = pair[0].AsString("tx.accessList[].address");
            if (address.Value.Length != Address.Length)
                throw new EvmFormatException("tx.accessList[].address", $"must be 20 bytes, found {address.Value.Length}");
            var keys = pair[1].AsList("tx.accessList[].storageKeys").Items
                .Select(k => k.AsString("tx.accessList[].storageKeys[]").ToHash32("tx.accessList[].storageKeys[]"))
                .ToArray();
            entries.Add(new AccessListEntry(new Address(address.Value.Span), keys));
        }
        return entries;
    }

    private static void CheckFees(EvmTransaction tx)
    {
        var price = tx.Type == TransactionType.DynamicFee ? tx.MaxFeePerGas : tx.GasPrice;
        if (price * tx.GasLimit > EvmTransaction.UInt256Max)
            throw new EvmFormatException("tx.gasLimit", "gasLimit × gas price overflows 256 bits");
        if (tx.MaxPriorityFeePerGas > tx.MaxFeePerGas)
            throw new EvmFormatException("tx.maxPriorityFeePerGas", "must not exceed maxFeePerGas");
    }

    private static SignedEvmTransaction Finish(ReadOnlySpan<byte> raw, EvmTransaction tx, RlpItem rItem, RlpItem sItem, int recoveryId, BigInteger v)
    {
        var r = UInt256(rItem, "tx.r");
        var s = UInt256(sItem, "tx.s");
        var signature = Signature.Create(r, s, recoveryId);
        if (r.IsZero || r >= Secp256k1.N)
            throw new EvmFormatException("tx.r", "must satisfy 0 < r < n");
        if (s.IsZero || s > Secp256k1.HalfN)
            throw new EvmFormatException("tx.s", "must satisfy 0 < s ≤ n/2 (low s)");
        var sender = Secp256k1.RecoverAddress(tx.SigningHash(), signature)
            ?? throw new EvmFormatException("tx.signature", "does not recover a public key");
        return new SignedEvmTransaction(tx, signature, v, raw.ToArray(), sender);
    }
}
