using System.Text.Json;
using Xunit;

namespace Ledger.Evm.Tests.Contracts;

/// <summary>
/// The committed artifacts' ABIs are exactly the normative interface (docs/spec/contracts.md, the interface the C#
/// bindings are written against): every function, event and error with its parameter names, types, indexing and
/// mutability — nothing missing, nothing extra. The expected lines are transcribed from the interface, not generated.
/// </summary>
public sealed class AbiConformanceTests
{
    private static readonly string[] Anchor =
    [
        "error ZeroSize()",
        "error ZeroRoot()",
        "error AlreadyAnchored(uint64 size,bytes32 root)",
        "error SizeNotGrowing(uint64 latest,uint64 size)",
        "event Anchored(address indexed lane,uint64 indexed size,bytes32 root)",
        "function anchor(uint64 size,bytes32 root) nonpayable returns ()",
        "function latest(address lane) view returns (uint64 size,bytes32 root)",
        "function rootAt(address lane,uint64 size) view returns (bytes32)",
        "function anchorCount(address lane) view returns (uint256)",
        "function anchorAt(address lane,uint256 index) view returns (uint64 size,bytes32 root,uint64 blockNumber)",
    ];

    private static readonly string[] Registry =
    [
        "error NotAuthorized()",
        "error NotBootstrapping()",
        "error BadThreshold(uint256 m,uint256 parties)",
        "error UnknownNode(address node)",
        "error UnknownParty(address party)",
        "error NodeInUse(address node)",
        "error ZeroAddress()",
        "error BadSignatures(string reason)",
        "error CallFailed(bytes reason)",
        "event NodeSet(address indexed node,string name,string endpoint)",
        "event NodeRemoved(address indexed node)",
        "event PartySet(address indexed party,string name,address indexed node,uint8 roles)",
        "event PartyRemoved(address indexed party)",
        "event ThresholdSet(uint256 m)",
        "event BootstrapEnded(uint256 threshold)",
        "event Executed(uint256 indexed nonce,bytes32 digest)",
        "constructor(string consortiumName) nonpayable",
        "function name() view returns (string)",
        "function admin() view returns (address)",
        "function bootstrapping() view returns (bool)",
        "function threshold() view returns (uint256)",
        "function version() view returns (uint64)",
        "function nonce() view returns (uint256)",
        "function setNode(address node,string name,string endpoint) nonpayable returns ()",
        "function removeNode(address node) nonpayable returns ()",
        "function setParty(address party,string name,address node,uint8 roles,string[] glns,string[] companyPrefixes,string[] delegatedGtins) nonpayable returns ()",
        "function removeParty(address party) nonpayable returns ()",
        "function setThreshold(uint256 m) nonpayable returns ()",
        "function endBootstrap(uint256 m) nonpayable returns ()",
        "function proposalDigest(bytes data) view returns (bytes32)",
        "function execute(bytes data,bytes[] signatures) nonpayable returns ()",
        "function nodeCount() view returns (uint256)",
        "function nodeAt(uint256 i) view returns (address node,string name,string endpoint)",
        "function partyCount() view returns (uint256)",
        "function partyAt(uint256 i) view returns (address party,string name,address node,uint8 roles,string[] glns,string[] companyPrefixes,string[] delegatedGtins)",
        "function isNode(address a) view returns (bool)",
        "function isParty(address a) view returns (bool)",
    ];

    [Theory]
    [InlineData("Anchor")]
    [InlineData("Registry")]
    public void Abi_CommittedArtifact_EqualsTheNormativeInterface(string contract)
    {
        var expected = contract == "Anchor" ? Anchor : Registry;
        var actual = ContractChain.Artifact(contract).GetProperty("abi").EnumerateArray().Select(Describe).ToArray();
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    private static string Describe(JsonElement entry)
    {
        var type = entry.GetProperty("type").GetString()!;
        var inputs = Parameters(entry.GetProperty("inputs"));
        return type switch
        {
            "constructor" => $"constructor({inputs}) {entry.GetProperty("stateMutability").GetString()}",
            "function" => $"function {entry.GetProperty("name").GetString()}({inputs}) {entry.GetProperty("stateMutability").GetString()} returns ({Parameters(entry.GetProperty("outputs"))})",
            _ => $"{type} {entry.GetProperty("name").GetString()}({inputs})",
        };
    }

    private static string Parameters(JsonElement list) => string.Join(",", list.EnumerateArray().Select(p =>
    {
        var indexed = p.TryGetProperty("indexed", out var i) && i.GetBoolean() ? " indexed" : "";
        var name = p.GetProperty("name").GetString();
        return p.GetProperty("type").GetString() + indexed + (string.IsNullOrEmpty(name) ? "" : " " + name);
    }));
}
