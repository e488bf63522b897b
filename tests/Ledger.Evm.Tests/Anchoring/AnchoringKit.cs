using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ledger.Evm.Contracts;
using Ledger.Evm.Tests.Chain;
using Ledger.Node;
using Ledger.Node.Tests;
using Ledger.Node.Tests.Network;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Xunit;

namespace Ledger.Evm.Tests.Anchoring;

/// <summary>What the anchoring tests share: deploying with cast, funding the node key, writing records, reading the chain.</summary>
public static class AnchoringKit
{
    /// <summary>The maker's GTIN (prefix 030001).</summary>
    public static readonly string Gtin = "0030001012345" + CheckDigit.Compute("0030001012345");

    /// <summary>The maker's line GLN.</summary>
    public const string MakerLine = "0300011111116";

    private static long _nonce = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 12;

    /// <summary>The node address of a data folder (its node.key).</summary>
    public static Address NodeAddress(string dataDirectory) => KeyFile.Load(Path.Combine(dataDirectory, NodeIdentity.KeyFileName)).Address;

    /// <summary>Deploys a contract's creation code with cast from a dev key; returns its address.</summary>
    public static async Task<Address> DeployAsync(AnvilProcess anvil, byte[] bytecode, params string[] constructor)
    {
        var json = await Cast.OutputAsync([.. new[] { "send", "--rpc-url", anvil.RpcUrl.ToString(), "--private-key", AnvilProcess.DevKeys[1], "--json", "--create", Hex.Encode0x(bytecode) }, .. constructor]);
        using var doc = JsonDocument.Parse(json);
        return Address.Parse(doc.RootElement.GetProperty("contractAddress").GetString()!);
    }

    /// <summary>Deploys the Anchor contract.</summary>
    public static Task<Address> DeployAnchorAsync(AnvilProcess anvil) => DeployAsync(anvil, ContractArtifacts.Anchor.Bytecode);

    /// <summary>Sends 10 ether from a dev account to <paramref name="to"/> (the node pays for its anchors).</summary>
    public static Task FundAsync(AnvilProcess anvil, Address to) =>
        Cast.OutputAsync("send", "--rpc-url", anvil.RpcUrl.ToString(), "--private-key", AnvilProcess.DevKeys[0], "--value", "10ether", to.ToString());

    /// <summary>The arguments that turn anchoring on (every second, one confirmation: anvil mines one block per transaction).</summary>
    public static string[] AnchorArgs(AnvilProcess anvil, Address anchor) =>
        ["--evm-rpc", anvil.RpcUrl.ToString(), "--anchor", anchor.ToString(), "--anchor-every", "1", "--anchor-confirmations", "1"];

    /// <summary>Commissions one new serial as the maker through a signed batch; returns the serial.</summary>
    public static async Task<string> CommissionAsync(NodeProcess node, TestParty maker)
    {
        var serial = "A" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var record = new LedgerRecord(maker.Address, (ulong)Interlocked.Increment(ref _nonce), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            new CommissionPayload(Gtin, "LOT1", "281231", MakerLine, [serial]), null);
        using var client = TestConsortium.ClientFor(node, maker);
        using var content = new ByteArrayContent(SignedBatch.Sign([record], maker.Key).Encode());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.ledger.batch");
        using var response = await client.PostAsync(new Uri("/v1/batches", UriKind.Relative), content);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return serial;
    }

    /// <summary>The node's head (logSize, logRoot), read anonymously.</summary>
    public static async Task<(long LogSize, string LogRoot)> HeadAsync(NodeProcess node)
    {
        using var client = TestConsortium.ClientFor(node, null);
        using var doc = JsonDocument.Parse(await client.GetStringAsync(new Uri("/v1/head", UriKind.Relative)));
        return (doc.RootElement.GetProperty("logSize").GetInt64(), doc.RootElement.GetProperty("logRoot").GetString()!);
    }

    /// <summary>The lane's latest anchor on chain, read with cast (the independent oracle).</summary>
    public static async Task<(long Size, string Root)> LatestOnChainAsync(AnvilProcess anvil, Address anchor, Address lane)
    {
        var lines = (await Cast.OutputAsync("call", "--rpc-url", anvil.RpcUrl.ToString(), anchor.ToString(), "latest(address)(uint64,bytes32)", lane.ToString()))
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(lines[0].Split(' ')[0], CultureInfo.InvariantCulture), lines[1]);
    }

    /// <summary>Number of anchors of the lane on chain (cast).</summary>
    public static async Task<long> AnchorCountAsync(AnvilProcess anvil, Address anchor, Address lane) =>
        long.Parse((await Cast.OutputAsync("call", "--rpc-url", anvil.RpcUrl.ToString(), anchor.ToString(), "anchorCount(address)(uint256)", lane.ToString())).Split(' ')[0],
            CultureInfo.InvariantCulture);

    /// <summary>The anchored sizes of the lane on chain, in order (cast).</summary>
    public static async Task<List<long>> AnchoredSizesAsync(AnvilProcess anvil, Address anchor, Address lane)
    {
        var sizes = new List<long>();
        var count = await AnchorCountAsync(anvil, anchor, lane);
        for (var i = 0; i < count; i++)
        {
            var lines = (await Cast.OutputAsync("call", "--rpc-url", anvil.RpcUrl.ToString(), anchor.ToString(), "anchorAt(address,uint256)(uint64,bytes32,uint64)",
                lane.ToString(), i.ToString(CultureInfo.InvariantCulture))).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            sizes.Add(long.Parse(lines[0].Split(' ')[0], CultureInfo.InvariantCulture));
        }
        return sizes;
    }

    /// <summary>The account nonce (transactions sent) of <paramref name="account"/> (cast).</summary>
    public static async Task<long> NonceAsync(AnvilProcess anvil, Address account) =>
        long.Parse(await Cast.OutputAsync("nonce", "--rpc-url", anvil.RpcUrl.ToString(), account.ToString()), CultureInfo.InvariantCulture);

    /// <summary>Polls until the chain's latest anchor of the lane has at least <paramref name="size"/>; returns it (fails after 90 s).</summary>
    public static async Task<(long Size, string Root)> WaitForAnchorAsync(AnvilProcess anvil, Address anchor, Address lane, long size, NodeProcess? node = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var latest = await LatestOnChainAsync(anvil, anchor, lane);
            if (latest.Size >= size)
                return latest;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"no anchor of size ≥ {size} on chain after 90 s (latest {latest.Size}); node log:\n{node?.StdErr}");
            await Task.Delay(250);
        }
    }

    /// <summary>Hex without 0x, lower case (cast prints 0x, the node's JSON does not for hashes).</summary>
    public static string Norm(string hex) => (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex).ToLowerInvariant();

    /// <summary>Copies a directory tree.</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
