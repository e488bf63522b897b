using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Evm;
using Ledger.Evm.Contracts;
using Ledger.Node;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Cli.Commands;

/// <summary>
/// EVM verbs: <c>ledger evm deploy</c> deploys the Registry and Anchor contracts and prints their addresses;
/// <c>ledger evm fund</c> sends ETH to an address. JSON on stdout; bad input exits 2 with one line naming the option;
/// a chain that cannot be reached or rejects the transaction exits 1.
/// </summary>
public static partial class EvmCommands
{
    private const string KeyFileHelp = "Key file of the sending account: the node's key-file format (JSON, as written by `ledger keygen`), "
        + "or a text file holding one 0x-hex private key (dev accounts).";

    public static Command Create()
    {
        var evm = new Command("evm", "Ethereum side: deploy the consortium's contracts, fund accounts.");
        evm.Subcommands.Add(CreateDeploy());
        evm.Subcommands.Add(CreateFund());
        return evm;
    }

    private static (Option<string> Rpc, Option<string> KeyFile, Option<string?> NonceFile, Option<int> Confirmations) CommonOptions()
    {
        var rpc = new Option<string>("--rpc") { Description = "JSON-RPC URL of the Ethereum node (http or https).", Required = true };
        var keyFile = new Option<string>("--key-file") { Description = KeyFileHelp, Required = true };
        var nonceFile = new Option<string?>("--nonce-file") { Description = "The sender's nonce file (default: the key file's path + \".nonces.json\")." };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks deep each transaction must be (default 1).", DefaultValueFactory = _ => 1 };
        return (rpc, keyFile, nonceFile, confirmations);
    }

    private static Command CreateDeploy()
    {
        var (rpc, keyFile, nonceFile, confirmations) = CommonOptions();
        var name = new Option<string>("--name") { Description = "Consortium name stored in the Registry (default \"ledger\").", DefaultValueFactory = _ => "ledger" };
        var deploy = new Command("deploy", "Deploy the Registry and Anchor contracts; prints {\"registry\",\"anchor\",\"chainId\",\"deployer\",\"blocks\"}.")
        {
            rpc, keyFile, nonceFile, confirmations, name,
        };
        deploy.SetAction(parseResult => Run(async () =>
        {
            using var session = await Session.OpenAsync(parseResult.GetValue(rpc)!, parseResult.GetValue(keyFile)!, parseResult.GetValue(nonceFile), parseResult.GetValue(confirmations)).ConfigureAwait(false);
            var consortium = parseResult.GetValue(name)!;
            if (string.IsNullOrWhiteSpace(consortium))
                throw new InputException("--name", "must not be empty");
            var deployment = await ContractArtifacts.DeployWithReceiptsAsync(session.Sender, consortium, session.Confirmations, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["registry"] = deployment.Registry.ToString(),
                ["anchor"] = deployment.Anchor.ToString(),
                ["chainId"] = session.Sender.ChainId,
                ["deployer"] = session.Sender.Address.ToString(),
                ["blocks"] = new Dictionary<string, ulong>
                {
                    ["registry"] = deployment.RegistryReceipt.BlockNumber,
                    ["anchor"] = deployment.AnchorReceipt.BlockNumber,
                },
            }));
            return ExitCodes.Ok;
        }));
        return deploy;
    }

    private static Command CreateFund()
    {
        var (rpc, keyFile, nonceFile, confirmations) = CommonOptions();
        var to = new Option<string>("--to") { Description = "Recipient address (0x + 40 hex digits; EIP-55 checked when mixed case).", Required = true };
        var eth = new Option<string>("--eth") { Description = "Amount in ETH, a decimal with at most 18 fraction digits (e.g. 1.5).", Required = true };
        var fund = new Command("fund", "Send ETH to an address; prints {\"transaction\",\"to\",\"wei\",\"balance\"} (balance in wei after the transfer).")
        {
            rpc, keyFile, nonceFile, confirmations, to, eth,
        };
        fund.SetAction(parseResult => Run(async () =>
        {
            if (!Address.TryParse(parseResult.GetValue(to), out var recipient))
                throw new InputException("--to", "must be an address: 0x + 40 hex digits (EIP-55 checksum when mixed case)");
            var wei = ParseEth(parseResult.GetValue(eth)!);
            using var session = await Session.OpenAsync(parseResult.GetValue(rpc)!, parseResult.GetValue(keyFile)!, parseResult.GetValue(nonceFile), parseResult.GetValue(confirmations)).ConfigureAwait(false);
            var receipt = await session.Sender.SendAndWaitAsync(recipient, [], wei, session.Confirmations, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            if (!receipt.Succeeded)
                throw new ChainException($"transaction {Hex.Encode0x(receipt.TransactionHash.ToArray())} failed in block {receipt.BlockNumber}");
            var balance = await session.Rpc.GetBalanceAsync(recipient, EthereumRpcClient.BlockTag(receipt.BlockNumber)).ConfigureAwait(false);
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["transaction"] = Hex.Encode0x(receipt.TransactionHash.ToArray()),
                ["to"] = recipient.ToString(),
                ["wei"] = wei.ToString(CultureInfo.InvariantCulture),
                ["balance"] = balance.ToString(CultureInfo.InvariantCulture),
                ["block"] = receipt.BlockNumber,
            }));
            return ExitCodes.Ok;
        }));
        return fund;
    }

    /// <summary>Decimal ETH ("1.5", "0.000000000000000001") to wei.</summary>
    internal static BigInteger ParseEth(string text)
    {
        var match = EthPattern().Match(text);
        if (!match.Success)
            throw new InputException("--eth", "must be a non-negative decimal number of ETH with at most 18 fraction digits (e.g. 1.5)");
        var whole = BigInteger.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var fraction = match.Groups[2].Value.PadRight(18, '0');
        var wei = whole * BigInteger.Pow(10, 18) + BigInteger.Parse(fraction, CultureInfo.InvariantCulture);
        if (wei.IsZero)
            throw new InputException("--eth", "must be greater than 0");
        return wei;
    }

    [GeneratedRegex(@"^([0-9]{1,30})(?:\.([0-9]{1,18}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex EthPattern();

    private static int Run(Func<Task<int>> action)
    {
        try
        {
            return action().GetAwaiter().GetResult();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine($"{e.Option}: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (ChainIdMismatchException e)
        {
            Console.Error.WriteLine($"--rpc: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (NonceFileException e)
        {
            Console.Error.WriteLine($"--nonce-file: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (EthereumUnavailableException e)
        {
            Console.Error.WriteLine($"--rpc: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        catch (EthereumRpcException e)
        {
            Console.Error.WriteLine($"chain: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        catch (ChainException e)
        {
            Console.Error.WriteLine($"chain: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        catch (Exception e) when (e is TimeoutException or TransactionDroppedException)
        {
            Console.Error.WriteLine($"chain: {e.Message}");
            return ExitCodes.CheckFailed;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"contracts: {e.Message}");
            return ExitCodes.CheckFailed;
        }
    }

    /// <summary>Reads a key file: the node's JSON key-file format, or a text file with a 0x-hex private key.</summary>
    internal static PrivateKey LoadKey(string path)
    {
        if (!File.Exists(path))
            throw new InputException("--key-file", $"{Path.GetFullPath(path)} does not exist");
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException("--key-file", $"cannot read {Path.GetFullPath(path)}: {e.Message}");
        }
        if (text.StartsWith('{'))
        {
            try
            {
                return KeyFile.Load(path, Console.Error);
            }
            catch (KeyFileException e)
            {
                throw new InputException("--key-file", e.Message);
            }
        }
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length == 66)
        {
            try
            {
                return PrivateKey.Parse(text);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or CryptoFormatException)
            {
                throw new InputException("--key-file", $"not a valid secp256k1 private key: {e.Message}");
            }
        }
        throw new InputException("--key-file", "must be a node key file (JSON) or hold one 0x-hex private key (64 hex digits)");
    }

    private sealed class Session : IDisposable
    {
        private Session(EthereumRpcClient rpc, TransactionSender sender, int confirmations)
        {
            Rpc = rpc;
            Sender = sender;
            Confirmations = confirmations;
        }

        public EthereumRpcClient Rpc { get; }

        public TransactionSender Sender { get; }

        public int Confirmations { get; }

        public static async Task<Session> OpenAsync(string rpcText, string keyFile, string? nonceFile, int confirmations)
        {
            if (!Uri.TryCreate(rpcText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                throw new InputException("--rpc", "must be an absolute http:// or https:// URL");
            if (confirmations is < 1 or > 1000)
                throw new InputException("--confirmations", "must be between 1 and 1000");
            var key = LoadKey(keyFile);
            var rpc = new EthereumRpcClient(url);
            try
            {
                var sender = await TransactionSender.OpenAsync(rpc, key, nonceFile ?? keyFile + ".nonces.json").ConfigureAwait(false);
                return new Session(rpc, sender, confirmations);
            }
            catch
            {
                rpc.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            Sender.Dispose();
            Rpc.Dispose();
        }
    }

    private sealed class InputException(string option, string message) : Exception(message)
    {
        public string Option { get; } = option;
    }

    private sealed class ChainException(string message) : Exception(message);
}
