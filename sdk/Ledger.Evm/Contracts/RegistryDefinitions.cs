using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

#pragma warning disable CS1591 // Members of the typed definitions mirror the Solidity interface in docs/spec/contracts.md.

namespace Ledger.Evm.Contracts.Definitions;

// Nethereum typed definitions of Registry.sol, transcribed from the committed ABI (contracts/out/Registry.json) and
// checked against it by the tests (and their calldata against cast). Names, types and order are the contract's.

/// <summary>Registry.sol's creation: <c>constructor(string consortiumName)</c>; the bytecode is the committed artifact's.</summary>
public sealed class RegistryDeployment() : ContractDeploymentMessage(Ledger.Protocol.Hex.Encode0x(ContractArtifacts.Registry.Bytecode))
{
    [Parameter("string", "consortiumName", 1)] public string ConsortiumName { get; set; } = "";
}

[Function("name", "string")] public sealed class NameFunction : FunctionMessage;
[Function("admin", "address")] public sealed class AdminFunction : FunctionMessage;
[Function("bootstrapping", "bool")] public sealed class BootstrappingFunction : FunctionMessage;
[Function("threshold", "uint256")] public sealed class ThresholdFunction : FunctionMessage;
[Function("version", "uint64")] public sealed class VersionFunction : FunctionMessage;
[Function("nonce", "uint256")] public sealed class NonceFunction : FunctionMessage;
[Function("nodeCount", "uint256")] public sealed class NodeCountFunction : FunctionMessage;
[Function("partyCount", "uint256")] public sealed class PartyCountFunction : FunctionMessage;

[Function("nodeAt", typeof(NodeAtOutput))]
public sealed class NodeAtFunction : FunctionMessage
{
    [Parameter("uint256", "i", 1)] public BigInteger Index { get; set; }
}

[FunctionOutput]
public sealed class NodeAtOutput : IFunctionOutputDTO
{
    [Parameter("address", "node", 1)] public string Node { get; set; } = "";
    [Parameter("string", "name", 2)] public string Name { get; set; } = "";
    [Parameter("string", "endpoint", 3)] public string Endpoint { get; set; } = "";
}

[Function("partyAt", typeof(PartyAtOutput))]
public sealed class PartyAtFunction : FunctionMessage
{
    [Parameter("uint256", "i", 1)] public BigInteger Index { get; set; }
}

[FunctionOutput]
public sealed class PartyAtOutput : IFunctionOutputDTO
{
    [Parameter("address", "party", 1)] public string Party { get; set; } = "";
    [Parameter("string", "name", 2)] public string Name { get; set; } = "";
    [Parameter("address", "node", 3)] public string Node { get; set; } = "";
    [Parameter("uint8", "roles", 4)] public byte Roles { get; set; }
    [Parameter("string[]", "glns", 5)] public List<string> Glns { get; set; } = [];
    [Parameter("string[]", "companyPrefixes", 6)] public List<string> CompanyPrefixes { get; set; } = [];
    [Parameter("string[]", "delegatedGtins", 7)] public List<string> DelegatedGtins { get; set; } = [];
}

[Function("isNode", "bool")]
public sealed class IsNodeFunction : FunctionMessage
{
    [Parameter("address", "a", 1)] public string Address { get; set; } = "";
}

[Function("isParty", "bool")]
public sealed class IsPartyFunction : FunctionMessage
{
    [Parameter("address", "a", 1)] public string Address { get; set; } = "";
}

[Function("proposalDigest", "bytes32")]
public sealed class ProposalDigestFunction : FunctionMessage
{
    [Parameter("bytes", "data", 1)] public byte[] Data { get; set; } = [];
}

[Function("setNode")]
public sealed class SetNodeFunction : FunctionMessage
{
    [Parameter("address", "node", 1)] public string Node { get; set; } = "";
    [Parameter("string", "name", 2)] public string Name { get; set; } = "";
    [Parameter("string", "endpoint", 3)] public string Endpoint { get; set; } = "";
}

[Function("removeNode")]
public sealed class RemoveNodeFunction : FunctionMessage
{
    [Parameter("address", "node", 1)] public string Node { get; set; } = "";
}

[Function("setParty")]
public sealed class SetPartyFunction : FunctionMessage
{
    [Parameter("address", "party", 1)] public string Party { get; set; } = "";
    [Parameter("string", "name", 2)] public string Name { get; set; } = "";
    [Parameter("address", "node", 3)] public string Node { get; set; } = "";
    [Parameter("uint8", "roles", 4)] public byte Roles { get; set; }
    [Parameter("string[]", "glns", 5)] public List<string> Glns { get; set; } = [];
    [Parameter("string[]", "companyPrefixes", 6)] public List<string> CompanyPrefixes { get; set; } = [];
    [Parameter("string[]", "delegatedGtins", 7)] public List<string> DelegatedGtins { get; set; } = [];
}

[Function("removeParty")]
public sealed class RemovePartyFunction : FunctionMessage
{
    [Parameter("address", "party", 1)] public string Party { get; set; } = "";
}

[Function("setThreshold")]
public sealed class SetThresholdFunction : FunctionMessage
{
    [Parameter("uint256", "m", 1)] public BigInteger M { get; set; }
}

[Function("endBootstrap")]
public sealed class EndBootstrapFunction : FunctionMessage
{
    [Parameter("uint256", "m", 1)] public BigInteger M { get; set; }
}

[Function("execute")]
public sealed class ExecuteFunction : FunctionMessage
{
    [Parameter("bytes", "data", 1)] public byte[] Data { get; set; } = [];
    [Parameter("bytes[]", "signatures", 2)] public List<byte[]> Signatures { get; set; } = [];
}
