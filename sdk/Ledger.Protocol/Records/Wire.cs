using Ledger.Protocol.Crypto;
using Ledger.Protocol.Rlp;

namespace Ledger.Protocol.Records;

/// <summary>RLP forms of the crypto types used on the wire (docs/spec/records.md §1).</summary>
internal static class Wire
{
    public static RlpItem ToRlp(Address address) => RlpItem.BytesNoCopy(address.ToBytes());

    public static Address Address(RlpItem item, string field) =>
        new(item.AsString(field).ToFixed(field, 20));

    public static RlpItem ToRlp(Signature signature) => RlpItem.BytesNoCopy(signature.ToBytes());

    public static Signature Signature(RlpItem item, string field)
    {
        var bytes = item.AsString(field).ToFixed(field, Crypto.Signature.Length);
        if (!Crypto.Signature.TryFromBytes(bytes, out var signature))
            throw new RecordFormatException(field, "signature", "not a valid secp256k1 signature (r, s in range, v 0 or 1)");
        if (!signature.IsLowS)
            throw new RecordFormatException(field, "signature", "high-s signatures are not accepted (low-s only)");
        return signature;
    }

    public static ulong UInt(RlpItem item, string field) => item.AsString(field).ToUInt64(field);

    public static Hash32 Hash(RlpItem item, string field) => item.AsString(field).ToHash32(field);

    public static void Version(RlpItem item, string field)
    {
        var v = UInt(item, field);
        if (v != 1)
            throw new RecordFormatException(field, "version", $"format version {v} is not supported (this software reads version 1)");
    }

    /// <summary>Runs a decode step, turning RLP shape errors into record format errors that keep the field path.</summary>
    public static T Decode<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (RlpException e)
        {
            throw new RecordFormatException(e.Field, "rlp", e.Rule);
        }
    }
}
