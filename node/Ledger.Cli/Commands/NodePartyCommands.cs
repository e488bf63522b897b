using System.CommandLine;
using System.Text.Json;
using Ledger.Engine.Consortium;
using Ledger.Protocol.Consortium;
using Ledger.Node;
using Ledger.Node.Parties;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger node init</c> and <c>ledger node add-party</c>: the consortium file of a node's data directory and the parties it
/// hosts (key and API token files). Every input is validated against the whole new consortium definition before anything is
/// written; invalid input exits 2 with one stderr line naming the option and the rule.
/// </summary>
internal static class NodePartyCommands
{
    private const string DefaultNodeName = "node-1";
    private const string DefaultConsortiumName = "devnet";

    internal sealed record PartyOptions(
        Option<string> Data, Option<string> PartyName, Option<string[]> Prefixes, Option<string[]> Glns, Option<string[]> Roles, Option<string[]> DelegatedGtins)
    {
        public static PartyOptions Create(string dataDescription = "The node's data directory", bool dataRequired = true) => new(
            new Option<string>("--data") { Description = dataDescription, Required = dataRequired },
            new Option<string>("--party-name") { Description = "The party's name: lowercase letters, digits, '-', '_' (also its key and token file names)", Required = true },
            new Option<string[]>("--prefix") { Description = "A GS1 company prefix the party owns (4 to 12 digits); repeat for more", AllowMultipleArgumentsPerToken = true },
            new Option<string[]>("--gln") { Description = "A GLN-13 of one of the party's locations; repeat for more", AllowMultipleArgumentsPerToken = true },
            new Option<string[]>("--role") { Description = "manufacturer, wholesaler, dispenser or regulator (default manufacturer); repeat for more", AllowMultipleArgumentsPerToken = true },
            new Option<string[]>("--delegated-gtin") { Description = "A GTIN-14 the party may commission for its brand owner; repeat for more", AllowMultipleArgumentsPerToken = true });

        public void AddTo(Command command)
        {
            command.Options.Add(Data);
            command.Options.Add(PartyName);
            command.Options.Add(Prefixes);
            command.Options.Add(Glns);
            command.Options.Add(Roles);
            command.Options.Add(DelegatedGtins);
        }
    }

    internal static Command CreateInit()
    {
        var options = PartyOptions.Create();
        var consortiumName = new Option<string>("--consortium-name") { Description = $"The consortium's name (default {DefaultConsortiumName})" };
        var nodeName = new Option<string>("--node-name") { Description = $"This node's name in the consortium (default {DefaultNodeName})" };
        var endpoint = new Option<string>("--endpoint") { Description = $"This node's base URL for clients and other nodes (default {NodeOptions.DefaultUrls}; \"\" when not published)" };
        var init = new Command("init",
            "Create the node key, consortium.json with this node and one party, and the party's key and API token; prints a JSON summary");
        options.AddTo(init);
        init.Options.Add(consortiumName);
        init.Options.Add(nodeName);
        init.Options.Add(endpoint);
        init.SetAction(parse => CliInput.Run(() => Init(
            parse.GetValue(options.Data)!, ReadParty(parse, options),
            parse.GetValue(consortiumName) ?? DefaultConsortiumName,
            parse.GetValue(nodeName) ?? DefaultNodeName,
            parse.GetValue(endpoint) ?? NodeOptions.DefaultUrls)));
        return init;
    }

    internal static Command CreateAddParty()
    {
        var options = PartyOptions.Create();
        var add = new Command("add-party",
            "Add a party hosted by this node to its consortium.json (version + 1) and create the party's key and API token; prints a JSON summary");
        options.AddTo(add);
        add.SetAction(parse => CliInput.Run(() => AddParty(parse.GetValue(options.Data)!, ReadParty(parse, options))));
        return add;
    }

    internal sealed record PartyInput(string Name, PartyRoles Roles, string[] Glns, string[] Prefixes, string[] DelegatedGtins);

    internal static PartyInput ReadParty(ParseResult parse, PartyOptions options)
    {
        var roles = PartyRoles.None;
        var roleNames = parse.GetValue(options.Roles) is { Length: > 0 } given ? given : ["manufacturer"];
        foreach (var name in roleNames)
        {
            if (!ConsortiumFile.TryParseRole(name, out var role))
                throw new InputException("--role", $"\"{name}\" is not one of {string.Join(", ", ConsortiumFile.RoleNameList)}", "role");
            roles |= role;
        }
        return new PartyInput(parse.GetValue(options.PartyName)!, roles,
            parse.GetValue(options.Glns) ?? [], parse.GetValue(options.Prefixes) ?? [], parse.GetValue(options.DelegatedGtins) ?? []);
    }

    private static int Init(string data, PartyInput input, string consortiumName, string nodeName, string endpoint)
    {
        var dir = Path.GetFullPath(data);
        var consortiumPath = Path.Combine(dir, ConsortiumFile.FileName);
        if (File.Exists(consortiumPath))
            throw new InputException("--data", $"{consortiumPath} already exists (use 'ledger node add-party' to host another party)", "already-initialised");

        // Validate everything with stand-in node address before the first file is written.
        var partyKey = PrivateKey.Generate();
        Check(Definition(PrivateKey.Generate().Address));
        EnsureCanCreate(dir, input.Name);

        NodeIdentity identity;
        try
        {
            identity = NodeIdentity.LoadOrCreate(dir, TimeProvider.System);
        }
        catch (NodeConfigurationException e)
        {
            throw new InputException("--data", e.Message, e.Rule);
        }
        var definition = Definition(identity.Address);
        Check(definition);
        return Write(dir, consortiumPath, definition, partyKey, input);

        ConsortiumDefinition Definition(Address node) => new(consortiumName, 1,
            [new ConsortiumNode(nodeName, node, endpoint)],
            [NewParty(input, partyKey.Address, node)]);
    }

    private static int AddParty(string data, PartyInput input)
    {
        var dir = Path.GetFullPath(data);
        var consortiumPath = Path.Combine(dir, ConsortiumFile.FileName);
        if (!File.Exists(consortiumPath))
            throw new InputException("--data", $"{consortiumPath} does not exist (run 'ledger node init' first)", "not-initialised");
        var keyPath = Path.Combine(dir, NodeIdentity.KeyFileName);
        if (!File.Exists(keyPath))
            throw new InputException("--data", $"{keyPath} does not exist (run 'ledger node init' first)", "not-initialised");
        ConsortiumDefinition current;
        try
        {
            current = ConsortiumStore.Load(consortiumPath);
        }
        catch (ConsortiumFormatException e)
        {
            throw new InputException("--data", $"{ConsortiumFile.FileName}: {e.Field}: {e.Detail}", e.Rule);
        }
        NodeIdentity identity;
        try
        {
            identity = NodeIdentity.LoadOrCreate(dir, TimeProvider.System);
        }
        catch (NodeConfigurationException e)
        {
            throw new InputException("--data", e.Message, e.Rule);
        }
        if (!current.Nodes.Any(n => n.Address == identity.Address))
            throw new InputException("--data", $"this node ({identity.Address}) is not a node of {consortiumPath}", "unknown-node");

        var partyKey = PrivateKey.Generate();
        var definition = current with
        {
            Version = current.Version + 1,
            Parties = [.. current.Parties, NewParty(input, partyKey.Address, identity.Address)],
        };
        Check(definition);
        EnsureCanCreate(dir, input.Name);
        return Write(dir, consortiumPath, definition, partyKey, input);
    }

    internal static Party NewParty(PartyInput input, Address address, Address node) =>
        new(input.Name, address, input.Roles, input.Glns, input.Prefixes, input.DelegatedGtins, node);

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

    private static void EnsureCanCreate(string dir, string name)
    {
        try
        {
            HostedParties.EnsureCanCreate(dir, name);
        }
        catch (NodeConfigurationException e)
        {
            throw new InputException(e.Field == "name" ? "--party-name" : "--data", $"{e.Field}: {e.Detail}", e.Rule);
        }
    }

    /// <summary>The command-line option that supplied the consortium member at <paramref name="field"/>.</summary>
    private static string OptionFor(string field) => CliInput.OptionFor(field, "--consortium-name", "--data");

    private static int Write(string dir, string consortiumPath, ConsortiumDefinition definition, PrivateKey partyKey, PartyInput input)
    {
        HostedPartyFiles files;
        try
        {
            files = HostedParties.Create(dir, input.Name, partyKey);
        }
        catch (NodeConfigurationException e)
        {
            throw new InputException("--data", $"{e.Field}: {e.Detail}", e.Rule);
        }
        try
        {
            ConsortiumStore.Save(consortiumPath, definition);
        }
        catch (ConsortiumFormatException e)
        {
            // The party is not in any consortium file: remove its key and token again.
            File.Delete(files.KeyPath);
            File.Delete(files.TokenPath);
            throw new InputException("--data", $"{e.Field}: {e.Detail}", e.Rule);
        }

        var node = definition.Parties[^1].Node;
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout))
        {
            json.WriteStartObject();
            json.WriteString("node", node.ToString());
            json.WriteStartObject("party");
            json.WriteString("name", files.Name);
            json.WriteString("address", files.Address.ToString());
            json.WriteStartArray("roles");
            foreach (var role in ConsortiumFile.RoleNamesOf(input.Roles))
                json.WriteStringValue(role);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("tokenFile", files.TokenPath);
            json.WriteString("consortium", consortiumPath);
            json.WriteEndObject();
        }
        stdout.Write("\n"u8);
        return ExitCodes.Ok;
    }
}
