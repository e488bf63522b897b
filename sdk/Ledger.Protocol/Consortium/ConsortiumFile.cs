using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Gs1;

namespace Ledger.Protocol.Consortium;

/// <summary>
/// Reads and writes the text of <c>consortium.json</c> (format <c>ledger-consortium/v2</c>; <c>ledger-consortium/v1</c> files are still read
/// and upgraded in memory; docs/spec/consortium.md). Every read and every
/// write validates the whole definition; a broken rule throws <see cref="ConsortiumFormatException"/> naming the JSON path and
/// the rule id (reading and writing the file itself: the node's <c>ConsortiumStore</c>). Unknown members are rejected so that a typo is never silently ignored.
/// </summary>
public static partial class ConsortiumFile
{
    /// <summary>The value of the <c>format</c> member that <see cref="Serialize"/> writes.</summary>
    public const string Format = "ledger-consortium/v2";

    /// <summary>The previous format, still read: nodes without <c>cluster</c> and <c>tlsFingerprint</c> (read as <c>""</c>).</summary>
    public const string FormatV1 = "ledger-consortium/v1";

    /// <summary>The file name inside a node's data directory.</summary>
    public const string FileName = "consortium.json";

    private static readonly (string Name, PartyRoles Role)[] RoleNames =
    [
        ("manufacturer", PartyRoles.Manufacturer),
        ("wholesaler", PartyRoles.Wholesaler),
        ("dispenser", PartyRoles.Dispenser),
        ("regulator", PartyRoles.Regulator),
    ];

    private static readonly PartyRoles AllRoles = RoleNames.Aggregate(PartyRoles.None, (all, r) => all | r.Role);

    private static readonly string[] RootMembersV1 = ["format", "name", "version", "nodes", "parties"];
    private static readonly string[] RootMembers = ["format", "name", "version", "quorum", "threshold", "nodes", "parties", "signatures"];
    private static readonly string[] SignatureMembers = ["node", "signature"];

    /// <summary>The bytes that precede the canonical text in <see cref="SigningDigest"/>.</summary>
    public const string SigningDomain = "ledger-consortium-signing/v1\n";
    private static readonly string[] NodeMembersV1 = ["name", "address", "endpoint"];
    private static readonly string[] NodeMembers = ["name", "address", "endpoint", "cluster", "tlsFingerprint"];
    private static readonly string[] PartyMembers = ["name", "address", "node", "roles", "glns", "companyPrefixes", "delegatedGtins"];

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9]{4,12}$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixPattern();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex("^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabelPattern();

    /// <summary>The role names accepted in <c>roles</c>, in file order.</summary>
    public static IReadOnlyList<string> RoleNameList { get; } = [.. RoleNames.Select(r => r.Name)];

    /// <summary>Maps a role name (<c>manufacturer</c>, <c>wholesaler</c>, <c>dispenser</c>, <c>regulator</c>) to its flag.</summary>
    public static bool TryParseRole(string? name, out PartyRoles role)
    {
        foreach (var (n, r) in RoleNames)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                role = r;
                return true;
            }
        }
        role = PartyRoles.None;
        return false;
    }

    /// <summary>The names of the roles set in <paramref name="roles"/>, in file order.</summary>
    public static IReadOnlyList<string> RoleNamesOf(PartyRoles roles) => [.. RoleNames.Where(r => (roles & r.Role) != 0).Select(r => r.Name)];

    /// <summary>True when <paramref name="name"/> is a valid party or node name (<c>^[a-z0-9][a-z0-9_-]{0,62}$</c>).</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Parses and validates the JSON text of a consortium file.</summary>
    /// <exception cref="ConsortiumFormatException">The text is not JSON, has an unknown, duplicate, missing or mistyped member, or breaks a rule of <see cref="Validate"/>.</exception>
    public static ConsortiumDefinition Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new ConsortiumFormatException("$", "syntax", $"not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = Members(document.RootElement, "$", RootMembers);
            var format = String(root, "", "format");
            var v1 = string.Equals(format, FormatV1, StringComparison.Ordinal);
            if (!v1 && !string.Equals(format, Format, StringComparison.Ordinal))
                throw new ConsortiumFormatException("format", "format", $"must be \"{Format}\" (or \"{FormatV1}\"), found \"{format}\"");
            if (v1)
                Members(document.RootElement, "$", RootMembersV1);
            var name = String(root, "", "name");
            var versionElement = Required(root, "", "version");
            if (versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt64(out var version))
                throw new ConsortiumFormatException("version", "type", "must be an integer");
            var nodes = Array(root, "", "nodes", required: true).Select((e, i) => ReadNode(e, $"nodes[{i}]", v1 ? NodeMembersV1 : NodeMembers)).ToList();
            var parties = Array(root, "", "parties", required: true).Select((e, i) => ReadParty(e, $"parties[{i}]")).ToList();
            var signatures = Array(root, "", "signatures", required: false).Select((e, i) => ReadSignature(e, $"signatures[{i}]")).ToList();
            var definition = new ConsortiumDefinition(name, version, nodes, parties)
            {
                QuorumSetting = OptionalInt(root, "quorum"),
                ThresholdSetting = OptionalInt(root, "threshold"),
                Signatures = signatures,
            };
            Validate(definition);
            return definition;
        }
    }

    private static ConsortiumNode ReadNode(JsonElement element, string path, string[] allowed)
    {
        var m = Members(element, path, allowed);
        return new ConsortiumNode(String(m, path, "name"), ReadAddress(m, path, "address"), OptionalString(m, path, "endpoint"))
        {
            Cluster = OptionalString(m, path, "cluster"),
            TlsFingerprint = OptionalString(m, path, "tlsFingerprint"),
        };
    }

    private static int? OptionalInt(Dictionary<string, JsonElement> m, string name)
    {
        if (!m.TryGetValue(name, out var element))
            return null;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value))
            throw new ConsortiumFormatException(name, "type", "must be an integer");
        return value;
    }

    private static ConsortiumSignature ReadSignature(JsonElement element, string path)
    {
        var m = Members(element, path, SignatureMembers);
        var node = ReadAddress(m, path, "node");
        var field = Join(path, "signature");
        var text = String(m, path, "signature");
        if (!text.StartsWith("0x", StringComparison.Ordinal) || text.Length != 2 + 2 * Signature.Length || !text.Skip(2).All(char.IsAsciiHexDigitLower)
            || !Signature.TryFromBytes(Hex.Decode(text), out var signature))
            throw new ConsortiumFormatException(field, "signature", $"\"{text}\" must be 0x and 130 lowercase hex digits: r ‖ s ‖ v with v 00 or 01");
        return new ConsortiumSignature(node, signature);
    }

    private static string OptionalString(Dictionary<string, JsonElement> m, string path, string name) =>
        m.ContainsKey(name) ? String(m, path, name) : "";

    private static Party ReadParty(JsonElement element, string path)
    {
        var m = Members(element, path, PartyMembers);
        var name = String(m, path, "name");
        var address = ReadAddress(m, path, "address");
        var node = ReadAddress(m, path, "node");
        var roles = PartyRoles.None;
        var roleElements = Array(m, path, "roles", required: true);
        for (var i = 0; i < roleElements.Count; i++)
        {
            var field = $"{path}.roles[{i}]";
            var text = StringValue(roleElements[i], field);
            if (!TryParseRole(text, out var role))
                throw new ConsortiumFormatException(field, "role", $"\"{text}\" is not one of {string.Join(", ", RoleNameList)}");
            if ((roles & role) != 0)
                throw new ConsortiumFormatException(field, "unique", $"\"{text}\" is listed twice");
            roles |= role;
        }
        return new Party(name, address, roles, Strings(m, path, "glns"), Strings(m, path, "companyPrefixes"), Strings(m, path, "delegatedGtins"), node);
    }

    private static Dictionary<string, JsonElement> Members(JsonElement element, string path, string[] allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ConsortiumFormatException(path, "type", "must be a JSON object");
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var field = Join(path == "$" ? "" : path, property.Name);
            if (!allowed.Contains(property.Name, StringComparer.Ordinal))
                throw new ConsortiumFormatException(field, "unknown-member", $"is not a member of this object (allowed: {string.Join(", ", allowed)})");
            if (!members.TryAdd(property.Name, property.Value))
                throw new ConsortiumFormatException(field, "duplicate-member", "appears twice");
        }
        return members;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static JsonElement Required(Dictionary<string, JsonElement> m, string path, string name) =>
        m.TryGetValue(name, out var value) ? value : throw new ConsortiumFormatException(Join(path, name), "required", "is missing");

    private static string String(Dictionary<string, JsonElement> m, string path, string name) =>
        StringValue(Required(m, path, name), Join(path, name));

    private static string StringValue(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new ConsortiumFormatException(field, "type", "must be a string");

    private static Address ReadAddress(Dictionary<string, JsonElement> m, string path, string name)
    {
        var field = Join(path, name);
        var text = String(m, path, name);
        try
        {
            return Address.Parse(text);
        }
        catch (CryptoFormatException e)
        {
            throw new ConsortiumFormatException(field, "address", $"\"{text}\" {e.Message}", e);
        }
    }

    private static List<JsonElement> Array(Dictionary<string, JsonElement> m, string path, string name, bool required)
    {
        if (!m.TryGetValue(name, out var element))
            return required ? throw new ConsortiumFormatException(Join(path, name), "required", "is missing") : [];
        if (element.ValueKind != JsonValueKind.Array)
            throw new ConsortiumFormatException(Join(path, name), "type", "must be an array");
        return [.. element.EnumerateArray()];
    }

    private static List<string> Strings(Dictionary<string, JsonElement> m, string path, string name) =>
        [.. Array(m, path, name, required: false).Select((e, i) => StringValue(e, $"{Join(path, name)}[{i}]"))];

    /// <summary>
    /// Checks every rule of docs/spec/consortium.md on a definition (the rules a parsed file must also meet): names, uniqueness
    /// of names, addresses and GLNs, node references, roles, GLN and GTIN check digits, company prefixes.
    /// </summary>
    /// <exception cref="ConsortiumFormatException">The first rule broken, with the JSON path it would have in the file.</exception>
    public static void Validate(ConsortiumDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (string.IsNullOrWhiteSpace(definition.Name))
            throw new ConsortiumFormatException("name", "non-empty", "must not be empty");
        if (definition.Version < 1)
            throw new ConsortiumFormatException("version", "range", string.Create(CultureInfo.InvariantCulture, $"must be at least 1, found {definition.Version}"));
        if (definition.Nodes.Count == 0)
            throw new ConsortiumFormatException("nodes", "non-empty", "a consortium needs at least one node");

        var addresses = new Dictionary<Address, string>();
        var nodeNames = new Dictionary<string, int>(StringComparer.Ordinal);
        var clusters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fingerprints = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Nodes.Count; i++)
        {
            var node = definition.Nodes[i];
            var path = $"nodes[{i}]";
            CheckName(node.Name, path, nodeNames, i, "node");
            CheckAddress(node.Address, path + ".address", addresses);
            CheckEndpoint(node.Endpoint, path + ".endpoint");
            CheckCluster(node.Cluster, path + ".cluster");
            if (node.Cluster.Length > 0 && !clusters.TryAdd(node.Cluster, path + ".cluster"))
                throw new ConsortiumFormatException(path + ".cluster", "unique", $"{node.Cluster} is already used at {clusters[node.Cluster]} (every node listens on its own address)");
            CheckFingerprint(node.TlsFingerprint, path + ".tlsFingerprint");
            if (node.TlsFingerprint.Length > 0 && !fingerprints.TryAdd(node.TlsFingerprint, path + ".tlsFingerprint"))
                throw new ConsortiumFormatException(path + ".tlsFingerprint", "unique",
                    $"{node.TlsFingerprint} is already used at {fingerprints[node.TlsFingerprint]} (every node has its own certificate)");
        }

        var n = definition.Nodes.Count;
        var minimum = Ledger.Protocol.Blocks.Certificate.Quorum(n);
        if (definition.QuorumSetting is { } q && (q < minimum || q > n))
            throw new ConsortiumFormatException("quorum", "quorum",
                string.Create(CultureInfo.InvariantCulture, $"must be from ⌊2n/3⌋+1 = {minimum} to n = {n} for {n} node(s), found {q}"));
        if (definition.ThresholdSetting is { } t && (t < 1 || t > n))
            throw new ConsortiumFormatException("threshold", "threshold",
                string.Create(CultureInfo.InvariantCulture, $"must be from 1 to n = {n} for {n} node(s), found {t}"));

        var nodeAddresses = definition.Nodes.Select(n => n.Address).ToHashSet();
        var partyNames = new Dictionary<string, int>(StringComparer.Ordinal);
        var glnOwners = new Dictionary<string, string>(StringComparer.Ordinal);
        var prefixOwners = new List<(string Prefix, int Party, string Field)>();
        for (var i = 0; i < definition.Parties.Count; i++)
        {
            var party = definition.Parties[i];
            var path = $"parties[{i}]";
            CheckName(party.Name, path, partyNames, i, "party");
            CheckAddress(party.Address, path + ".address", addresses);
            if (!nodeAddresses.Contains(party.Node))
                throw new ConsortiumFormatException(path + ".node", "unknown-node", $"{party.Node} is not the address of a node in \"nodes\"");
            if ((party.Roles & ~AllRoles) != 0)
                throw new ConsortiumFormatException(path + ".roles", "role",
                    string.Create(CultureInfo.InvariantCulture, $"holds an undefined role flag 0x{(int)(party.Roles & ~AllRoles):x}"));

            for (var j = 0; j < party.Glns.Count; j++)
            {
                var field = $"{path}.glns[{j}]";
                var gln = party.Glns[j];
                CheckKey(gln, field, 13, "GLN");
                if (!glnOwners.TryAdd(gln, field))
                    throw new ConsortiumFormatException(field, "unique", $"GLN {gln} is already listed at {glnOwners[gln]} (a GLN belongs to one party)");
            }

            for (var j = 0; j < party.CompanyPrefixes.Count; j++)
            {
                var field = $"{path}.companyPrefixes[{j}]";
                var prefix = party.CompanyPrefixes[j];
                if (prefix is null || !PrefixPattern().IsMatch(prefix))
                    throw new ConsortiumFormatException(field, "prefix", $"\"{prefix}\" must be 4 to 12 digits");
                foreach (var (other, owner, otherField) in prefixOwners)
                {
                    if (string.Equals(other, prefix, StringComparison.Ordinal))
                        throw new ConsortiumFormatException(field, "unique", $"company prefix {prefix} is already listed at {otherField}");
                    if (owner != i && (other.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(other, StringComparison.Ordinal)))
                        throw new ConsortiumFormatException(field, "overlap",
                            $"company prefix {prefix} overlaps {other} at {otherField} (a GTIN would have two brand owners)");
                }
                prefixOwners.Add((prefix, i, field));
            }

            var delegated = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var j = 0; j < party.DelegatedGtins.Count; j++)
            {
                var field = $"{path}.delegatedGtins[{j}]";
                var gtin = party.DelegatedGtins[j];
                CheckKey(gtin, field, 14, "GTIN-14");
                if (!delegated.TryAdd(gtin, field))
                    throw new ConsortiumFormatException(field, "unique", $"GTIN {gtin} is already listed at {delegated[gtin]}");
            }
        }
        CheckSignatures(definition);
    }

    private static void CheckSignatures(ConsortiumDefinition definition)
    {
        if (definition.Signatures is null)
            throw new ConsortiumFormatException("signatures", "type", "must be a list (empty when unsigned)");
        if (definition.Signatures.Count == 0)
            return;
        var digest = SigningDigest(definition);
        var signers = new Dictionary<Address, string>();
        for (var i = 0; i < definition.Signatures.Count; i++)
        {
            var (node, signature) = (definition.Signatures[i].Node, definition.Signatures[i].Signature);
            var path = $"signatures[{i}]";
            if (!signers.TryAdd(node, path + ".node"))
                throw new ConsortiumFormatException(path + ".node", "unique", $"{node} has already signed at {signers[node]}");
            if (!signature.IsLowS || Secp256k1.RecoverAddress(digest, signature) != node)
                throw new ConsortiumFormatException(path + ".signature", "signature",
                    $"is not {node}'s signature of this version (digest {digest}): the file was changed after signing, or signed by another key");
        }
    }

    /// <summary>
    /// The digest a node signs for <paramref name="definition"/>: Keccak-256 of the UTF-8 bytes of <see cref="SigningDomain"/>
    /// followed by the canonical text (<see cref="Serialize"/>) with the <c>signatures</c> member left out. Does not validate.
    /// </summary>
    public static Hash32 SigningDigest(ConsortiumDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var text = Write(definition, withSignatures: false);
        return Keccak256.Hash(Encoding.UTF8.GetBytes(SigningDomain + text));
    }

    private static void CheckName(string name, string path, Dictionary<string, int> seen, int index, string what)
    {
        if (!IsValidName(name))
            throw new ConsortiumFormatException(path + ".name", "name",
                $"\"{name}\" must be 1 to 63 characters: lowercase letters, digits, '-' and '_', starting with a letter or digit");
        if (!seen.TryAdd(name, index))
            throw new ConsortiumFormatException(path + ".name", "unique",
                string.Create(CultureInfo.InvariantCulture, $"{what} name \"{name}\" is already used at index {seen[name]}"));
    }

    private static void CheckAddress(Address address, string field, Dictionary<Address, string> seen)
    {
        if (address == Address.Zero)
            throw new ConsortiumFormatException(field, "address", "the zero address belongs to no key");
        if (!seen.TryAdd(address, field))
            throw new ConsortiumFormatException(field, "unique", $"{address} is already used at {seen[address]} (every node and party has its own key)");
    }

    private static void CheckEndpoint(string endpoint, string field)
    {
        if (endpoint is null)
            throw new ConsortiumFormatException(field, "url", "must be a string (empty when not published)");
        if (endpoint.Length == 0)
            return;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new ConsortiumFormatException(field, "url", $"\"{endpoint}\" must be an absolute http or https URL without user info, query or fragment");
    }

    /// <summary>
    /// True when <paramref name="cluster"/> is a valid non-empty <c>cluster</c> value: <c>host:port</c> where host is a DNS name
    /// (dot-separated labels of letters, digits and '-', not starting or ending with '-', at most 253 characters), an IPv4 literal
    /// (four decimal octets) or an IPv6 literal in brackets written as <see cref="System.Net.IPAddress.ToString"/> writes it, and
    /// port a decimal number 1–65535 without leading zeros. <paramref name="error"/> says what is wrong otherwise.
    /// </summary>
    public static bool IsValidCluster(string cluster, out string error)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        error = "";
        var colon = cluster.LastIndexOf(':');
        if (colon <= 0)
        {
            error = $"\"{cluster}\" must be host:port";
            return false;
        }
        var host = cluster[..colon];
        var port = cluster[(colon + 1)..];
        if (port.Length is 0 or > 5 || port[0] == '0' || !port.All(char.IsAsciiDigit) || int.Parse(port, CultureInfo.InvariantCulture) > 65535)
        {
            error = $"\"{cluster}\": port \"{port}\" must be a number from 1 to 65535 without leading zeros";
            return false;
        }
        if (host.StartsWith('['))
        {
            var inner = host.EndsWith(']') ? host[1..^1] : "";
            if (!System.Net.IPAddress.TryParse(inner, out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6
                || !string.Equals(ip.ToString(), inner, StringComparison.OrdinalIgnoreCase))
            {
                error = $"\"{cluster}\": \"{host}\" must be an IPv6 address in brackets, in its shortest form (e.g. [::1]), without a zone";
                return false;
            }
            return true;
        }
        if (host.Contains(':', StringComparison.Ordinal))
        {
            error = $"\"{cluster}\": an IPv6 host must be written in brackets, e.g. [::1]:4053";
            return false;
        }
        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            var octets = host.Split('.');
            if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || (o.Length > 1 && o[0] == '0') || int.Parse(o, CultureInfo.InvariantCulture) > 255))
            {
                error = $"\"{cluster}\": \"{host}\" is not an IPv4 address (four numbers 0-255 without leading zeros)";
                return false;
            }
            return true;
        }
        if (host.Length > 253 || !host.Split('.').All(l => DnsLabelPattern().IsMatch(l)))
        {
            error = $"\"{cluster}\": \"{host}\" is not a DNS name (labels of 1-63 letters, digits and '-', not starting or ending with '-')";
            return false;
        }
        return true;
    }

    private static void CheckCluster(string cluster, string field)
    {
        if (cluster is null)
            throw new ConsortiumFormatException(field, "cluster-address", "must be a string (empty when not published)");
        if (cluster.Length > 0 && !IsValidCluster(cluster, out var error))
            throw new ConsortiumFormatException(field, "cluster-address", error);
    }

    /// <summary>True when <paramref name="fingerprint"/> is 64 lowercase hex digits (a SHA-256).</summary>
    public static bool IsValidFingerprint(string? fingerprint) => fingerprint is not null && FingerprintPattern().IsMatch(fingerprint);

    private static void CheckFingerprint(string fingerprint, string field)
    {
        if (fingerprint is null)
            throw new ConsortiumFormatException(field, "fingerprint", "must be a string (empty when not set)");
        if (fingerprint.Length > 0 && !IsValidFingerprint(fingerprint))
            throw new ConsortiumFormatException(field, "fingerprint",
                $"\"{fingerprint}\" must be the SHA-256 of the node's TLS certificate (DER): 64 lowercase hex digits");
    }

    private static void CheckKey(string value, string field, int length, string what)
    {
        if (value is null || value.Length != length)
            throw new ConsortiumFormatException(field, "length",
                string.Create(CultureInfo.InvariantCulture, $"a {what} has {length} digits, \"{value}\" has {value?.Length ?? 0}"));
        for (var k = 0; k < value.Length; k++)
        {
            if (!char.IsAsciiDigit(value[k]))
                throw new ConsortiumFormatException(field, "digits",
                    string.Create(CultureInfo.InvariantCulture, $"{what} \"{value}\": character {k + 1} '{value[k]}' is not a digit"));
        }
        var expected = CheckDigit.Compute(value.AsSpan(0, length - 1));
        if (expected != value[^1])
            throw new ConsortiumFormatException(field, "check-digit", $"{what} {value}: check digit is {value[^1]}, expected {expected}");
    }

    /// <summary>
    /// The file text for <paramref name="definition"/>: indented JSON, members in a fixed order, nodes and parties in the given
    /// order, roles in the order manufacturer, wholesaler, dispenser, regulator, addresses in EIP-55 form, non-ASCII text
    /// unescaped (the file is never embedded in HTML), and a final newline.
    /// </summary>
    /// <exception cref="ConsortiumFormatException">The definition breaks a rule of <see cref="Validate"/>.</exception>
    public static string Serialize(ConsortiumDefinition definition)
    {
        Validate(definition);
        return Write(definition, withSignatures: true);
    }

    private static string Write(ConsortiumDefinition definition, bool withSignatures)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("name", definition.Name);
            json.WriteNumber("version", definition.Version);
            if (definition.QuorumSetting is { } quorum)
                json.WriteNumber("quorum", quorum);
            if (definition.ThresholdSetting is { } threshold)
                json.WriteNumber("threshold", threshold);
            json.WriteStartArray("nodes");
            foreach (var node in definition.Nodes)
            {
                json.WriteStartObject();
                json.WriteString("name", node.Name);
                json.WriteString("address", node.Address.ToString());
                json.WriteString("endpoint", node.Endpoint);
                json.WriteString("cluster", node.Cluster);
                json.WriteString("tlsFingerprint", node.TlsFingerprint);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("parties");
            foreach (var party in definition.Parties)
            {
                json.WriteStartObject();
                json.WriteString("name", party.Name);
                json.WriteString("address", party.Address.ToString());
                json.WriteString("node", party.Node.ToString());
                WriteStrings(json, "roles", RoleNamesOf(party.Roles));
                WriteStrings(json, "glns", party.Glns);
                WriteStrings(json, "companyPrefixes", party.CompanyPrefixes);
                WriteStrings(json, "delegatedGtins", party.DelegatedGtins);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (withSignatures)
            {
                json.WriteStartArray("signatures");
                foreach (var signature in definition.Signatures)
                {
                    json.WriteStartObject();
                    json.WriteString("node", signature.Node.ToString());
                    json.WriteString("signature", Hex.Encode0x(signature.Signature.ToBytes()));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
