using System.CommandLine;
using Ledger.Protocol.Gs1;
using Ledger.Sdk.Client;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger provenance &lt;identifier&gt; --node URL --token-file FILE [--out FILE]</c>: fetches an item's provenance
/// (ledger-provenance/v2, or v3 across lanes) from a node through the SDK client and prints or writes the node's JSON unchanged, so
/// <c>ledger verify-proof</c> can check it offline. Exit 0 on success, 2 for invalid input (one line naming the field),
/// 1 when the node refuses or cannot be reached.
/// </summary>
public static class ProvenanceCommands
{
    public static Command Create()
    {
        var identifier = new Argument<string>("identifier") { Description = "Scan data, Digital Link, EPC URN (sgtin/sscc), element string, \"GTIN serial\" or an SSCC." };
        var node = new Option<string>("--node") { Description = "The node's base URL, e.g. http://127.0.0.1:8080.", Required = true };
        var tokenFile = new Option<string>("--token-file") { Description = "File holding the party's API token.", Required = true };
        var output = new Option<string?>("--out") { Description = "Write the JSON to this file instead of standard output." };
        var command = new Command("provenance", "Fetch an item's provenance with every proof from a node (the node's JSON, unchanged).") { identifier, node, tokenFile, output };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(identifier)!, parseResult.GetValue(node)!, parseResult.GetValue(tokenFile)!,
            parseResult.GetValue(output), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string identifier, string node, string tokenFile, string? output, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(node, UriKind.Absolute, out var nodeUri) || (nodeUri.Scheme != Uri.UriSchemeHttp && nodeUri.Scheme != Uri.UriSchemeHttps))
        {
            await Console.Error.WriteLineAsync($"--node: '{node}' is not an absolute http(s) URL [url]");
            return ExitCodes.InvalidInput;
        }
        try
        {
            ItemIdentifier.Parse(identifier);
        }
        catch (Gs1FormatException e)
        {
            await Console.Error.WriteLineAsync($"identifier: {e.Field}: {e.Detail} [{e.Rule}]");
            return ExitCodes.InvalidInput;
        }
        string token;
        try
        {
            token = (await File.ReadAllTextAsync(tokenFile, cancellationToken)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"--token-file: cannot read '{tokenFile}': {e.Message} [missing]");
            return ExitCodes.InvalidInput;
        }
        if (token.Length == 0)
        {
            await Console.Error.WriteLineAsync($"--token-file: '{tokenFile}' is empty [required]");
            return ExitCodes.InvalidInput;
        }
        using var client = new LedgerClient(new LedgerClientOptions { Node = nodeUri, ApiToken = token, Retry = { MaxAttempts = 3 } });
        string json;
        try
        {
            json = await client.GetProvenanceJsonAsync(identifier, cancellationToken);
        }
        catch (LedgerRequestException e)
        {
            await Console.Error.WriteLineAsync($"node: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"--node: {node} cannot be reached: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        if (output is null)
            await Console.Out.WriteLineAsync(json);
        else
            await File.WriteAllTextAsync(output, json, cancellationToken);
        return ExitCodes.Ok;
    }
}
