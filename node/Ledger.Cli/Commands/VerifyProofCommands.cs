using System.CommandLine;
using Ledger.Evm;
using Ledger.Evm.Contracts;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Sdk.Provenance;
using Ledger.Sdk.Verification;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger verify-proof FILE --consortium FILE [--at TIME] [--json] [--rpc URL --anchor ADDRESS]</c>: verifies a saved
/// provenance answer offline (docs/spec/verifier.md). Prints every check and then what was proven (status at the stated
/// time, custodian) or, with --json, the whole report as JSON; exit 0 when all pass, 1 with the first failure's reason on
/// stderr, 2 for input that cannot be read (naming the field).
/// </summary>
public static class VerifyProofCommands
{
    public static Command Create()
    {
        var input = new Argument<string>("file") { Description = "The provenance answer (ledger-provenance/v2 or v3 JSON) to verify." };
        var at = new Option<string>("--at") { Description = "The verification time the proven status is given at (ISO 8601, e.g. 2026-12-07T10:00:00Z); default: the answer's own state.statusAt. No clock is read." };
        var json = new Option<bool>("--json") { Description = "Write the full report as JSON (ledger-verification/v1: every check, and the proven summary) to stdout." };
        var consortium = new Option<string>("--consortium") { Description = "The consortium: a file (ledger-consortium/v2 or v1, e.g. a node's <data>/consortium.json) or the Registry contract as evm:<rpc-url>@<registry-address>.", Required = true };
        var rpc = new Option<string>("--rpc") { Description = "Ethereum JSON-RPC URL to check the answer's anchor against (with --anchor)." };
        var anchor = new Option<string>("--anchor") { Description = "Address of the anchor contract (with --rpc)." };
        var command = new Command("verify-proof", "Verify a provenance answer offline: seals, inclusion proofs, header, certificate, completeness, custody, lot and product histories, the status at a stated time, the readable summary and anchor; ends with what was proven.")
        {
            input, consortium, at, json, rpc, anchor,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(input)!, parseResult.GetValue(consortium)!, parseResult.GetValue(rpc), parseResult.GetValue(anchor),
            parseResult.GetValue(at), parseResult.GetValue(json)));
        return command;
    }

    private static int Run(string file, string consortiumFile, string? rpc, string? anchorAddress, string? atText, bool json)
    {
        DateTimeOffset? at = null;
        if (atText is not null)
        {
            if (!DateTimeOffset.TryParse(atText, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var parsed))
                return Invalid($"--at: \"{atText}\" is not an ISO 8601 time");
            at = parsed;
        }
        if ((rpc is null) != (anchorAddress is null))
            return Invalid(rpc is null ? "--rpc: required with --anchor" : "--anchor: required with --rpc");
        if (rpc is not null && (!Uri.TryCreate(rpc, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            return Invalid($"--rpc: \"{rpc}\" is not an http(s) URL");
        if (anchorAddress is not null && !Address.TryParse(anchorAddress, out _))
            return Invalid($"--anchor: \"{anchorAddress}\" is not an address (0x and 40 hex digits)");
        var fromRegistry = RegistryConsortiumSource.IsRegistrySource(consortiumFile);
        var consortiumText = "";
        if (!TryRead(file, "file", out var answerText) || (!fromRegistry && !TryRead(consortiumFile, "--consortium", out consortiumText)))
            return ExitCodes.InvalidInput;
        ProvenanceDocument answer;
        try
        {
            answer = ProvenanceDocument.Parse(answerText);
        }
        catch (ProvenanceFormatException e)
        {
            return Invalid($"{e.Field}: {e.Message[(e.Field.Length + 2)..]} ({e.Rule})");
        }
        ConsortiumDefinition definition;
        try
        {
            definition = fromRegistry ? ReadRegistry(consortiumFile) : ConsortiumFile.Parse(consortiumText);
        }
        catch (ConsortiumFormatException e)
        {
            return Invalid($"--consortium: {e.Message}");
        }
        catch (Exception e) when (e is EthereumUnavailableException or EthereumRpcException)
        {
            Console.Error.WriteLine($"--consortium: cannot read the Registry: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        VerificationReport report;
        if (rpc is null)
        {
            report = ProvenanceVerifier.Verify(answer, definition, new ProvenanceVerifierOptions { At = at });
        }
        else
        {
            using var source = new ChainAnchorSource(new Uri(rpc), Address.Parse(anchorAddress!));
            try
            {
                report = ProvenanceVerifier.VerifyAsync(answer, definition, new ProvenanceVerifierOptions { AnchorSource = source, At = at }, CancellationToken.None)
                    .GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is EthereumUnavailableException or EthereumRpcException)
            {
                Console.Error.WriteLine($"--rpc: cannot read the anchor contract: {e.Message}");
                return ExitCodes.CheckFailed;
            }
        }
        if (json)
            Console.Out.WriteLine(VerificationReportJson.Write(report));
        else
            WritePlain(report, answer);
        if (report.Passed)
            return ExitCodes.Ok;
        Console.Error.WriteLine(report.FailureReason);
        return ExitCodes.CheckFailed;
    }

    private static void WritePlain(VerificationReport report, ProvenanceDocument answer)
    {
        foreach (var check in report.Checks)
            Console.Out.WriteLine(check.ToString());
        if (report.Summary is not { } s)
        {
            Console.Out.WriteLine($"NOT verified: {report.Checks.Count(c => !c.Passed)} of {report.Checks.Count} checks failed; nothing in the answer is proven");
            return;
        }
        var header = s.Lanes.Count > 0
            ? $"lanes {string.Join(", ", s.Lanes.Select(l => $"{l.Header.Lane} height {l.Header.Height}"))}"
            : s.Header is { } h ? $"header {h.Header.Lane} height {h.Header.Height} {h.Hash()}" : "no header";
        Console.Out.WriteLine($"verified: {report.Checks.Count} checks passed; {answer.Records.Count} records; {header}" +
            (s.Anchor is { } a ? $"; anchored at size {a.Size}{(s.AnchorChecked ? " (root checked on the chain)" : " (root not checked on a chain: no --rpc)")}" : "; no anchor"));
        Console.Out.WriteLine("not proven (shown only under \"unverified\" in the answer): children's states, alerts, record heights, anchor chain/contract/transaction");
        if (!s.Known)
        {
            Console.Out.WriteLine($"proven: {s.Item} is not on the ledger at this header");
            return;
        }
        var source = s.AtSource == "caller" ? "--at" : "the answer's statusAt; --at to choose";
        Console.Out.WriteLine($"proven: {s.Item} is {s.Status} at {s.At:O} ({source}); custodian {s.Custodian} at {s.Location}; last record {s.LastRecord}");
    }

    /// <summary>The consortium as the Registry contract holds it now (validated like a file).</summary>
    private static ConsortiumDefinition ReadRegistry(string source)
    {
        if (!RegistryConsortiumSource.TryParse(source, out var rpcUrl, out var registry, out var error))
            throw new ConsortiumFormatException("source", "registry-source", error);
        using var rpc = new EthereumRpcClient(rpcUrl);
        return RegistryConsortiumSource.ReadAsync(rpc, registry).GetAwaiter().GetResult();
    }

    private static bool TryRead(string path, string field, out string text)
    {
        text = "";
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"{field}: cannot read {path}: {e.Message}");
            return false;
        }
    }

    private static int Invalid(string line)
    {
        Console.Error.WriteLine(line);
        return ExitCodes.InvalidInput;
    }
}
