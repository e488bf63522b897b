using System.Globalization;
using System.Numerics;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;

namespace Ledger.Evm.Contracts;

/// <summary>A revert decoded against a known error: its name and its arguments by parameter name, in order.</summary>
/// <param name="Name">The error's name, e.g. "AlreadyAnchored".</param>
/// <param name="Arguments">Its arguments (address as <see cref="Address"/>, uintN as <see cref="BigInteger"/>, bytesN/bytes as byte[], string as string).</param>
public sealed record ContractError(string Name, IReadOnlyList<KeyValuePair<string, object?>> Arguments);

/// <summary>
/// Decodes revert data with Nethereum's ABI decoder against the errors of the committed Registry and Anchor ABIs
/// (contracts/out, embedded in this assembly) and Solidity's built-in Error(string) and Panic(uint256), into a readable
/// reason (docs/spec/evm-client.md), e.g. "AlreadyAnchored(size 7, root 0x…)".
/// </summary>
public static class ContractErrors
{
    private static readonly Lazy<List<ErrorABI>> Known = new(Load);

    /// <summary>The error of revert data, decoded; null when the data is shorter than 4 bytes, the selector is unknown or the arguments do not decode.</summary>
    public static ContractError? Decode(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4)
            return null;
        var hex = Hex.Encode0x(revertData);
        var abi = ErrorExtensions.FindErrorABIForExceptionData(Known.Value, hex);
        if (abi is null)
            return null;
        List<ParameterOutput> values;
        try
        {
            values = ErrorExtensions.DecodeExceptionEncodedDataToDefault(abi, hex);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or FormatException or InvalidOperationException)
        {
            return new ContractError(abi.Name, [new("malformed arguments", Hex.Encode0x(revertData[4..]))]);
        }
        return new ContractError(abi.Name, [.. values.OrderBy(v => v.Parameter.Order).Select(v => new KeyValuePair<string, object?>(v.Parameter.Name, Normalize(v.Parameter.Type, v.Result)))]);
    }

    /// <summary>The error name of revert data (e.g. "AlreadyAnchored"), or null when the selector is unknown or the data is shorter than 4 bytes.</summary>
    public static string? Name(ReadOnlySpan<byte> revertData) =>
        revertData.Length >= 4 ? ErrorExtensions.FindErrorABIForExceptionData(Known.Value, Hex.Encode0x(revertData))?.Name : null;

    /// <summary>A readable reason for revert data: "Name(param value, …)", the message of Error(string), or "unknown error 0x…" for an unknown selector.</summary>
    public static string Describe(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4)
            return revertData.Length == 0 ? "reverted without data" : "revert data " + Hex.Encode0x(revertData);
        var error = Decode(revertData);
        if (error is null)
            return "unknown error " + Hex.Encode0x(revertData);
        if (error.Arguments is [{ Key: "malformed arguments", Value: string raw }])
            return error.Name + "(malformed arguments " + raw + ")";
        if (error.Name == "Error" && error.Arguments is [{ Value: string message }])
            return message;
        if (error.Name == "CallFailed" && error.Arguments is [{ Value: byte[] inner }])
            return "CallFailed(" + Describe(inner) + ")";
        return error.Name + "(" + string.Join(", ", error.Arguments.Select(a => a.Key + " " + Format(a.Value))) + ")";
    }

    private static object? Normalize(string type, object? value) => (type, value) switch
    {
        ("address", string s) => Address.Parse(s),
        (_, BigInteger b) => b,
        (_, byte b) => new BigInteger(b),
        (_, ulong u) => new BigInteger(u),
        (_, long l) => new BigInteger(l),
        (_, int i) => new BigInteger(i),
        _ => value,
    };

    private static string Format(object? value) => value switch
    {
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => Hex.Encode0x(bytes),
        Address a => a.ToString(),
        string s => "\"" + s + "\"",
        null => "null",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static List<ErrorABI> Load()
    {
        var deserialiser = new ABIJsonDeserialiser();
        var errors = new List<ErrorABI>
        {
            new("Error") { InputParameters = [new Parameter("string", "reason", 1, null, null)] },
            new("Panic") { InputParameters = [new Parameter("uint256", "code", 1, null, null)] },
        };
        foreach (var abi in new[] { ContractArtifacts.Registry.Abi, ContractArtifacts.Anchor.Abi })
            errors.AddRange(deserialiser.DeserialiseContract(abi).Errors ?? []);
        return errors;
    }
}
