using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Ledger.Evm.Tests.Chain;
using Xunit;

namespace Ledger.Evm.Tests.Contracts;

/// <summary>
/// Registry.sol on a real anvil, driven and checked through cast only: bootstrap by the admin, then M-of-N changes
/// through execute() with signatures made by <c>cast wallet sign</c>. Each test deploys its own registry.
/// </summary>
public sealed class RegistryContractTests(ContractChain chain) : IClassFixture<ContractChain>
{
    private const string SetNode = "setNode(address,string,string)";
    private const string SetParty = "setParty(address,string,address,uint8,string[],string[],string[])";
    private const string Execute = "execute(bytes,bytes[])";
    private const string PartyAt = "partyAt(uint256)(address,string,address,uint8,string[],string[],string[])";
    private const string NodeAt = "nodeAt(uint256)(address,string,string)";
    private static readonly string Admin = AnvilProcess.DevKeys[0];
    private static readonly string[] PartyKeys = [AnvilProcess.DevKeys[1], AnvilProcess.DevKeys[2], AnvilProcess.DevKeys[3], AnvilProcess.DevKeys[4]];

    private sealed record NodeRow(string Address, string Name, string Endpoint);

    private sealed record PartyRow(string Key, string Name, string Node, int Roles, string[] Glns, string[] Prefixes, string[] Gtins);

    private static readonly NodeRow[] Nodes =
    [
        new("0x15bbe613aE89d892aBFFDEA3621BDE17006a7DC4", "node-1", "http://127.0.0.1:8080"),
        new("0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF", "node-2", ""),
    ];

    private static readonly PartyRow[] Parties =
    [
        new(PartyKeys[0], "maker", Nodes[0].Address, 1, ["0614141000005"], ["0614141"], []),
        new(PartyKeys[1], "wholesaler", Nodes[0].Address, 2, ["4012345000009", "4012345000016"], [], []),
        new(PartyKeys[2], "pharmacy", Nodes[1].Address, 4 | 2, ["5412345000013"], ["541234"], ["05412345000012"]),
        new(PartyKeys[3], "fda", Nodes[1].Address, 8, [], [], []),
    ];

    [Fact]
    public async Task Bootstrap_FourPartyConsortium_ReadsEverythingBack()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: false);

        Assert.Equal("devnet", (await chain.CallAsync(registry, "name()(string)"))[0].GetString());
        Assert.Equal(await ContractChain.AddressOfAsync(Admin), (await chain.CallAsync(registry, "admin()(address)"))[0].GetString());
        Assert.True((await chain.CallAsync(registry, "bootstrapping()(bool)"))[0].GetBoolean());
        Assert.Equal(0, await NumberAsync(registry, "threshold()(uint256)"));
        Assert.Equal(6, await NumberAsync(registry, "version()(uint64)"));

        Assert.Equal(Nodes.Length, await NumberAsync(registry, "nodeCount()(uint256)"));
        for (var i = 0; i < Nodes.Length; i++)
        {
            var row = await chain.CallAsync(registry, NodeAt, ContractChain.Dec((ulong)i));
            Assert.Equal(Nodes[i].Address, row[0].GetString());
            Assert.Equal(Nodes[i].Name, row[1].GetString());
            Assert.Equal(Nodes[i].Endpoint, row[2].GetString());
            Assert.True((await chain.CallAsync(registry, "isNode(address)(bool)", Nodes[i].Address))[0].GetBoolean());
        }

        Assert.Equal(Parties.Length, await NumberAsync(registry, "partyCount()(uint256)"));
        for (var i = 0; i < Parties.Length; i++)
        {
            var expected = Parties[i];
            var row = await chain.CallAsync(registry, PartyAt, ContractChain.Dec((ulong)i));
            var address = await ContractChain.AddressOfAsync(expected.Key);
            Assert.Equal(address, row[0].GetString());
            Assert.Equal(expected.Name, row[1].GetString());
            Assert.Equal(expected.Node, row[2].GetString());
            Assert.Equal(expected.Roles, row[3].GetInt32());
            Assert.Equal(expected.Glns, Strings(row[4]));
            Assert.Equal(expected.Prefixes, Strings(row[5]));
            Assert.Equal(expected.Gtins, Strings(row[6]));
            Assert.True((await chain.CallAsync(registry, "isParty(address)(bool)", address))[0].GetBoolean());
        }
        Assert.False((await chain.CallAsync(registry, "isParty(address)(bool)", Nodes[0].Address))[0].GetBoolean());
    }

    [Fact]
    public async Task EndBootstrap_ThenAdminChange_RevertsNotAuthorized()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        Assert.False((await chain.CallAsync(registry, "bootstrapping()(bool)"))[0].GetBoolean());
        Assert.Equal(3, await NumberAsync(registry, "threshold()(uint256)"));
        Assert.Equal(7, await NumberAsync(registry, "version()(uint64)"));

        Assert.Equal(
            await ContractChain.ErrorDataAsync("NotAuthorized()"),
            await chain.RevertDataAsync(Admin, registry, SetNode, Nodes[0].Address, "renamed", ""));
        Assert.Equal(
            await ContractChain.ErrorDataAsync("NotBootstrapping()"),
            await chain.RevertDataAsync(Admin, registry, "endBootstrap(uint256)", "2"));
        Assert.Equal(7, await NumberAsync(registry, "version()(uint64)"));
    }

    [Fact]
    public async Task EndBootstrap_ThresholdAbovePartyCount_RevertsBadThreshold()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: false);
        Assert.Equal(
            await ContractChain.ErrorDataAsync("BadThreshold(uint256,uint256)", "5", "4"),
            await chain.RevertDataAsync(Admin, registry, "endBootstrap(uint256)", "5"));
        Assert.Equal(
            await ContractChain.ErrorDataAsync("BadThreshold(uint256,uint256)", "0", "4"),
            await chain.RevertDataAsync(Admin, registry, "endBootstrap(uint256)", "0"));
        Assert.Equal(
            await ContractChain.ErrorDataAsync("NotAuthorized()"),
            await chain.RevertDataAsync(PartyKeys[0], registry, "endBootstrap(uint256)", "3"));
    }

    [Fact]
    public async Task Bootstrap_InvalidMembershipChanges_RevertWithTheirErrors()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: false);
        const string stranger = "0x000000000000000000000000000000000000dEaD";
        Assert.Equal(
            await ContractChain.ErrorDataAsync("UnknownNode(address)", stranger),
            await chain.RevertDataAsync(Admin, registry, SetParty, stranger, "x", stranger, "1", "[]", "[]", "[]"));
        Assert.Equal(
            await ContractChain.ErrorDataAsync("NodeInUse(address)", Nodes[0].Address),
            await chain.RevertDataAsync(Admin, registry, "removeNode(address)", Nodes[0].Address));
        Assert.Equal(
            await ContractChain.ErrorDataAsync("UnknownParty(address)", stranger),
            await chain.RevertDataAsync(Admin, registry, "removeParty(address)", stranger));
        Assert.Equal(
            await ContractChain.ErrorDataAsync("ZeroAddress()"),
            await chain.RevertDataAsync(Admin, registry, SetNode, "0x0000000000000000000000000000000000000000", "x", ""));
        Assert.Equal(
            await ContractChain.ErrorDataAsync("NotAuthorized()"),
            await chain.RevertDataAsync(PartyKeys[0], registry, SetNode, stranger, "x", ""));
    }

    [Fact]
    public async Task Bootstrap_RemovePartyThenNode_MovesLastEntryIntoTheHole()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: false);
        var maker = await ContractChain.AddressOfAsync(Parties[0].Key);
        await chain.SendAsync(Admin, registry, "removeParty(address)", maker);

        Assert.Equal(3, await NumberAsync(registry, "partyCount()(uint256)"));
        Assert.False((await chain.CallAsync(registry, "isParty(address)(bool)", maker))[0].GetBoolean());
        var moved = await chain.CallAsync(registry, PartyAt, "0");
        Assert.Equal(await ContractChain.AddressOfAsync(Parties[3].Key), moved[0].GetString());
        Assert.Equal(Parties[3].Name, moved[1].GetString());
        Assert.Equal(Parties[1].Name, (await chain.CallAsync(registry, PartyAt, "1"))[1].GetString());

        // node-1 still hosts the wholesaler; once it moves to node-2 the node can go, and node-2 takes index 0.
        var wholesaler = Parties[1];
        await chain.SendAsync(Admin, registry, SetParty, await ContractChain.AddressOfAsync(wholesaler.Key), wholesaler.Name, Nodes[1].Address,
            "2", StringArray(wholesaler.Glns), "[]", "[]");
        await chain.SendAsync(Admin, registry, "removeNode(address)", Nodes[0].Address);
        Assert.Equal(1, await NumberAsync(registry, "nodeCount()(uint256)"));
        Assert.Equal(Nodes[1].Address, (await chain.CallAsync(registry, NodeAt, "0"))[0].GetString());
        Assert.False((await chain.CallAsync(registry, "isNode(address)(bool)", Nodes[0].Address))[0].GetBoolean());
        Assert.Equal(9, await NumberAsync(registry, "version()(uint64)"));
    }

    [Fact]
    public async Task Execute_RemovalBelowThreshold_RevertsCallFailedBadThreshold()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var sorted = await SortedPartyKeysAsync(4);
        var first = await Cast.OutputAsync("calldata", "removeParty(address)", await ContractChain.AddressOfAsync(sorted[3]));
        await chain.SendAsync(Admin, registry, Execute, first, BytesArray(await SignAsync(registry, first, sorted[..3])));
        Assert.Equal(3, await NumberAsync(registry, "partyCount()(uint256)"));

        var second = await Cast.OutputAsync("calldata", "removeParty(address)", await ContractChain.AddressOfAsync(sorted[2]));
        var inner = await ContractChain.ErrorDataAsync("BadThreshold(uint256,uint256)", "3", "2");
        Assert.Equal(
            await ContractChain.ErrorDataAsync("CallFailed(bytes)", inner),
            await chain.RevertDataAsync(Admin, registry, Execute, second, BytesArray(await SignAsync(registry, second, sorted[..3]))));
    }

    [Fact]
    public async Task ProposalDigest_AnyData_MatchesTheSpecifiedEncoding()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://node-2.example");
        var inner = await Cast.OutputAsync("keccak", data);
        var encoded = await Cast.OutputAsync("abi-encode", "f(uint256,address,uint256,bytes32)", ContractChain.Dec(AnvilProcess.ChainId), registry, "0", inner);
        Assert.Equal(await Cast.OutputAsync("keccak", encoded), (await chain.CallAsync(registry, "proposalDigest(bytes)(bytes32)", data))[0].GetString());
    }

    [Fact]
    public async Task Execute_ThreeValidSignatures_AppliesChangeAndGrowsVersionAndNonce()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://node-2.example");
        var signatures = await SignAsync(registry, data, await SortedPartyKeysAsync(3));

        var receipt = await chain.SendAsync(PartyKeys[0], registry, Execute, data, BytesArray(signatures));

        var node = await chain.CallAsync(registry, NodeAt, "1");
        Assert.Equal("https://node-2.example", node[2].GetString());
        Assert.Equal(1, await NumberAsync(registry, "nonce()(uint256)"));
        Assert.Equal(8, await NumberAsync(registry, "version()(uint64)"));
        var executedTopic = await Cast.OutputAsync("keccak", "Executed(uint256,bytes32)");
        Assert.Contains(receipt.GetProperty("logs").EnumerateArray(), log =>
            string.Equals(log.GetProperty("topics")[0].GetString(), executedTopic, StringComparison.OrdinalIgnoreCase));

        // A second proposal is signed at the new nonce and passes too (here by all four parties).
        var remove = await Cast.OutputAsync("calldata", "setThreshold(uint256)", "4");
        await chain.SendAsync(Admin, registry, Execute, remove, BytesArray(await SignAsync(registry, remove, await SortedPartyKeysAsync(4))));
        Assert.Equal(4, await NumberAsync(registry, "threshold()(uint256)"));
        Assert.Equal(2, await NumberAsync(registry, "nonce()(uint256)"));
        Assert.Equal(9, await NumberAsync(registry, "version()(uint64)"));
    }

    [Fact]
    public async Task Execute_TwoSignatures_RevertsBadSignaturesCount()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://x.example");
        var signatures = await SignAsync(registry, data, await SortedPartyKeysAsync(2));
        await AssertBadSignaturesAsync(registry, data, signatures, "count");
    }

    [Fact]
    public async Task Execute_UnsortedSigners_RevertsBadSignaturesOrder()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://x.example");
        var keys = (await SortedPartyKeysAsync(3)).Reverse().ToArray();
        await AssertBadSignaturesAsync(registry, data, await SignAsync(registry, data, keys), "order");

        // The same signer twice is not strictly ascending either.
        var sorted = await SortedPartyKeysAsync(2);
        await AssertBadSignaturesAsync(registry, data, await SignAsync(registry, data, [sorted[0], sorted[1], sorted[1]]), "order");
    }

    [Fact]
    public async Task Execute_NonPartySigner_RevertsBadSignaturesSigner()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://x.example");
        // Two parties and the admin (not a party), sorted by address.
        var keys = await SortByAddressAsync([.. (await SortedPartyKeysAsync(2)), Admin]);
        await AssertBadSignaturesAsync(registry, data, await SignAsync(registry, data, keys), "signer");
    }

    [Fact]
    public async Task Execute_ReplayedSignatures_Reverts()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://x.example");
        var signatures = await SignAsync(registry, data, await SortedPartyKeysAsync(3));
        await chain.SendAsync(Admin, registry, Execute, data, BytesArray(signatures));

        // Same data, same signatures: the digest now includes nonce 1, so they recover to other addresses.
        await AssertBadSignaturesAsync(registry, data, signatures, "signer");
        Assert.Equal(1, await NumberAsync(registry, "nonce()(uint256)"));
    }

    [Fact]
    public async Task Execute_HighSSignature_RevertsBadSignaturesSigner()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://x.example");
        var signatures = await SignAsync(registry, data, await SortedPartyKeysAsync(3));
        // The malleable twin (r, n - s, v ^ 1) recovers to the same signer with plain ecrecover; the contract refuses it.
        signatures[1] = MalleableTwin(signatures[1]);
        await AssertBadSignaturesAsync(registry, data, signatures, "signer");
    }

    [Fact]
    public async Task Execute_SignatureNot65Bytes_RevertsBadSignaturesLength()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", SetNode, Nodes[1].Address, "node-2", "https://x.example");
        var signatures = await SignAsync(registry, data, await SortedPartyKeysAsync(3));
        signatures[2] += "00";
        await AssertBadSignaturesAsync(registry, data, signatures, "length");
    }

    [Fact]
    public async Task Execute_InnerCallReverts_RevertsCallFailedWithItsData()
    {
        var registry = await DeployConsortiumAsync(endBootstrap: true);
        var data = await Cast.OutputAsync("calldata", "removeNode(address)", Nodes[0].Address);
        var signatures = await SignAsync(registry, data, await SortedPartyKeysAsync(3));
        var inner = await ContractChain.ErrorDataAsync("NodeInUse(address)", Nodes[0].Address);
        Assert.Equal(
            await ContractChain.ErrorDataAsync("CallFailed(bytes)", inner),
            await chain.RevertDataAsync(Admin, registry, Execute, data, BytesArray(signatures)));
        Assert.Equal(0, await NumberAsync(registry, "nonce()(uint256)"));
    }

    private async Task<string> DeployConsortiumAsync(bool endBootstrap)
    {
        var (registry, _) = await chain.DeployAsync(Admin, "Registry", "constructor(string)", "devnet");
        foreach (var node in Nodes)
            await chain.SendAsync(Admin, registry, SetNode, node.Address, node.Name, node.Endpoint);
        foreach (var party in Parties)
        {
            await chain.SendAsync(Admin, registry, SetParty,
                await ContractChain.AddressOfAsync(party.Key), party.Name, party.Node, party.Roles.ToString(CultureInfo.InvariantCulture),
                StringArray(party.Glns), StringArray(party.Prefixes), StringArray(party.Gtins));
        }
        if (endBootstrap)
            await chain.SendAsync(Admin, registry, "endBootstrap(uint256)", "3");
        return registry;
    }

    private async Task AssertBadSignaturesAsync(string registry, string data, string[] signatures, string reason)
    {
        Assert.Equal(
            await ContractChain.ErrorDataAsync("BadSignatures(string)", reason),
            await chain.RevertDataAsync(Admin, registry, Execute, data, BytesArray(signatures)));
    }

    private async Task<string[]> SignAsync(string registry, string data, IReadOnlyList<string> keys)
    {
        var digest = (await chain.CallAsync(registry, "proposalDigest(bytes)(bytes32)", data))[0].GetString()!;
        var signatures = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
            signatures[i] = await Cast.OutputAsync("wallet", "sign", "--private-key", keys[i], digest);
        return signatures;
    }

    private static async Task<string[]> SortedPartyKeysAsync(int count)
        => [.. (await SortByAddressAsync(PartyKeys)).Take(count)];

    private static async Task<string[]> SortByAddressAsync(IEnumerable<string> keys)
    {
        var withAddress = new List<(string Key, string Address)>();
        foreach (var key in keys)
            withAddress.Add((key, (await ContractChain.AddressOfAsync(key)).ToLowerInvariant()));
        return [.. withAddress.OrderBy(k => k.Address, StringComparer.Ordinal).Select(k => k.Key)];
    }

    private static string MalleableTwin(string signature)
    {
        var n = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var hex = signature[2..];
        var s = BigInteger.Parse("0" + hex[64..128], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var v = Convert.ToByte(hex[128..130], 16);
        var twinS = (n - s).ToString("x64", CultureInfo.InvariantCulture);
        twinS = twinS[^64..];
        var twinV = (v == 27 ? 28 : 27).ToString("x2", CultureInfo.InvariantCulture);
        return "0x" + hex[..64] + twinS + twinV;
    }

    private async Task<long> NumberAsync(string registry, string signature) => (await chain.CallAsync(registry, signature))[0].GetInt64();

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string StringArray(IEnumerable<string> items) => "[" + string.Join(",", items.Select(i => "\"" + i + "\"")) + "]";

    private static string BytesArray(IEnumerable<string> items) => "[" + string.Join(",", items) + "]";
}
