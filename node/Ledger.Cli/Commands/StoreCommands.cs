using System.CommandLine;
using System.Text.Json;
using Ledger.Engine.Verification;

namespace Ledger.Cli.Commands;

/// <summary>The <c>ledger store</c> verbs: offline checks of a node's data folder.</summary>
public static class StoreCommands
{
    /// <summary>Builds <c>store</c> with its <c>verify</c> verb.</summary>
    public static Command Create()
    {
        var store = new Command("store", "Offline checks of a node's data folder (run on a stopped node or a copy of its data folder)");
        store.Subcommands.Add(CreateVerify());
        store.Subcommands.Add(CreateUpgrade());
        return store;
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
            "Check every block in the lane store: frames, signatures, chain, roots, certificates and the RocksDB index; never writes a segment file. "
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
