using System.CommandLine;
using System.Text.Json;
using Ledger.Engine.Consortium;
using Ledger.Node;
using Ledger.Node.Parties;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger consortium init | add-node | add-party | sign | show</c>: create, extend, sign and read a consortium file (docs/spec/consortium.md) without
/// hand-editing. Every change is validated as a whole new definition before the file is written; invalid input exits 2 with one
/// stderr line naming the option, the JSON path and the rule, and leaves the file unchanged.
/// </summary>
internal static class ConsortiumCommands
{
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
        command.Subcommands.Add(CreateAddParty());
        command.Subcommands.Add(CreateSign());
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

    private static Command CreateAddParty()
    {
        var file = FileOption();
        var options = NodePartyCommands.PartyOptions.Create(
            "A data directory of the hosting node: the party's new key and API token are written there (parties/, tokens/); or give --party-address",
            dataRequired: false);
        var nodeName = new Option<string>("--node-name") { Description = "The name of the node that hosts the party", Required = true };
        var partyAddress = new Option<string>("--party-address") { Description = "The address of the party's existing key (0x + 40 hex digits); or give --data" };
        var add = new Command("add-party",
            "Add a party hosted by a node of the consortium file (version + 1; the signatures of the previous version are dropped); with --data also create its key and API token");
        add.Options.Add(file);
        options.AddTo(add);
        add.Options.Add(nodeName);
        add.Options.Add(partyAddress);
        add.SetAction(parse => Run(() =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!);
            var input = NodePartyCommands.ReadParty(parse, options);
            var data = parse.GetValue(options.Data);
            var addressText = parse.GetValue(partyAddress);
            if ((data is null) == (addressText is null))
                throw new InputException("--party-address", "give either --party-address (an existing key) or --data (create the key and token there), not both or neither", "one-of");
            var current = Load(path);
            var name = parse.GetValue(nodeName)!;
            var host = current.Nodes.FirstOrDefault(n => n.Name == name)
                ?? throw new InputException("--node-name", $"\"{name}\" is not a node of {path} (nodes: {string.Join(", ", current.Nodes.Select(n => n.Name))})", "unknown-node");
            var key = data is null ? null : PrivateKey.Generate();
            Address address;
            if (key is not null)
                address = key.Address;
            else if (!Address.TryParse(addressText!, out address))
                throw new InputException("--party-address", $"\"{addressText}\" is not an address (0x + 40 hex digits, EIP-55 when mixed case)", "address");
            var next = current with
            {
                Version = current.Version + 1,
                Parties = [.. current.Parties, NodePartyCommands.NewParty(input, address, host.Address)],
                Signatures = [],
            };
            Check(next);
            if (data is null || key is null)
                return Save(path, next, null);

            var dir = Path.GetFullPath(data);
            var nodeKey = Path.Combine(dir, NodeIdentity.KeyFileName);
            if (File.Exists(nodeKey))
            {
                Address held;
                try
                {
                    held = KeyFile.Load(nodeKey).Address;
                }
                catch (KeyFileException e)
                {
                    throw new InputException("--data", $"{nodeKey}: {e.Message}", e.Rule);
                }
                if (held != host.Address)
                    throw new InputException("--data", $"{nodeKey} is the key of {held}, not of node \"{name}\" ({host.Address})", "not-hosted");
            }
            HostedPartyFiles files;
            try
            {
                files = HostedParties.Create(dir, input.Name, key);
            }
            catch (NodeConfigurationException e)
            {
                throw new InputException(e.Field == "name" ? "--party-name" : "--data", $"{e.Field}: {e.Detail}", e.Rule);
            }
            try
            {
                return Save(path, next, files.TokenPath);
            }
            catch
            {
                // The party is in no consortium file: its key and token go again.
                File.Delete(files.KeyPath);
                File.Delete(files.TokenPath);
                throw;
            }
        }));
        return add;
    }

    private static Command CreateSign()
    {
        var file = FileOption();
        var keyFile = new Option<string>("--key") { Description = "The signing node's key file (e.g. <data>/node.key)", Required = true };
        var sign = new Command("sign",
            "Add a node's signature of this version to the consortium file (an earlier signature by the same key is replaced); a new version needs the previous version's threshold of them");
        sign.Options.Add(file);
        sign.Options.Add(keyFile);
        sign.SetAction(parse => Run(() =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!);
            var current = Load(path);
            var keyPath = Path.GetFullPath(parse.GetValue(keyFile)!);
            PrivateKey key;
            try
            {
                key = KeyFile.Load(keyPath, Console.Error);
            }
            catch (KeyFileException e)
            {
                throw new InputException("--key", e.Field == "keyFile" ? e.Message : $"{e.Field}: {e.Message}", e.Rule);
            }
            ConsortiumDefinition signed;
            try
            {
                signed = ConsortiumChanges.Sign(current, key);
            }
            catch (ConsortiumFormatException e)
            {
                throw new InputException("--file", $"{e.Field}: {e.Detail}", e.Rule);
            }
            Save(path, signed, null, key.Address);
            return ExitCodes.Ok;
        }));
        return sign;
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
            foreach (var signature in definition.Signatures)
                Console.Out.WriteLine($"  signed by {definition.Nodes.FirstOrDefault(n => n.Address == signature.Node)?.Name ?? "(not a node of this version)"} {signature.Node}");
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

    private static void Check(ConsortiumDefinition definition)
    {
        try
        {
            ConsortiumFile.Validate(definition);
        }
        catch (ConsortiumFormatException e)
        {
            throw new InputException(OptionFor(e.Field), $"{e.Field}: {e.Detail}", e.Rule);
        }
    }

    private static int Save(string path, ConsortiumDefinition definition) => Save(path, definition, null);

    /// <summary>Validates and writes <paramref name="definition"/>, then prints its JSON summary (with the party's token file, or the signer, when given).</summary>
    private static int Save(string path, ConsortiumDefinition definition, string? tokenFile, Address? signer = null)
    {
        Check(definition);
        try
        {
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
            json.WriteNumber("parties", definition.Parties.Count);
            json.WriteNumber("quorum", definition.Quorum);
            json.WriteNumber("threshold", definition.Threshold);
            json.WriteNumber("signatures", definition.Signatures.Count);
            if (tokenFile is not null)
            {
                var party = definition.Parties[^1];
                json.WriteStartObject("party");
                json.WriteString("name", party.Name);
                json.WriteString("address", party.Address.ToString());
                json.WriteString("node", party.Node.ToString());
                json.WriteEndObject();
                json.WriteString("tokenFile", tokenFile);
            }
            if (signer is { } s)
            {
                json.WriteString("signer", s.ToString());
                json.WriteBoolean("signerIsNode", definition.Nodes.Any(n => n.Address == s));
            }
            json.WriteEndObject();
        }
        stdout.Write("\n"u8);
        return ExitCodes.Ok;
    }

    /// <summary>The command-line option that supplied the consortium member at <paramref name="field"/>.</summary>
    private static string OptionFor(string field) => CliInput.OptionFor(field, "--name", "--file");

    private static int Run(Func<int> action) => CliInput.Run(action);
}
