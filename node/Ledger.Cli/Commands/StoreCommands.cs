using System.CommandLine;
using System.Text.Json;
using Ledger.Engine.Verification;

namespace Ledger.Cli.Commands;

/// <summary>The <c>ledger store</c> verbs: offline checks and repair of a node's data folder.</summary>
public static class StoreCommands
{
    /// <summary>Builds <c>store</c> with its <c>verify</c> and <c>rebuild-indexes</c> verbs.</summary>
    public static Command Create()
    {
        var store = new Command("store", "Offline checks and repair of a node's data folder (run on a stopped node; verify also on a copy or a running node)");
        store.Subcommands.Add(CreateVerify());
        store.Subcommands.Add(CreateRebuild());
        store.Subcommands.Add(CreateUpgrade());
        return store;
    }

    private static Command CreateRebuild()
    {
        var dir = new Argument<string>("dir") { Description = "The data folder of a stopped node (the lane store is its ledger/ folder)" };
        var rebuild = new Command("rebuild-indexes",
            "Rebuild every derived RocksDB index (records, batches, batch trees, item states, histories, lots, scans, Merkle log, state map, head) "
            + "from the segment files, checking every block on the way, into a fresh index, then swap it in; certificates, captured EPCIS events, "
            + "alerts and capture jobs are carried over from the old index (without one, a one-node consortium's certificates are made again with "
            + "node.key). Nothing changes unless the rebuild succeeds. Prints one JSON object {ok, blocks, records, firstFailure, warnings}; "
            + "exit 0 when rebuilt, 1 when a block fails its checks (the old index is kept), 2 when the folder or consortium is missing")
        {
            dir,
        };
        var consortium = new Option<string>("--consortium")
        {
            Description = "The consortium file the node runs with (default: <dir>/consortium.json)",
        };
        rebuild.Options.Add(consortium);
        rebuild.SetAction(parseResult => Rebuild(parseResult.GetValue(dir)!, parseResult.GetValue(consortium)));
        return rebuild;
    }

    private static int Rebuild(string dataDirectory, string? consortiumFile)
    {
        if (!Directory.Exists(Path.Combine(dataDirectory, "ledger", "blocks")))
        {
            Console.Error.WriteLine($"dir: {dataDirectory} holds no ledger/blocks/ folder, so it is not a node data folder [directory-not-found]");
            return ExitCodes.InvalidInput;
        }
        var path = consortiumFile ?? Path.Combine(dataDirectory, "consortium.json");
        Ledger.Protocol.Consortium.ConsortiumDefinition definition;
        try
        {
            definition = Ledger.Engine.Consortium.ConsortiumStore.Load(path);
        }
        catch (Exception e) when (e is Ledger.Protocol.Consortium.ConsortiumFormatException or IOException)
        {
            Console.Error.WriteLine($"--consortium: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        Ledger.Protocol.Crypto.PrivateKey? nodeKey = null;
        var keyPath = Path.Combine(dataDirectory, Ledger.Node.NodeIdentity.KeyFileName);
        if (File.Exists(keyPath))
        {
            try
            {
                nodeKey = Ledger.Node.KeyFile.Load(keyPath, Console.Error);
            }
            catch (Ledger.Node.KeyFileException e)
            {
                Console.Error.WriteLine($"{Ledger.Node.NodeIdentity.KeyFileName}: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        }
        var consortium = nodeKey is null ? new Ledger.Protocol.Consortium.ConsortiumDirectory(definition) : Ledger.Node.LedgerService.WithNodeParties(definition);
        var report = IndexRebuilder.Rebuild(Path.Combine(dataDirectory, "ledger"), consortium, nodeKey);
        Console.Out.WriteLine(ToJson(new StoreReport(report.Blocks, report.Records, report.Failure, report.Warnings)));
        return report.Ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    private static Command CreateUpgrade()
    {
        var dir = new Argument<string>("dir") { Description = "The node's data folder (the store is its ledger/ folder)" };
        var upgrade = new Command("upgrade",
            "Upgrade a stopped node's store to the current format (the node also does it when it opens the store): a store of format 1 "
            + "(one lane) gets its keys under the own lane's number. Resumes after an interruption. "
            + "Prints one JSON object {formatBefore, format, height}; exit 0 when done, 2 when the folder is not a node data folder")
        {
            dir,
        };
        upgrade.SetAction(parseResult => Upgrade(parseResult.GetValue(dir)!));
        return upgrade;
    }

    private static int Upgrade(string dataDirectory)
    {
        var ledger = Path.Combine(dataDirectory, "ledger");
        if (!File.Exists(Path.Combine(ledger, "index", "CURRENT")))
        {
            Console.Error.WriteLine($"dir: {dataDirectory} holds no ledger/index store, so it is not a node data folder [directory-not-found]");
            return ExitCodes.InvalidInput;
        }
        using var store = Ledger.Engine.Lane.LaneStore.Open(ledger);
        Console.Out.WriteLine(JsonSerializer.Serialize(new { formatBefore = store.FoundFormatVersion, format = Ledger.Engine.Lane.LaneStore.CurrentFormatVersion, height = store.GetHeadHeight() }));
        return ExitCodes.Ok;
    }

    private static Command CreateVerify()
    {
        var dir = new Argument<string>("dir") { Description = "The node's data folder (the lane store is its ledger/ folder)" };
        var verify = new Command("verify",
            "Check every block in the lane store: frames, signatures, chain, roots, certificates and the RocksDB index (records, batches, batch trees); "
            + "opens everything read-only and changes no byte of the data folder. "
            + "Prints one JSON object {ok, blocks, records, firstFailure, warnings}; exit 0 when every check holds, 1 when one fails, 2 when the folder is missing")
        {
            dir,
        };
        var consortium = new Option<string>("--consortium")
        {
            Description = "The consortium file for the certificate quorum and the state-root replay (default: <dir>/consortium.json when present)",
        };
        verify.Options.Add(consortium);
        verify.SetAction(parseResult => Verify(parseResult.GetValue(dir)!, parseResult.GetValue(consortium)));
        return verify;
    }

    private static int Verify(string dataDirectory, string? consortiumFile)
    {
        Ledger.Protocol.Consortium.ConsortiumDirectory? consortium = null;
        var path = consortiumFile ?? Path.Combine(dataDirectory, "consortium.json");
        if (consortiumFile is not null || File.Exists(path))
        {
            try
            {
                consortium = new Ledger.Protocol.Consortium.ConsortiumDirectory(Ledger.Engine.Consortium.ConsortiumStore.Load(path));
            }
            catch (Exception e) when (e is Ledger.Protocol.Consortium.ConsortiumFormatException or IOException)
            {
                Console.Error.WriteLine($"--consortium: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        }
        if (!Directory.Exists(dataDirectory))
        {
            Console.Error.WriteLine($"dir: {dataDirectory} does not exist [directory-not-found]");
            return ExitCodes.InvalidInput;
        }
        var ledger = Path.Combine(dataDirectory, "ledger");
        StoreReport report;
        try
        {
            report = StoreVerifier.Verify(ledger, consortium: consortium);
        }
        catch (DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"dir: {dataDirectory} holds no ledger/ folder, so it is not a node data folder [directory-not-found]");
            return ExitCodes.InvalidInput;
        }
        Console.Out.WriteLine(ToJson(report));
        return report.Ok ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    /// <summary>The report as one JSON object (docs/spec/store-verify.md).</summary>
    internal static string ToJson(StoreReport report)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", report.Ok);
            w.WriteNumber("blocks", report.BlocksChecked);
            w.WriteNumber("records", report.RecordsChecked);
            if (report.FirstFailure is { } f)
            {
                w.WriteStartObject("firstFailure");
                if (f.Height is { } h)
                    w.WriteNumber("height", h);
                else
                    w.WriteNull("height");
                w.WriteString("check", f.Check);
                w.WriteString("reason", f.Reason);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("firstFailure");
            }
            w.WriteStartArray("warnings");
            foreach (var warning in report.Warnings)
                w.WriteStringValue(warning);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
