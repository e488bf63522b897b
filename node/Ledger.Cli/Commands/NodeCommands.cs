using System.CommandLine;
using Ledger.Node;

namespace Ledger.Cli.Commands;

/// <summary>The <c>ledger node</c> verbs.</summary>
public static class NodeCommands
{
    /// <summary>Builds <c>node</c> with its <c>run</c>, <c>init</c> and <c>add-party</c> verbs.</summary>
    public static Command Create()
    {
        var node = new Command("node", "Set up and run a Ledger node: its key, its hosted parties, the lane, the HTTP API");
        node.Subcommands.Add(CreateRun());
        node.Subcommands.Add(NodePartyCommands.CreateInit());
        node.Subcommands.Add(NodePartyCommands.CreateAddParty());
        return node;
    }

    private static Command CreateRun()
    {
        var data = new Option<string>("--data")
        {
            Description = $"Data directory: node key, node.json (default ./{NodeOptions.DefaultDataDirectory}; setting DataDirectory, env LEDGER_DATADIRECTORY)",
        };
        var config = new Option<string>("--config")
        {
            Description = "JSON configuration file (DataDirectory, Urls, GrpcUrls, MaxRequestBodyBytes, ShutdownTimeout, Lane, MaxConcurrentWrites, LogFormat, Logging); env LEDGER_* and flags override it",
        };
        var urls = new Option<string>("--urls")
        {
            Description = $"Listen addresses separated by ';' (default {NodeOptions.DefaultUrls}; port 0 picks a free port; env LEDGER_URLS)",
        };
        var grpcUrls = new Option<string>("--grpc-urls")
        {
            Description = "gRPC listen addresses (plaintext HTTP/2, ports of their own) separated by ';', e.g. http://127.0.0.1:8081; loopback unless AllowPlainHttp (default: none; port 0 picks a free port; printed as 'grpc listening on <url>'; setting GrpcUrls, env LEDGER_GRPCURLS)",
        };
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Log lines on stderr: text (default) or json (one object per event with named values; setting LogFormat, env LEDGER_LOGFORMAT)",
        };
        var evmRpc = new Option<string>("--evm-rpc") { Description = "JSON-RPC URL of the EVM chain to anchor the lane to (setting Evm:Rpc)" };
        var anchor = new Option<string>("--anchor") { Description = "Address of the Anchor contract; with --evm-rpc turns anchoring on (setting Evm:Anchor)" };
        var anchorEvery = new Option<string>("--anchor-every") { Description = "Anchor the certified head at most every N seconds when it grew (default 30; Evm:AnchorEverySeconds)" };
        var anchorBlocks = new Option<string>("--anchor-blocks") { Description = "…or when the lane grew by N blocks (default 100; Evm:AnchorEveryBlocks)" };
        var anchorConfirmations = new Option<string>("--anchor-confirmations") { Description = "Chain blocks an anchor must be deep to be confirmed (default 2; Evm:Confirmations)" };
        var consortium = new Option<string>("--consortium")
        {
            Description = "Read the consortium from the Registry contract: evm:<rpc-url>@<registry-address> (default: consortium.json in the data directory; setting Consortium)",
        };
        var run = new Command("run", "Start one node and serve until SIGTERM or Ctrl-C; prints 'listening on <url>' per bound address on stdout, logs on stderr")
        {
            data, config, urls, grpcUrls, logFormat, evmRpc, anchor, anchorEvery, anchorBlocks, anchorConfirmations, consortium,
        };
        run.SetAction(parseResult => Run(parseResult.GetValue(config), new Dictionary<string, string?>
        {
            [nameof(NodeOptions.DataDirectory)] = parseResult.GetValue(data),
            [nameof(NodeOptions.Urls)] = parseResult.GetValue(urls),
            [nameof(NodeOptions.GrpcUrls)] = parseResult.GetValue(grpcUrls),
            [nameof(NodeOptions.LogFormat)] = parseResult.GetValue(logFormat),
            ["Evm:Rpc"] = parseResult.GetValue(evmRpc),
            ["Evm:Anchor"] = parseResult.GetValue(anchor),
            ["Evm:AnchorEverySeconds"] = parseResult.GetValue(anchorEvery),
            ["Evm:AnchorEveryBlocks"] = parseResult.GetValue(anchorBlocks),
            ["Evm:Confirmations"] = parseResult.GetValue(anchorConfirmations),
            [nameof(NodeOptions.Consortium)] = parseResult.GetValue(consortium),
        }));
        return run;
    }

    private static int Run(string? configFile, Dictionary<string, string?> flags)
    {
        try
        {
            // Flags that were not given must not hide the config file or the environment.
            var overrides = flags.Where(f => f.Value is not null);
            var host = NodeHost.Create(NodeOptions.BuildConfiguration(configFile, overrides));
            // Sync over async on purpose: the host's console lifetime, not System.CommandLine, owns SIGTERM and Ctrl-C.
            RunAsync(host).GetAwaiter().GetResult();
            return ExitCodes.Ok;
        }
        catch (NodeConfigurationException ex)
        {
            Console.Error.WriteLine(ex.Message.ReplaceLineEndings(" "));
            return ExitCodes.InvalidInput;
        }
        catch (IOException ex)
        {
            // Kestrel reports a port in use or an address it cannot bind as an IOException.
            Console.Error.WriteLine($"Urls: {ex.Message.ReplaceLineEndings(" ")} [bind]");
            return ExitCodes.InvalidInput;
        }
    }

    private static async Task RunAsync(NodeHost host)
    {
        await using (host)
            await host.RunAsync(Console.Out);
    }
}
