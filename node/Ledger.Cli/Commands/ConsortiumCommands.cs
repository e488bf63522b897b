using System.CommandLine;
using System.Text.Json;
using Ledger.Engine.Consortium;
using Ledger.Protocol.Consortium;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger consortium init | add-node | show</c>: create, extend and read a consortium file (docs/spec/consortium.md) without
/// hand-editing. Every change is validated as a whole new definition before the file is written; invalid input exits 2 with one
/// stderr line naming the option, the JSON path and the rule, and leaves the file unchanged.
/// </summary>
internal static class ConsortiumCommands
{
    /// <summary>Input the user can fix: the option at fault and the whole stderr line.</summary>
    private sealed class InputException(string option, string detail, string rule) : Exception($"{option}: {detail} [{rule}]");

    private sealed record NodeOptions(Option<string> Name, Option<string> Address, Option<string> Endpoint, Option<string> Cluster, Option<string> Fingerprint)
    {
        public static NodeOptions Create() => new(
            new Option<string>("--node-name") { Description = "The node's name: lowercase letters, digits, '-', '_'", Required = true },
            new Option<string>("--node-address") { Description = "The address of the node's key (0x + 40 hex digits; 'ledger key show' prints it)", Required = true },
            new Option<string>("--endpoint") { Description = "The node's base URL for clients (default \"\": not published)" },
            new Option<string>("--cluster") { Description = "host:port where the node's peer layer listens (default \"\": not published)" },
            new Option<string>("--tls-fingerprint") { Description = "SHA-256 of the node's TLS certificate (DER), 64 lowercase hex digits (default \"\": not set)" });

        public void AddTo(Command command)
        {
            command.Options.Add(Name);
            command.Options.Add(Address);
            command.Options.Add(Endpoint);
            command.Options.Add(Cluster);
            command.Options.Add(Fingerprint);
        }

        public ConsortiumNode Read(ParseResult parse)
        {
            var text = parse.GetValue(Address)!;
            if (!Ledger.Protocol.Crypto.Address.TryParse(text, out var address))
                throw new InputException("--node-address", $"\"{text}\" is not an address (0x + 40 hex digits, EIP-55 when mixed case)", "address");
            return new ConsortiumNode(parse.GetValue(Name)!, address, parse.GetValue(Endpoint) ?? "")
            {
                Cluster = parse.GetValue(Cluster) ?? "",
                TlsFingerprint = parse.GetValue(Fingerprint) ?? "",
            };
        }
    }

    public static Command Create()
    {
        var command = new Command("consortium", "Create, edit and show a consortium file (ledger-consortium/v2)");
        command.Subcommands.Add(CreateInit());
        command.Subcommands.Add(CreateAddNode());
        command.Subcommands.Add(CreateShow());
        return command;
    }

    private static Option<string> FileOption() => new("--file") { Description = "The consortium file (consortium.json)", Required = true };

    private static Command CreateInit()
    {
        var file = FileOption();
        var name = new Option<string>("--name") { Description = "The consortium's name", Required = true };
        var quorum = new Option<int?>("--quorum") { Description = "Cosignatures that certify a header, from floor(2n/3)+1 to n (default floor(2n/3)+1)" };
        var threshold = new Option<int?>("--threshold") { Description = "Node signatures the next version needs, 1 to n (default the quorum)" };
        var node = NodeOptions.Create();
        var init = new Command("init", "Create a consortium file, version 1, with its first node and no parties; refused when the file exists");
        init.Options.Add(file);
        init.Options.Add(name);
        node.AddTo(init);
        init.Options.Add(quorum);
        init.Options.Add(threshold);
        init.SetAction(parse => Run(() =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!);
            if (File.Exists(path))
                throw new InputException("--file", $"{path} already exists", "already-initialised");
            var definition = new ConsortiumDefinition(parse.GetValue(name)!, 1, [node.Read(parse)], [])
            {
                QuorumSetting = parse.GetValue(quorum),
                ThresholdSetting = parse.GetValue(threshold),
            };
            return Save(path, definition);
        }));
        return init;
    }

    private static Command CreateAddNode()
    {
        var file = FileOption();
        var node = NodeOptions.Create();
        var add = new Command("add-node", "Add a node to the consortium file (version + 1; the signatures of the previous version are dropped)");
        add.Options.Add(file);
        node.AddTo(add);
        add.SetAction(parse => Run(() =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!);
            var current = Load(path);
            return Save(path, current with { Version = current.Version + 1, Nodes = [.. current.Nodes, node.Read(parse)], Signatures = [] });
        }));
        return add;
    }

    private static Command CreateShow()
    {
        var file = FileOption();
        var json = new Option<bool>("--json") { Description = "Print the file in its canonical form instead of a summary" };
        var show = new Command("show", "Print a readable summary of a consortium file (or, with --json, its canonical JSON)");
        show.Options.Add(file);
        show.Options.Add(json);
        show.SetAction(parse => Run(() =>
        {
            var definition = Load(Path.GetFullPath(parse.GetValue(file)!));
            if (parse.GetValue(json))
            {
                Console.Out.Write(ConsortiumFile.Serialize(definition));
                return ExitCodes.Ok;
            }
            Console.Out.WriteLine($"consortium {definition.Name} version {definition.Version}: {definition.Nodes.Count} node(s), quorum {definition.Quorum}, threshold {definition.Threshold}, {definition.Signatures.Count} signature(s)");
            foreach (var n in definition.Nodes)
            {
                Console.Out.WriteLine($"  node {n.Name} {n.Address} endpoint {Or(n.Endpoint)} cluster {Or(n.Cluster)} tls {Or(n.TlsFingerprint)}");
                foreach (var p in definition.Parties.Where(p => p.Node == n.Address))
                    Console.Out.WriteLine($"    party {p.Name} {p.Address} roles {Or(string.Join(",", ConsortiumFile.RoleNamesOf(p.Roles)))} prefixes {Or(string.Join(",", p.CompanyPrefixes))} glns {Or(string.Join(",", p.Glns))}");
            }
            return ExitCodes.Ok;
        }));
        return show;

        static string Or(string text) => text.Length == 0 ? "-" : text;
    }

    private static ConsortiumDefinition Load(string path)
    {
        try
        {
            return ConsortiumStore.Load(path);
        }
        catch (ConsortiumFormatException e)
        {
            throw new InputException("--file", $"{e.Field}: {e.Detail}", e.Rule);
        }
    }

    private static int Save(string path, ConsortiumDefinition definition)
    {
        try
        {
            ConsortiumFile.Validate(definition);
            ConsortiumStore.Save(path, definition);
        }
        catch (ConsortiumFormatException e)
        {
            throw new InputException(OptionFor(e.Field), $"{e.Field}: {e.Detail}", e.Rule);
        }
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteString("consortium", path);
            json.WriteNumber("version", definition.Version);
            json.WriteNumber("nodes", definition.Nodes.Count);
            json.WriteNumber("quorum", definition.Quorum);
            json.WriteEndObject();
        }
        stdout.Write("\n"u8);
        return ExitCodes.Ok;
    }

    /// <summary>The command-line option that supplied the consortium member at <paramref name="field"/>.</summary>
    private static string OptionFor(string field) => field switch
    {
        "name" => "--name",
        "quorum" => "--quorum",
        "threshold" => "--threshold",
        _ when field.EndsWith(".name", StringComparison.Ordinal) => "--node-name",
        _ when field.EndsWith(".address", StringComparison.Ordinal) => "--node-address",
        _ when field.EndsWith(".endpoint", StringComparison.Ordinal) => "--endpoint",
        _ when field.EndsWith(".cluster", StringComparison.Ordinal) => "--cluster",
        _ when field.EndsWith(".tlsFingerprint", StringComparison.Ordinal) => "--tls-fingerprint",
        _ => "--file",
    };

    private static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (InputException e)
        {
            Console.Error.WriteLine(e.Message.ReplaceLineEndings(" "));
            return ExitCodes.InvalidInput;
        }
    }
}
