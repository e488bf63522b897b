using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

#pragma warning disable CS1591 // Members of the typed definitions mirror the Solidity interface in docs/spec/contracts.md.

namespace Ledger.Evm.Contracts.Definitions;

// Nethereum typed definitions of Anchor.sol, transcribed from the committed ABI (contracts/out/Anchor.json) and checked
// against it by the tests (and their calldata against cast). Names, types and order are the contract's.

/// <summary>Anchor.sol's creation (no constructor arguments); the bytecode is the committed artifact's.</summary>
public sealed class AnchorDeployment() : ContractDeploymentMessage(Ledger.Protocol.Hex.Encode0x(ContractArtifacts.Anchor.Bytecode));

/// <summary><c>anchor(uint64 size, bytes32 root)</c>.</summary>
[Function("anchor")]
public sealed class AnchorFunction : FunctionMessage
{
    [Parameter("uint64", "size", 1)] public ulong Size { get; set; }
    [Parameter("bytes32", "root", 2)] public byte[] Root { get; set; } = [];
}

/// <summary><c>latest(address lane) returns (uint64 size, bytes32 root)</c>.</summary>
[Function("latest", typeof(LatestOutput))]
public sealed class LatestFunction : FunctionMessage
{
    [Parameter("address", "lane", 1)] public string Lane { get; set; } = "";
}

/// <summary>The outputs of <c>latest</c>.</summary>
[FunctionOutput]
public sealed class LatestOutput : IFunctionOutputDTO
{
    [Parameter("uint64", "size", 1)] public ulong Size { get; set; }
    [Parameter("bytes32", "root", 2)] public byte[] Root { get; set; } = [];
}

/// <summary><c>rootAt(address lane, uint64 size) returns (bytes32)</c>.</summary>
[Function("rootAt", "bytes32")]
public sealed class RootAtFunction : FunctionMessage
{
    [Parameter("address", "lane", 1)] public string Lane { get; set; } = "";
    [Parameter("uint64", "size", 2)] public ulong Size { get; set; }
}

/// <summary><c>anchorCount(address lane) returns (uint256)</c>.</summary>
[Function("anchorCount", "uint256")]
public sealed class AnchorCountFunction : FunctionMessage
{
    [Parameter("address", "lane", 1)] public string Lane { get; set; } = "";
}

/// <summary><c>anchorAt(address lane, uint256 index) returns (uint64 size, bytes32 root, uint64 blockNumber)</c>.</summary>
[Function("anchorAt", typeof(AnchorAtOutput))]
public sealed class AnchorAtFunction : FunctionMessage
{
    [Parameter("address", "lane", 1)] public string Lane { get; set; } = "";
    [Parameter("uint256", "index", 2)] public BigInteger Index { get; set; }
}

/// <summary>The outputs of <c>anchorAt</c>.</summary>
[FunctionOutput]
public sealed class AnchorAtOutput : IFunctionOutputDTO
{
    [Parameter("uint64", "size", 1)] public ulong Size { get; set; }
    [Parameter("bytes32", "root", 2)] public byte[] Root { get; set; } = [];
    [Parameter("uint64", "blockNumber", 3)] public ulong BlockNumber { get; set; }
}

/// <summary><c>event Anchored(address indexed lane, uint64 indexed size, bytes32 root)</c>.</summary>
[Event("Anchored")]
public sealed class AnchoredEventDto : IEventDTO
{
    [Parameter("address", "lane", 1, true)] public string Lane { get; set; } = "";
    [Parameter("uint64", "size", 2, true)] public ulong Size { get; set; }
    [Parameter("bytes32", "root", 3, false)] public byte[] Root { get; set; } = [];
}
