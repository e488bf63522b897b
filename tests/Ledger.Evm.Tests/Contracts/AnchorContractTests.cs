using System.Globalization;
using System.Text.Json;
using Ledger.Evm.Tests.Chain;
using Xunit;

namespace Ledger.Evm.Tests.Contracts;

/// <summary>Anchor.sol on a real anvil, driven and checked through cast only. Each test deploys its own contract.</summary>
public sealed class AnchorContractTests(ContractChain chain) : IClassFixture<ContractChain>
{
    private const string Zero32 = "0x0000000000000000000000000000000000000000000000000000000000000000";
    private static readonly string LaneA = AnvilProcess.DevKeys[1];
    private static readonly string LaneB = AnvilProcess.DevKeys[2];

    [Fact]
    public async Task Anchor_FromDevAccount_ReadsBackAndEmitsAnchored()
    {
        var anchor = await DeployAsync();
        var lane = await ContractChain.AddressOfAsync(LaneA);
        var root5 = await RootAsync("root-5");
        var root9 = await RootAsync("root-9");

        var receipt = await chain.SendAsync(LaneA, anchor, "anchor(uint64,bytes32)", "5", root5);
        await chain.SendAsync(LaneA, anchor, "anchor(uint64,bytes32)", "9", root9);

        var latest = await chain.CallAsync(anchor, "latest(address)(uint64,bytes32)", lane);
        Assert.Equal(9, latest[0].GetInt64());
        Assert.Equal(root9, latest[1].GetString());
        Assert.Equal(root5, (await chain.CallAsync(anchor, "rootAt(address,uint64)(bytes32)", lane, "5"))[0].GetString());
        Assert.Equal(root9, (await chain.CallAsync(anchor, "rootAt(address,uint64)(bytes32)", lane, "9"))[0].GetString());
        Assert.Equal(Zero32, (await chain.CallAsync(anchor, "rootAt(address,uint64)(bytes32)", lane, "7"))[0].GetString());
        Assert.Equal(2, (await chain.CallAsync(anchor, "anchorCount(address)(uint256)", lane))[0].GetInt64());

        var first = await chain.CallAsync(anchor, "anchorAt(address,uint256)(uint64,bytes32,uint64)", lane, "0");
        Assert.Equal(5, first[0].GetInt64());
        Assert.Equal(root5, first[1].GetString());
        Assert.Equal(HexNumber(receipt.GetProperty("blockNumber")), first[2].GetInt64());

        // The Anchored event, as cast sees it in the receipt: topic0 = event id, topic1 = lane, topic2 = size, data = root.
        var log = Assert.Single(receipt.GetProperty("logs").EnumerateArray());
        Assert.Equal(anchor, log.GetProperty("address").GetString(), StringComparer.OrdinalIgnoreCase);
        var topics = log.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToArray();
        Assert.Equal(
            [
                await Cast.OutputAsync("keccak", "Anchored(address,uint64,bytes32)"),
                await Cast.OutputAsync("abi-encode", "f(address)", lane),
                await Cast.OutputAsync("abi-encode", "f(uint64)", "5"),
            ],
            topics!, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(root5, log.GetProperty("data").GetString());
    }

    [Fact]
    public async Task Latest_LaneWithoutAnchors_IsZero()
    {
        var anchor = await DeployAsync();
        var lane = await ContractChain.AddressOfAsync(LaneB);
        var latest = await chain.CallAsync(anchor, "latest(address)(uint64,bytes32)", lane);
        Assert.Equal(0, latest[0].GetInt64());
        Assert.Equal(Zero32, latest[1].GetString());
        Assert.Equal(0, (await chain.CallAsync(anchor, "anchorCount(address)(uint256)", lane))[0].GetInt64());
    }

    [Fact]
    public async Task Anchor_ConflictingOrSameRootForAnchoredSize_RevertsAlreadyAnchored()
    {
        var anchor = await DeployAsync();
        var root = await RootAsync("root-10");
        await chain.SendAsync(LaneA, anchor, "anchor(uint64,bytes32)", "10", root);
        var expected = await ContractChain.ErrorDataAsync("AlreadyAnchored(uint64,bytes32)", "10", root);

        Assert.Equal(expected, await chain.RevertDataAsync(LaneA, anchor, "anchor(uint64,bytes32)", "10", await RootAsync("other")));
        Assert.Equal(expected, await chain.RevertDataAsync(LaneA, anchor, "anchor(uint64,bytes32)", "10", root));
    }

    [Fact]
    public async Task Anchor_SmallerSizeThanLatest_RevertsSizeNotGrowing()
    {
        var anchor = await DeployAsync();
        var lane = await ContractChain.AddressOfAsync(LaneA);
        var root4 = await RootAsync("root-4");
        await chain.SendAsync(LaneA, anchor, "anchor(uint64,bytes32)", "4", root4);
        await chain.SendAsync(LaneA, anchor, "anchor(uint64,bytes32)", "10", await RootAsync("root-10"));

        Assert.Equal(
            await ContractChain.ErrorDataAsync("SizeNotGrowing(uint64,uint64)", "10", "7"),
            await chain.RevertDataAsync(LaneA, anchor, "anchor(uint64,bytes32)", "7", await RootAsync("root-7")));
        // A size that is already anchored (the latest one or an older one) is AlreadyAnchored: that check comes first.
        Assert.Equal(
            await ContractChain.ErrorDataAsync("AlreadyAnchored(uint64,bytes32)", "4", root4),
            await chain.RevertDataAsync(LaneA, anchor, "anchor(uint64,bytes32)", "4", await RootAsync("root-4b")));
        Assert.Equal(2, (await chain.CallAsync(anchor, "anchorCount(address)(uint256)", lane))[0].GetInt64());
    }

    [Fact]
    public async Task Anchor_ZeroSizeOrZeroRoot_RevertsZeroSizeThenZeroRoot()
    {
        var anchor = await DeployAsync();
        var root = await RootAsync("root");
        var zeroSize = await ContractChain.ErrorDataAsync("ZeroSize()");
        var zeroRoot = await ContractChain.ErrorDataAsync("ZeroRoot()");

        Assert.Equal(zeroSize, await chain.RevertDataAsync(LaneA, anchor, "anchor(uint64,bytes32)", "0", root));
        Assert.Equal(zeroRoot, await chain.RevertDataAsync(LaneA, anchor, "anchor(uint64,bytes32)", "3", Zero32));
        Assert.Equal(zeroSize, await chain.RevertDataAsync(LaneA, anchor, "anchor(uint64,bytes32)", "0", Zero32));
    }

    [Fact]
    public async Task Anchor_TwoSenders_LanesAreIndependent()
    {
        var anchor = await DeployAsync();
        var laneA = await ContractChain.AddressOfAsync(LaneA);
        var laneB = await ContractChain.AddressOfAsync(LaneB);
        var rootA = await RootAsync("a-10");
        var rootB3 = await RootAsync("b-3");
        var rootB10 = await RootAsync("b-10");

        await chain.SendAsync(LaneA, anchor, "anchor(uint64,bytes32)", "10", rootA);
        // Lane B may anchor a smaller size than lane A, and the same size with another root.
        await chain.SendAsync(LaneB, anchor, "anchor(uint64,bytes32)", "3", rootB3);
        await chain.SendAsync(LaneB, anchor, "anchor(uint64,bytes32)", "10", rootB10);

        Assert.Equal(rootA, (await chain.CallAsync(anchor, "rootAt(address,uint64)(bytes32)", laneA, "10"))[0].GetString());
        Assert.Equal(rootB10, (await chain.CallAsync(anchor, "rootAt(address,uint64)(bytes32)", laneB, "10"))[0].GetString());
        Assert.Equal(Zero32, (await chain.CallAsync(anchor, "rootAt(address,uint64)(bytes32)", laneA, "3"))[0].GetString());
        Assert.Equal(1, (await chain.CallAsync(anchor, "anchorCount(address)(uint256)", laneA))[0].GetInt64());
        Assert.Equal(2, (await chain.CallAsync(anchor, "anchorCount(address)(uint256)", laneB))[0].GetInt64());
        var second = await chain.CallAsync(anchor, "anchorAt(address,uint256)(uint64,bytes32,uint64)", laneB, "1");
        Assert.Equal(10, second[0].GetInt64());
        Assert.Equal(rootB10, second[1].GetString());
    }

    [Fact]
    public async Task Deploy_CommittedArtifact_RuntimeCodeEqualsDeployedBytecode()
    {
        var anchor = await DeployAsync();
        var code = await Cast.OutputAsync("code", "--rpc-url", chain.Rpc, anchor);
        Assert.Equal(ContractChain.Artifact("Anchor").GetProperty("deployedBytecode").GetString(), code);
    }

    private async Task<string> DeployAsync() => (await chain.DeployAsync(AnvilProcess.DevKeys[0], "Anchor")).Address;

    private static Task<string> RootAsync(string label) => Cast.OutputAsync("keccak", label);

    private static long HexNumber(JsonElement value) => long.Parse(value.GetString()![2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
