using System.Text.Json;
using Ledger.Cli.Tests;
using Ledger.Evm.Tests.Chain;
using Ledger.Node.Tests;
using Ledger.Node.Tests.Network;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Merkle;
using Xunit;
using static Ledger.Evm.Tests.Anchoring.AnchoringKit;

namespace Ledger.Evm.Tests.Anchoring;

[Collection("anchoring")]
public sealed class AnchoringNodeTests
{
    [Fact]
    public async Task NodeWithAnchoring_RecordsWritten_AnchorOnChainEqualsHeaderAndProvenanceAndVerifyAgree()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var anchor = await DeployAnchorAsync(anvil);
        using var consortium = await TestConsortium.CreateAsync();
        var lane = NodeAddress(consortium.DataDirectory);
        await FundAsync(anvil, lane);
        await using var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor));

        string serial = "";
        for (var i = 0; i < 3; i++)
            serial = await CommissionAsync(node, consortium.Maker);
        var head = await HeadAsync(node);
        var onChain = await WaitForAnchorAsync(anvil, anchor, lane, head.LogSize, node);

        // The chain's (size, root) is a certified header of the lane, byte for byte.
        using var anonymous = TestConsortium.ClientFor(node, null);
        using (var header = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri($"/v1/headers?logSize={onChain.Size}", UriKind.Relative))))
        {
            Assert.Equal(Norm(onChain.Root), Norm(header.RootElement.GetProperty("logRoot").GetString()!));
            Assert.Equal(Norm(lane.ToString()), Norm(header.RootElement.GetProperty("lane").GetString()!));
        }

        // Provenance carries the anchor (once confirmed) with a consistency proof to its header that verifies.
        using var maker = TestConsortium.ClientFor(node, consortium.Maker);
        JsonElement anchorJson = default;
        string headerRoot = "";
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var provenance = JsonDocument.Parse(await maker.GetStringAsync(new Uri($"/v1/provenance?id=(01){Gtin}(21){serial}", UriKind.Relative)));
            if (provenance.RootElement.GetProperty("anchor").ValueKind == JsonValueKind.Object)
            {
                anchorJson = provenance.RootElement.GetProperty("anchor").Clone();
                headerRoot = provenance.RootElement.GetProperty("header").GetProperty("logRoot").GetString()!;
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "provenance never carried a confirmed anchor:\n" + node.StdErr);
            await Task.Delay(250);
        }
        Assert.Equal(Norm(anchor.ToString()), Norm(anchorJson.GetProperty("unverified").GetProperty("contract").GetString()!));
        Assert.Equal(AnvilProcess.ChainId, anchorJson.GetProperty("unverified").GetProperty("chainId").GetUInt64());
        var anchoredRoot = Hash32.Parse(anchorJson.GetProperty("root").GetString()!);
        var proof = Hex.Decode(anchorJson.GetProperty("consistencyProof").GetString()!);
        Assert.True(MerkleTree.VerifyConsistency(proof, anchoredRoot, Hash32.Parse(headerRoot)).IsValid);

        // The node lists the anchor as confirmed.
        using (var anchors = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri("/v1/anchors", UriKind.Relative))))
            Assert.Contains(anchors.RootElement.GetProperty("anchors").EnumerateArray(), a => a.GetProperty("status").GetString() == "confirmed");

        var verify = await CliRunner.RunAsync("anchor", "verify", "--rpc", anvil.RpcUrl.ToString(), "--anchor", anchor.ToString(), "--lane", lane.ToString(),
            "--node", node.BaseAddress.ToString());
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        using var report = JsonDocument.Parse(verify.StdOut);
        Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
        Assert.All(report.RootElement.GetProperty("anchors").EnumerateArray(), a => Assert.Equal("ok", a.GetProperty("status").GetString()));

        // An auditor who trusts only the chain: the saved answer verifies offline, its anchor against the contract.
        var answerFile = Path.Combine(consortium.DataDirectory, "..", "answer.json");
        var saved = await CliRunner.RunAsync("provenance", $"(01){Gtin}(21){serial}", "--node", node.BaseAddress.ToString(),
            "--token-file", Path.Combine(consortium.DataDirectory, "tokens", "maker.token"), "--out", answerFile);
        Assert.True(saved.ExitCode == 0, saved.StdErr);
        // The SDK's typed answer keeps the anchor exactly as the node wrote it.
        var savedJson = await File.ReadAllTextAsync(answerFile);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(savedJson),
            System.Text.Json.Nodes.JsonNode.Parse(Ledger.Sdk.Provenance.ProvenanceDocument.Parse(savedJson).ToJson())), savedJson);
        var consortiumFile = Path.Combine(consortium.DataDirectory, "consortium.json");
        var offline = await CliRunner.RunAsync("verify-proof", answerFile, "--consortium", consortiumFile, "--rpc", anvil.RpcUrl.ToString(), "--anchor", anchor.ToString());
        Assert.True(offline.ExitCode == 0, offline.StdOut + offline.StdErr);
        Assert.Contains("ok   anchor-chain", offline.StdOut, StringComparison.Ordinal);

        // The same answer against an Anchor contract that never saw this lane: the chain does not vouch for it.
        var empty = await DeployAnchorAsync(anvil);
        var unanchored = await CliRunner.RunAsync("verify-proof", answerFile, "--consortium", consortiumFile, "--rpc", anvil.RpcUrl.ToString(), "--anchor", empty.ToString());
        Assert.Equal(1, unanchored.ExitCode);
        Assert.Contains("not-anchored", unanchored.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeKilledMidAnchoring_Restarted_ResumesWithoutAnchoringASizeTwice()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var anchor = await DeployAnchorAsync(anvil);
        using var consortium = await TestConsortium.CreateAsync();
        var lane = NodeAddress(consortium.DataDirectory);
        await FundAsync(anvil, lane);

        for (var round = 0; round < 3; round++)
        {
            await using var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor));
            await CommissionAsync(node, consortium.Maker);
            // Kill at different points of the anchoring cycle: right away, and a little later.
            await Task.Delay(round * 400);
            Assert.Equal(137, await node.SignalAndWaitForExitAsync("KILL", TimeSpan.FromSeconds(20)));
        }
        await using (var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor)))
        {
            await CommissionAsync(node, consortium.Maker);
            var head = await HeadAsync(node);
            await WaitForAnchorAsync(anvil, anchor, lane, head.LogSize, node);
        }

        var sizes = await AnchoredSizesAsync(anvil, anchor, lane);
        Assert.Equal(sizes.Distinct().Count(), sizes.Count);
        // Every transaction the node key ever sent is one anchor on chain: no duplicate, no reverted second try.
        Assert.Equal(sizes.Count, await NonceAsync(anvil, lane));
    }

    /// <summary>
    /// The node kills itself at an exact step of the anchoring cycle (LEDGER_FAULTPOINT, docs/spec/anchoring.md), then
    /// restarts: the anchor gets on chain exactly once, every transaction the node key ever sent is one anchor, and what
    /// the crash left in the nonce file decides the nonce — a transaction signed but never broadcast is broadcast on
    /// restart with its recorded bytes (same hash, nonce 0), never re-signed at a new nonce.
    /// </summary>
    [Theory]
    [InlineData("anchor-intent")]
    [InlineData("evm-recorded")]
    [InlineData("evm-broadcast")]
    public async Task NodeKilledAtFaultPoint_Restarted_AnchorsOnceWithTheRecordedNonce(string faultPoint)
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var anchor = await DeployAnchorAsync(anvil);
        using var consortium = await TestConsortium.CreateAsync();
        var lane = NodeAddress(consortium.DataDirectory);
        await FundAsync(anvil, lane);
        var nonceFile = Path.Combine(consortium.DataDirectory, "evm", "nonce.json");

        await using (var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor), new Dictionary<string, string> { ["LEDGER_FAULTPOINT"] = faultPoint }))
        {
            // One batch, so one head to anchor; the node dies at the fault point of its first anchoring cycle.
            await CommissionAsync(node, consortium.Maker);
            Assert.Equal(137, await node.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"fault point {faultPoint} reached", node.StdErr, StringComparison.Ordinal);
        }

        var pending = JsonDocument.Parse(File.ReadAllText(nonceFile)).RootElement.GetProperty("pending");
        string? recordedHash = null;
        switch (faultPoint)
        {
            case "anchor-intent": // nothing signed yet
                Assert.Equal(0, pending.GetArrayLength());
                Assert.Equal(0, await NonceAsync(anvil, lane));
                break;
            case "evm-recorded": // signed and recorded at nonce 0, never sent
                var record = Assert.Single(pending.EnumerateArray());
                Assert.Equal(0, record.GetProperty("nonce").GetInt32());
                recordedHash = record.GetProperty("hash").GetString();
                Assert.Equal(0, await NonceAsync(anvil, lane));
                break;
            default: // sent (and mined by anvil's automine); the anchor store never saw its hash
                Assert.Equal(1, await NonceAsync(anvil, lane));
                break;
        }

        long size;
        await using (var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor)))
        {
            size = (await HeadAsync(node)).LogSize;
            var onChain = await WaitForAnchorAsync(anvil, anchor, lane, size, node);
            Assert.Equal(size, onChain.Size);
        }

        // Exactly one anchor (the one head), sent by exactly one transaction of the node key.
        Assert.Equal([size], await AnchoredSizesAsync(anvil, anchor, lane));
        Assert.Equal(1, await NonceAsync(anvil, lane));
        if (recordedHash is not null)
        {
            var tx = await Cast.OutputAsync("tx", "--rpc-url", anvil.RpcUrl.ToString(), recordedHash, "nonce");
            Assert.Equal("0", tx.Trim());
        }
    }

    [Fact]
    public async Task ChainStoppedAndRestarted_NodeKeepsWriting_ThenAnchorsTheNewerHead()
    {
        using var dir = new TestDirectory();
        var state = Path.Combine(dir.Path, "anvil-state.json");
        var anvil = await AnvilProcess.StartAsync(stateFile: state);
        try
        {
            var port = anvil.Port;
            var anchor = await DeployAnchorAsync(anvil);
            using var consortium = await TestConsortium.CreateAsync();
            var lane = NodeAddress(consortium.DataDirectory);
            await FundAsync(anvil, lane);
            await using var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor));
            await CommissionAsync(node, consortium.Maker);
            var first = await WaitForAnchorAsync(anvil, anchor, lane, (await HeadAsync(node)).LogSize, node);

            await anvil.StopAsync();
            await anvil.DisposeAsync();
            // Writes never wait on the chain.
            for (var i = 0; i < 3; i++)
                await CommissionAsync(node, consortium.Maker);
            var head = await HeadAsync(node);
            Assert.True(head.LogSize > first.Size);
            using (var anonymous = TestConsortium.ClientFor(node, null))
                Assert.Equal(System.Net.HttpStatusCode.OK, (await anonymous.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

            anvil = await AnvilProcess.StartAsync(port: port, stateFile: state);
            var caughtUp = await WaitForAnchorAsync(anvil, anchor, lane, head.LogSize, node);
            Assert.Equal(head.LogSize, caughtUp.Size);
            Assert.Equal(Norm(head.LogRoot), Norm(caughtUp.Root));
            Assert.Equal(await AnchorCountAsync(anvil, anchor, lane), await NonceAsync(anvil, lane));
        }
        finally
        {
            await anvil.DisposeAsync();
        }
    }

    [Fact]
    public async Task TamperedLane_ServedByACopy_AnchorVerifyExits1NamingTheSize()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var anchor = await DeployAnchorAsync(anvil);
        using var consortium = await TestConsortium.CreateAsync();
        var lane = NodeAddress(consortium.DataDirectory);
        await FundAsync(anvil, lane);
        using var copies = new TestDirectory();
        var fork = Path.Combine(copies.Path, "fork");

        long goodSize;
        await using (var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor)))
        {
            await CommissionAsync(node, consortium.Maker);
            goodSize = (await HeadAsync(node)).LogSize;
            await WaitForAnchorAsync(anvil, anchor, lane, goodSize, node);
        }
        CopyDirectory(consortium.DataDirectory, fork);
        long forkedSize;
        await using (var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor)))
        {
            await CommissionAsync(node, consortium.Maker);
            forkedSize = (await HeadAsync(node)).LogSize;
            await WaitForAnchorAsync(anvil, anchor, lane, forkedSize, node);
        }

        // The copy rewrites history after goodSize: same key, a different record at the anchored size.
        await using var copy = await NodeProcess.StartAsync(fork);
        await CommissionAsync(copy, consortium.Maker);
        Assert.Equal(forkedSize, (await HeadAsync(copy)).LogSize);

        var verify = await CliRunner.RunAsync("anchor", "verify", "--rpc", anvil.RpcUrl.ToString(), "--anchor", anchor.ToString(), "--lane", lane.ToString(),
            "--node", copy.BaseAddress.ToString());
        Assert.True(verify.ExitCode == 1, verify.StdOut + verify.StdErr);
        using var report = JsonDocument.Parse(verify.StdOut);
        var bySize = report.RootElement.GetProperty("anchors").EnumerateArray().ToDictionary(a => a.GetProperty("size").GetInt64());
        Assert.Equal("ok", bySize[goodSize].GetProperty("status").GetString());
        Assert.Equal("mismatch", bySize[forkedSize].GetProperty("status").GetString());
        Assert.Contains("logRoot", bySize[forkedSize].GetProperty("reason").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TamperedHeader_InACopyOfTheStore_AnchorVerifyExits1NamingTheSize()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var anchor = await DeployAnchorAsync(anvil);
        using var consortium = await TestConsortium.CreateAsync();
        var lane = NodeAddress(consortium.DataDirectory);
        await FundAsync(anvil, lane);
        long anchoredSize;
        await using (var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor)))
        {
            await CommissionAsync(node, consortium.Maker);
            anchoredSize = (await HeadAsync(node)).LogSize;
            await WaitForAnchorAsync(anvil, anchor, lane, anchoredSize, node);
            await CommissionAsync(node, consortium.Maker); // the tampered header is not the head
        }
        using var copies = new TestDirectory();
        var copyDirectory = Path.Combine(copies.Path, "copy");
        CopyDirectory(consortium.DataDirectory, copyDirectory);

        // In the copy, the header at the anchored size gets another logRoot; its signature is left as it was.
        long tamperedHeight;
        using (var db = Ledger.Storage.RocksDb.RocksDb.Open(Path.Combine(copyDirectory, "ledger", "index"), new Ledger.Storage.RocksDb.RocksDbOptions(),
            Ledger.Engine.Lane.LaneStore.FamilyNames))
        {
            var headers = db.GetColumnFamily("headers");
            SignedHeader? found = null;
            byte[] key = [];
            for (long height = 1; found is null; height++)
            {
                // headers are keyed lane number (4 bytes BE; the own lane is 1) ‖ height (8 bytes BE): docs/spec/lane.md §2
                key = new byte[12];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(key, 1);
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(4), height);
                var stored = db.Get(headers, key) ?? throw new InvalidOperationException("no header has the anchored log size");
                var header = SignedHeader.Decode(stored);
                if (header.Header.LogSize == anchoredSize)
                    found = header;
            }
            var h = found.Header;
            var forged = new SignedHeader(new BlockHeader(h.Lane, h.Height, h.Parent, h.TimeMs, h.RecordsRoot, h.RecordCount, h.LogSize,
                Ledger.Protocol.Crypto.Keccak256.Hash("forged"u8), h.StateRoot, h.Refs), found.Signature);
            db.Put(headers, key, forged.Encode(), sync: true);
            tamperedHeight = h.Height;
        }

        await using var copy = await NodeProcess.StartAsync(copyDirectory);
        var verify = await CliRunner.RunAsync("anchor", "verify", "--rpc", anvil.RpcUrl.ToString(), "--anchor", anchor.ToString(), "--lane", lane.ToString(),
            "--node", copy.BaseAddress.ToString());
        Assert.True(verify.ExitCode == 1, verify.StdOut + verify.StdErr);
        using var report = JsonDocument.Parse(verify.StdOut);
        Assert.False(report.RootElement.GetProperty("ok").GetBoolean());
        var check = Assert.Single(report.RootElement.GetProperty("anchors").EnumerateArray(), a => a.GetProperty("size").GetInt64() == anchoredSize);
        Assert.Equal("mismatch", check.GetProperty("status").GetString());
        Assert.Contains("signature", check.GetProperty("reason").GetString()!, StringComparison.OrdinalIgnoreCase);

        // The original store still verifies.
        await using var original = await consortium.StartNodeAsync();
        var good = await CliRunner.RunAsync("anchor", "verify", "--rpc", anvil.RpcUrl.ToString(), "--anchor", anchor.ToString(), "--lane", lane.ToString(),
            "--node", original.BaseAddress.ToString());
        Assert.True(good.ExitCode == 0, good.StdOut + good.StdErr + $" (tampered height {tamperedHeight})");
    }

    [Fact]
    public async Task ConfirmedAnchor_ChainRevertedBelowIt_IsReBroadcastAndConfirmedAgain()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var rpc = anvil.RpcUrl.ToString();
        var anchor = await DeployAnchorAsync(anvil);
        using var consortium = await TestConsortium.CreateAsync();
        var lane = NodeAddress(consortium.DataDirectory);
        await FundAsync(anvil, lane);
        var snapshot = (await Cast.OutputAsync("rpc", "--rpc-url", rpc, "evm_snapshot")).Trim('"');
        await using var node = await consortium.StartNodeAsync(AnchorArgs(anvil, anchor));
        await CommissionAsync(node, consortium.Maker);
        var size = (await HeadAsync(node)).LogSize;
        await WaitForAnchorAsync(anvil, anchor, lane, size, node);

        // Drop the block that holds the anchor and build another chain of the same height: the anchor vanishes.
        await Cast.OutputAsync("rpc", "--rpc-url", rpc, "evm_revert", snapshot);
        await Cast.OutputAsync("rpc", "--rpc-url", rpc, "anvil_mine", "0x3");
        var back = await WaitForAnchorAsync(anvil, anchor, lane, size, node);
        Assert.Equal(size, back.Size);
        Assert.Equal(1, await AnchorCountAsync(anvil, anchor, lane));
        Assert.Equal(1, await NonceAsync(anvil, lane));
    }

    [Fact]
    public async Task AnchorVerify_BadLane_Exits2()
    {
        var r = await CliRunner.RunAsync("anchor", "verify", "--rpc", "http://127.0.0.1:1", "--anchor", "0x0000000000000000000000000000000000000001",
            "--lane", "not-an-address", "--node", "http://127.0.0.1:1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--lane", r.StdErr, StringComparison.Ordinal);
    }
}
