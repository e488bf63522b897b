using System.Globalization;
using System.Numerics;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Evm;

namespace Ledger.Evm.Contracts;

/// <summary>
/// Decodes revert data into a readable reason: Solidity's Error(string) and Panic(uint256), and the custom errors of
/// the Registry and Anchor contracts (docs/spec/evm-client.md), e.g. "AlreadyAnchored(size 7, root 0x…)".
/// </summary>
public static class ContractErrors
{
    private sealed record Known(string Name, string[] ParameterNames, IReadOnlyList<AbiType> Types);

    private static readonly Dictionary<string, Known> BySelector = Build(
        ("Error(string)", ["reason"]),
        ("Panic(uint256)", ["code"]),
        ("ZeroSize()", []),
        ("ZeroRoot()", []),
        ("AlreadyAnchored(uint64,bytes32)", ["size", "root"]),
        ("SizeNotGrowing(uint64,uint64)", ["latest", "size"]),
        ("NotAuthorized()", []),
        ("NotBootstrapping()", []),
        ("BadThreshold(uint256,uint256)", ["m", "parties"]),
        ("UnknownNode(address)", ["node"]),
        ("UnknownParty(address)", ["party"]),
        ("NodeInUse(address)", ["node"]),
        ("ZeroAddress()", []),
        ("BadSignatures(string)", ["reason"]),
        ("CallFailed(bytes)", ["reason"]));

    private static Dictionary<string, Known> Build(params (string Signature, string[] Names)[] errors)
    {
        var map = new Dictionary<string, Known>(StringComparer.Ordinal);
        foreach (var (signature, names) in errors)
        {
            var (name, types) = Abi.SplitSignature(signature);
            map[Hex.Encode(Abi.Selector(signature))] = new Known(name, names, types);
        }
        return map;
    }

    /// <summary>The error name of revert data (e.g. "AlreadyAnchored"), or null when the selector is unknown or the data is shorter than 4 bytes.</summary>
    public static string? Name(ReadOnlySpan<byte> revertData) =>
        revertData.Length >= 4 && BySelector.TryGetValue(Hex.Encode(revertData[..4]), out var known) ? known.Name : null;

    /// <summary>A readable reason for revert data: "Name(param value, …)", or "unknown error 0x…" for an unknown selector.</summary>
    public static string Describe(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4)
            return revertData.Length == 0 ? "reverted without data" : "revert data " + Hex.Encode0x(revertData);
        if (!BySelector.TryGetValue(Hex.Encode(revertData[..4]), out var known))
            return "unknown error " + Hex.Encode0x(revertData);
        object?[] values;
        try
        {
            values = Abi.Decode(known.Types, revertData[4..]);
        }
        catch (EvmFormatException)
        {
            return known.Name + "(malformed arguments " + Hex.Encode0x(revertData[4..]) + ")";
        }
        if (known.Name == "Error")
            return (string)values[0]!;
        if (known.Name == "CallFailed")
        {
            var inner = (byte[])values[0]!;
            return "CallFailed(" + Describe(inner) + ")";
        }
        var parts = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
            parts[i] = known.ParameterNames[i] + " " + Format(values[i]);
        return known.Name + "(" + string.Join(", ", parts) + ")";
    }

    private static string Format(object? value) => value switch
    {
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => Hex.Encode0x(bytes),
        Address a => a.ToString(),
        string s => "\"" + s + "\"",
        null => "null",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
