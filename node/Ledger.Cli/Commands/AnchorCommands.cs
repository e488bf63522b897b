using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ledger.Evm;
using Ledger.Evm.Contracts;
using Ledger.Node.Anchoring;
using Ledger.Protocol;
using Ledger.Protocol.Blocks;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Merkle;

namespace Ledger.Cli.Commands;

/// <summary>The <c>ledger anchor</c> verbs.</summary>
public static class AnchorCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Builds <c>anchor</c> with its <c>verify</c> verb.</summary>
    public static Command Create()
    {
        var anchor = new Command("anchor", "Lane anchors on an EVM chain");
        anchor.Subcommands.Add(CreateVerify());
        return anchor;
    }

    private static Command CreateVerify()
    {
        var rpc = new Option<string>("--rpc") { Description = "JSON-RPC URL of the chain", Required = true };
        var contract = new Option<string>("--anchor") { Description = "Address of the Anchor contract", Required = true };
        var lane = new Option<string>("--lane") { Description = "The lane: the node address that signs its headers", Required = true };
        var node = new Option<string>("--node") { Description = "Base URL of a node serving the lane (headers, head and consistency proofs are read anonymously)", Required = true };
        var verify = new Command("verify",
            "Check every anchor of a lane on the chain against a node: the signed header at each anchored size must carry the chain's root and be consistent with the head. " +
            "Prints a JSON report; exit 0 when every anchored size matches, 1 when one does not, 2 on bad input")
        {
            rpc, contract, lane, node,
        };
        verify.SetAction(parseResult => VerifyAsync(parseResult.GetValue(rpc)!, parseResult.GetValue(contract)!, parseResult.GetValue(lane)!,
            parseResult.GetValue(node)!).GetAwaiter().GetResult());
        return verify;
    }

    private static async Task<int> VerifyAsync(string rpcText, string contractText, string laneText, string nodeText)
    {
        if (!Uri.TryCreate(rpcText, UriKind.Absolute, out var rpcUrl) || (rpcUrl.Scheme != Uri.UriSchemeHttp && rpcUrl.Scheme != Uri.UriSchemeHttps))
            return Invalid("--rpc", "url", $"'{rpcText}' is not an http(s) URL");
        if (!Address.TryParse(contractText, out var contractAddress))
            return Invalid("--anchor", "address", $"'{contractText}' is not a 0x address");
        if (!Address.TryParse(laneText, out var lane))
            return Invalid("--lane", "address", $"'{laneText}' is not a 0x address");
        if (!Uri.TryCreate(nodeText, UriKind.Absolute, out var nodeUrl) || (nodeUrl.Scheme != Uri.UriSchemeHttp && nodeUrl.Scheme != Uri.UriSchemeHttps))
            return Invalid("--node", "url", $"'{nodeText}' is not an http(s) URL");

        using var rpc = new EthereumRpcClient(rpcUrl);
        using var http = new HttpClient { BaseAddress = nodeUrl, Timeout = TimeSpan.FromSeconds(30) };
        var chain = new List<ChainAnchor>();
        try
        {
            var anchorContract = new AnchorContract(rpc, contractAddress);
            var count = await anchorContract.AnchorCountAsync(lane);
            for (ulong i = 0; i < count; i++)
            {
                var e = await anchorContract.AnchorAtAsync(lane, i);
                chain.Add(new ChainAnchor((long)e.Size, e.Root, e.BlockNumber));
            }
        }
        catch (Exception e) when (e is EthereumRpcException or EthereumUnavailableException or HttpRequestException)
        {
            return Invalid("--rpc", "reachable", $"cannot read the Anchor contract {contractAddress} at {rpcUrl}: {e.Message}");
        }

        SignedHeader? head;
        string? headError = null;
        try
        {
            head = await GetHeaderAsync(http, "v1/head");
        }
        catch (HttpRequestException e)
        {
            return Invalid("--node", "reachable", $"cannot read the head from {nodeUrl}: {e.Message}");
        }
        if (head is null)
            headError = "the node has no head";
        else
            headError = AnchorVerification.CheckHeader(head, lane);

        var checks = new List<AnchorCheck>();
        foreach (var a in chain)
        {
            if (head is null || headError is not null)
            {
                checks.Add(new AnchorCheck(a.Size, a.Root, a.BlockNumber, false, "the node's head cannot be trusted: " + headError));
                continue;
            }
            SignedHeader? header = null;
            ConsistencyProof? proof = null;
            if (a.Size <= head.Header.LogSize)
            {
                header = await GetHeaderAsync(http, string.Create(CultureInfo.InvariantCulture, $"v1/headers?logSize={a.Size}"));
                proof = await GetProofAsync(http, a.Size, head.Header.LogSize);
            }
            checks.Add(AnchorVerification.CheckAnchor(a, lane, head, header, proof));
        }
        var report = new AnchorVerificationReport(lane, head, headError, checks);
        Console.Out.WriteLine(JsonSerializer.Serialize(new
        {
            ok = report.Ok,
            lane = lane.ToString(),
            contract = contractAddress.ToString(),
            node = nodeUrl.ToString(),
            head = head is null ? null : new { height = head.Header.Height, logSize = head.Header.LogSize, logRoot = head.Header.LogRoot.ToString(), error = headError },
            anchors = checks.Select(c => new
            {
                size = c.Size,
                root = c.Root.ToString(),
                blockNumber = c.BlockNumber,
                status = c.Ok ? "ok" : "mismatch",
                reason = c.Reason,
            }).ToList(),
        }, Indented));
        return report.Ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    private static async Task<SignedHeader?> GetHeaderAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        if (!response.IsSuccessStatusCode)
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!json.RootElement.TryGetProperty("encoded", out var encoded) || encoded.ValueKind != JsonValueKind.String || !Hex.TryDecode(encoded.GetString()!, out var bytes))
            return null;
        try
        {
            return SignedHeader.Decode(bytes);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException || e.GetType().Name.EndsWith("FormatException", StringComparison.Ordinal))
        {
            return null;
        }
    }

    private static async Task<ConsistencyProof?> GetProofAsync(HttpClient http, long from, long to)
    {
        using var response = await http.GetAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"v1/proofs/consistency?from={from}&to={to}"), UriKind.Relative));
        if (!response.IsSuccessStatusCode)
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!json.RootElement.TryGetProperty("proof", out var p) || p.ValueKind != JsonValueKind.String || !Hex.TryDecode(p.GetString()!, out var bytes))
            return null;
        return ConsistencyProof.TryDecode(bytes, out var proof) ? proof : null;
    }

    private static int Invalid(string field, string rule, string detail)
    {
        Console.Error.WriteLine($"{field}: {detail} [{rule}]");
        return ExitCodes.InvalidInput;
    }
}
