using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Engine.Consortium;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Gs1;
using Xunit;

namespace Ledger.Engine.Tests.Consortium;

public sealed class ConsortiumFileTests : IDisposable
{
    private static readonly Address Node1 = Key(1);
    private static readonly Address Node2 = Key(2);
    private static readonly Address Acme = Key(3);
    private static readonly Address Beta = Key(4);

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ledger-consortium-");

    public void Dispose() => _dir.Delete(recursive: true);

    private const string Fingerprint1 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private const string Fingerprint2 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    private static Address Key(byte b) => PrivateKey.FromBytes(Enumerable.Repeat(b, 32).ToArray()).Address;

    // Written by hand from docs/spec/consortium.md: the canonical form (member order, indentation, EIP-55, final newline).
    private static readonly string Canonical = $$"""
        {
          "format": "ledger-consortium/v2",
          "name": "devnet",
          "version": 3,
          "nodes": [
            {
              "name": "node-1",
              "address": "{{Node1}}",
              "endpoint": "http://127.0.0.1:8080",
              "cluster": "127.0.0.1:4053",
              "tlsFingerprint": "{{Fingerprint1}}"
            },
            {
              "name": "node-2",
              "address": "{{Node2}}",
              "endpoint": "",
              "cluster": "",
              "tlsFingerprint": ""
            }
          ],
          "parties": [
            {
              "name": "acme",
              "address": "{{Acme}}",
              "node": "{{Node1}}",
              "roles": [
                "manufacturer",
                "regulator"
              ],
              "glns": [
                "0614141000005"
              ],
              "companyPrefixes": [
                "0614141"
              ],
              "delegatedGtins": []
            },
            {
              "name": "beta_2",
              "address": "{{Beta}}",
              "node": "{{Node2}}",
              "roles": [
                "wholesaler"
              ],
              "glns": [
                "0614141000012"
              ],
              "companyPrefixes": [],
              "delegatedGtins": [
                "00614141123452"
              ]
            }
          ],
          "signatures": []
        }

        """.ReplaceLineEndings("\n");

    [Fact]
    public void Parse_CanonicalFile_ReadsEveryMember()
    {
        var d = ConsortiumFile.Parse(Canonical);
        Assert.Equal("devnet", d.Name);
        Assert.Equal(3, d.Version);
        Assert.Equal([("node-1", Node1, "http://127.0.0.1:8080", "127.0.0.1:4053", Fingerprint1), ("node-2", Node2, "", "", "")],
            d.Nodes.Select(n => (n.Name, n.Address, n.Endpoint, n.Cluster, n.TlsFingerprint)));
        var acme = d.Parties[0];
        Assert.Equal(("acme", Acme, Node1, PartyRoles.Manufacturer | PartyRoles.Regulator), (acme.Name, acme.Address, acme.Node, acme.Roles));
        Assert.Equal(["0614141000005"], acme.Glns);
        Assert.Equal(["0614141"], acme.CompanyPrefixes);
        Assert.Empty(acme.DelegatedGtins);
        var beta = d.Parties[1];
        Assert.Equal(("beta_2", Beta, Node2, PartyRoles.Wholesaler), (beta.Name, beta.Address, beta.Node, beta.Roles));
        Assert.Equal(["00614141123452"], beta.DelegatedGtins);
        Assert.Empty(beta.CompanyPrefixes);
    }

    [Fact]
    public void Serialize_ParsedCanonicalFile_ReproducesItByteForByte()
    {
        Assert.Equal(Canonical, ConsortiumFile.Serialize(ConsortiumFile.Parse(Canonical)));
    }

    [Fact]
    public void Parse_LowercaseAddressesAndOmittedOptionalMembers_SerializesToCanonicalForm()
    {
        var node = JsonNode.Parse(Canonical)!;
        node["nodes"]![1]!.AsObject().Remove("endpoint");
        node["nodes"]![0]!["address"] = Node1.ToLowerHex();
        var acme = node["parties"]![0]!.AsObject();
        acme.Remove("delegatedGtins");
        acme["node"] = Node1.ToLowerHex();
        node["parties"]![1]!.AsObject().Remove("companyPrefixes");
        // Roles in another order are written in the fixed order.
        acme["roles"] = new JsonArray("regulator", "manufacturer");

        Assert.Equal(Canonical, ConsortiumFile.Serialize(ConsortiumFile.Parse(node.ToJsonString())));
    }

    [Fact]
    public void Parse_V1File_IsUpgradedInMemoryAndWrittenAsV2()
    {
        var node = JsonNode.Parse(Canonical)!;
        node["format"] = "ledger-consortium/v1";
        node.AsObject().Remove("signatures");
        foreach (var n in node["nodes"]!.AsArray())
        {
            n!.AsObject().Remove("cluster");
            n.AsObject().Remove("tlsFingerprint");
        }
        var d = ConsortiumFile.Parse(node.ToJsonString());
        Assert.All(d.Nodes, n => Assert.Equal(("", ""), (n.Cluster, n.TlsFingerprint)));
        var expected = Canonical.Replace("127.0.0.1:4053", "", StringComparison.Ordinal).Replace(Fingerprint1, "", StringComparison.Ordinal);
        Assert.Equal(expected, ConsortiumFile.Serialize(d));
    }

    [Fact]
    public void Parse_V2WithoutClusterAndFingerprint_ReadsThemAsEmpty()
    {
        var node = JsonNode.Parse(Canonical)!;
        node["nodes"]![0]!.AsObject().Remove("cluster");
        node["nodes"]![0]!.AsObject().Remove("tlsFingerprint");
        var d = ConsortiumFile.Parse(node.ToJsonString());
        Assert.Equal(("", ""), (d.Nodes[0].Cluster, d.Nodes[0].TlsFingerprint));
    }

    [Theory]
    [InlineData("127.0.0.1:4053")]
    [InlineData("node-1.example.org:1")]
    [InlineData("localhost:65535")]
    [InlineData("NODE1.Example.org:8443")]
    [InlineData("[::1]:4053")]
    [InlineData("[2001:db8::7]:4053")]
    public void IsValidCluster_GoodAddresses_AreAccepted(string cluster)
    {
        Assert.True(ConsortiumFile.IsValidCluster(cluster, out var error), error);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData(":4053")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:04053")]
    [InlineData("127.0.0.1:+80")]
    [InlineData("127.0.0.1: 80")]
    [InlineData("256.0.0.1:80")]
    [InlineData("127.0.0.01:80")]
    [InlineData("127.0.1:80")]
    [InlineData("::1:4053")]
    [InlineData("[::1:4053")]
    [InlineData("[0:0::1]:4053")]
    [InlineData("[127.0.0.1]:4053")]
    [InlineData("[fe80::1%eth0]:4053")]
    [InlineData("-node.example.org:80")]
    [InlineData("node-.example.org:80")]
    [InlineData("node..example.org:80")]
    [InlineData("node.example.org.:80")]
    [InlineData("node_1.example.org:80")]
    [InlineData("http://node:80")]
    [InlineData("nöde.example.org:80")]
    public void IsValidCluster_BadAddresses_AreRefusedWithAReason(string cluster)
    {
        Assert.False(ConsortiumFile.IsValidCluster(cluster, out var error));
        Assert.Contains(cluster, error, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValidCluster_LongestDnsName_IsTheLimit()
    {
        var label = new string('a', 63);
        var name253 = $"{label}.{label}.{label}.{new string('b', 61)}";
        Assert.Equal(253, name253.Length);
        Assert.True(ConsortiumFile.IsValidCluster(name253 + ":80", out _));
        Assert.False(ConsortiumFile.IsValidCluster("c" + name253 + ":80", out _));
        Assert.False(ConsortiumFile.IsValidCluster(new string('a', 64) + ":80", out _));
    }

    public static TheoryData<string, string, string> BrokenFiles() => new()
    {
        { "v1-with-cluster", "nodes[0].cluster", "unknown-member" },
        { "node-cluster-no-port", "nodes[0].cluster", "cluster-address" },
        { "node-cluster-url", "nodes[1].cluster", "cluster-address" },
        { "node-cluster-number", "nodes[1].cluster", "type" },
        { "node-cluster-duplicate", "nodes[1].cluster", "unique" },
        { "node-cluster-duplicate-case", "nodes[1].cluster", "unique" },
        { "node-fingerprint-uppercase", "nodes[0].tlsFingerprint", "fingerprint" },
        { "node-fingerprint-short", "nodes[1].tlsFingerprint", "fingerprint" },
        { "node-fingerprint-colons", "nodes[1].tlsFingerprint", "fingerprint" },
        { "node-fingerprint-duplicate", "nodes[1].tlsFingerprint", "unique" },
        { "format-wrong", "format", "format" },
        { "format-missing", "format", "required" },
        { "name-empty", "name", "non-empty" },
        { "name-number", "name", "type" },
        { "version-zero", "version", "range" },
        { "version-string", "version", "type" },
        { "version-fraction", "version", "type" },
        { "nodes-empty", "nodes", "non-empty" },
        { "nodes-missing", "nodes", "required" },
        { "parties-missing", "parties", "required" },
        { "node-not-object", "nodes[1]", "type" },
        { "node-name-uppercase", "nodes[0].name", "name" },
        { "node-name-duplicate", "nodes[1].name", "unique" },
        { "node-endpoint-ftp", "nodes[0].endpoint", "url" },
        { "node-endpoint-query", "nodes[1].endpoint", "url" },
        { "node-unknown-member", "nodes[0].url", "unknown-member" },
        { "party-name-too-long", "parties[0].name", "name" },
        { "party-name-leading-dash", "parties[1].name", "name" },
        { "party-name-duplicate", "parties[1].name", "unique" },
        { "party-address-short", "parties[0].address", "address" },
        { "party-address-bad-checksum", "parties[0].address", "address" },
        { "party-address-zero", "parties[1].address", "address" },
        { "party-address-duplicate", "parties[1].address", "unique" },
        { "party-address-is-node", "parties[0].address", "unique" },
        { "node-address-duplicate", "nodes[1].address", "unique" },
        { "party-node-unknown", "parties[1].node", "unknown-node" },
        { "party-role-unknown", "parties[0].roles[1]", "role" },
        { "party-role-duplicate", "parties[1].roles[1]", "unique" },
        { "party-roles-missing", "parties[0].roles", "required" },
        { "party-gln-check-digit", "parties[1].glns[0]", "check-digit" },
        { "party-gln-length", "parties[0].glns[0]", "length" },
        { "party-gln-letter", "parties[0].glns[0]", "digits" },
        { "party-gln-number", "parties[0].glns[0]", "type" },
        { "party-gln-two-owners", "parties[1].glns[0]", "unique" },
        { "party-gln-twice", "parties[0].glns[1]", "unique" },
        { "party-prefix-short", "parties[0].companyPrefixes[0]", "prefix" },
        { "party-prefix-long", "parties[0].companyPrefixes[0]", "prefix" },
        { "party-prefix-two-owners", "parties[1].companyPrefixes[0]", "unique" },
        { "party-prefix-overlap", "parties[1].companyPrefixes[0]", "overlap" },
        { "party-gtin-check-digit", "parties[1].delegatedGtins[0]", "check-digit" },
        { "party-gtin-length", "parties[1].delegatedGtins[0]", "length" },
        { "party-gtin-twice", "parties[1].delegatedGtins[1]", "unique" },
        { "party-unknown-member", "parties[0].gln", "unknown-member" },
        { "root-unknown-member", "partys", "unknown-member" },
        { "root-duplicate-member", "name", "duplicate-member" },
        { "not-json", "$", "syntax" },
        { "root-array", "$", "type" },
    };

    private static string Broken(string name)
    {
        var n = JsonNode.Parse(Canonical)!;
        var nodes = n["nodes"]!.AsArray();
        var p0 = n["parties"]![0]!.AsObject();
        var p1 = n["parties"]![1]!.AsObject();
        switch (name)
        {
            case "format-wrong": n["format"] = "ledger-consortium/v3"; break;
            case "v1-with-cluster": n["format"] = "ledger-consortium/v1"; n.AsObject().Remove("signatures"); nodes[0]!.AsObject().Remove("tlsFingerprint"); nodes[1]!.AsObject().Remove("cluster"); nodes[1]!.AsObject().Remove("tlsFingerprint"); break;
            case "node-cluster-no-port": nodes[0]!["cluster"] = "127.0.0.1"; break;
            case "node-cluster-url": nodes[1]!["cluster"] = "akka.tcp://ledger@127.0.0.1:4053"; break;
            case "node-cluster-number": nodes[1]!["cluster"] = 4053; break;
            case "node-cluster-duplicate": nodes[1]!["cluster"] = "127.0.0.1:4053"; break;
            case "node-cluster-duplicate-case": nodes[0]!["cluster"] = "node.example.org:4053"; nodes[1]!["cluster"] = "Node.Example.org:4053"; break;
            case "node-fingerprint-uppercase": nodes[0]!["tlsFingerprint"] = Fingerprint1.ToUpperInvariant(); break;
            case "node-fingerprint-short": nodes[1]!["tlsFingerprint"] = Fingerprint2[..63]; break;
            case "node-fingerprint-colons": nodes[1]!["tlsFingerprint"] = string.Join(':', Enumerable.Range(0, 32).Select(k => Fingerprint2.Substring(2 * k, 2))); break;
            case "node-fingerprint-duplicate": nodes[1]!["tlsFingerprint"] = Fingerprint1; break;
            case "format-missing": n.AsObject().Remove("format"); break;
            case "name-empty": n["name"] = ""; break;
            case "name-number": n["name"] = 7; break;
            case "version-zero": n["version"] = 0; break;
            case "version-string": n["version"] = "1"; break;
            case "version-fraction": n["version"] = 1.5; break;
            case "nodes-empty": nodes.Clear(); n["parties"]!.AsArray().Clear(); break;
            case "nodes-missing": n.AsObject().Remove("nodes"); break;
            case "parties-missing": n.AsObject().Remove("parties"); break;
            case "node-not-object": nodes[1] = "node-2"; break;
            case "node-name-uppercase": nodes[0]!["name"] = "Node-1"; break;
            case "node-name-duplicate": nodes[1]!["name"] = "node-1"; break;
            case "node-endpoint-ftp": nodes[0]!["endpoint"] = "ftp://127.0.0.1/"; break;
            case "node-endpoint-query": nodes[1]!["endpoint"] = "https://node2.example.org/?x=1"; break;
            case "node-unknown-member": nodes[0]!["url"] = "http://x"; break;
            case "party-name-too-long": p0["name"] = new string('a', 64); break;
            case "party-name-leading-dash": p1["name"] = "-beta"; break;
            case "party-name-duplicate": p1["name"] = "acme"; break;
            case "party-address-short": p0["address"] = "0x1234"; break;
            case "party-address-bad-checksum": p0["address"] = FlipCase(Acme.ToString()); break;
            case "party-address-zero": p1["address"] = Address.Zero.ToLowerHex(); break;
            case "party-address-duplicate": p1["address"] = Acme.ToString(); break;
            case "party-address-is-node": p0["address"] = Node2.ToLowerHex(); break;
            case "node-address-duplicate": nodes[1]!["address"] = Node1.ToString(); break;
            case "party-node-unknown": p1["node"] = Acme.ToString(); break;
            case "party-role-unknown": p0["roles"] = new JsonArray("manufacturer", "boss"); break;
            case "party-role-duplicate": p1["roles"] = new JsonArray("wholesaler", "wholesaler"); break;
            case "party-roles-missing": p0.Remove("roles"); break;
            case "party-gln-check-digit": p1["glns"] = new JsonArray("0614141000013"); break;
            case "party-gln-length": p0["glns"] = new JsonArray("061414100000"); break;
            case "party-gln-letter": p0["glns"] = new JsonArray("06141410000A5"); break;
            case "party-gln-number": p0["glns"] = new JsonArray(614141000005L); break;
            case "party-gln-two-owners": p1["glns"] = new JsonArray("0614141000005"); break;
            case "party-gln-twice": p0["glns"] = new JsonArray("0614141000005", "0614141000005"); break;
            case "party-prefix-short": p0["companyPrefixes"] = new JsonArray("061"); break;
            case "party-prefix-long": p0["companyPrefixes"] = new JsonArray("0614141000000"); break;
            case "party-prefix-two-owners": p1["companyPrefixes"] = new JsonArray("0614141"); break;
            case "party-prefix-overlap": p1["companyPrefixes"] = new JsonArray("06141415"); break;
            case "party-gtin-check-digit": p1["delegatedGtins"] = new JsonArray("00614141123453"); break;
            case "party-gtin-length": p1["delegatedGtins"] = new JsonArray("0614141123452"); break;
            case "party-gtin-twice": p1["delegatedGtins"] = new JsonArray("00614141123452", "00614141123452"); break;
            case "party-unknown-member": p0["gln"] = new JsonArray(); break;
            case "root-unknown-member": n["partys"] = new JsonArray(); break;
            case "root-duplicate-member": return Canonical.Replace("\"name\": \"devnet\",", "\"name\": \"devnet\", \"name\": \"other\",", StringComparison.Ordinal);
            case "not-json": return Canonical[..^5];
            case "root-array": return "[" + Canonical + "]";
            default: throw new ArgumentException(name);
        }
        return n.ToJsonString();
    }

    private static string FlipCase(string eip55)
    {
        // Swap the case of the first letter: mixed case that no longer matches the checksum.
        var i = 2;
        while (!char.IsAsciiLetter(eip55[i]))
            i++;
        var c = eip55[i];
        return string.Concat(eip55.AsSpan(0, i), char.IsUpper(c) ? char.ToLowerInvariant(c).ToString() : char.ToUpperInvariant(c).ToString(), eip55.AsSpan(i + 1));
    }

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Parse_BrokenFile_ThrowsNamingFieldAndRule(string @case, string field, string rule)
    {
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(Broken(@case)));
        Assert.Equal((field, rule), (e.Field, e.Rule));
        Assert.StartsWith(field + ": ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"[{rule}]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadGlnCheckDigit_MessageGivesExpectedDigit()
    {
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Parse(Broken("party-gln-check-digit")));
        Assert.Contains("check digit is 3, expected 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UndefinedRoleFlag_ThrowsRole()
    {
        var d = ConsortiumFile.Parse(Canonical);
        var bad = d with { Parties = [d.Parties[0] with { Roles = (PartyRoles)16 }, d.Parties[1]] };
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumFile.Serialize(bad));
        Assert.Equal(("parties[0].roles", "role"), (e.Field, e.Rule));
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_dir.FullName, ConsortiumFile.FileName);
        var d = ConsortiumFile.Parse(Canonical);
        ConsortiumStore.Save(path, d);
        ConsortiumStore.Save(path, d with { Version = 4 });
        Assert.Equal(4, ConsortiumStore.Load(path).Version);
        Assert.Equal(Canonical.Replace("\"version\": 3", "\"version\": 4", StringComparison.Ordinal), File.ReadAllText(path));
        Assert.Equal([ConsortiumFile.FileName], _dir.GetFiles().Select(f => f.Name));
    }

    [Fact]
    public void Save_InvalidDefinition_WritesNothing()
    {
        var path = Path.Combine(_dir.FullName, ConsortiumFile.FileName);
        var d = ConsortiumFile.Parse(Canonical);
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumStore.Save(path, d with { Version = 0 }));
        Assert.Equal(("version", "range"), (e.Field, e.Rule));
        Assert.Empty(_dir.GetFiles());
    }

    [Fact]
    public void Load_MissingFile_ThrowsMissing()
    {
        var e = Assert.Throws<ConsortiumFormatException>(() => ConsortiumStore.Load(Path.Combine(_dir.FullName, "absent.json")));
        Assert.Equal(("file", "missing"), (e.Field, e.Rule));
    }

    // ---- property: Parse ∘ Serialize is the identity on valid definitions, and Serialize is stable ----

    private static Gen<string> Chars(string alphabet, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), n)).Select(a => new string(a));

    private static Gen<string> Name(int index) =>
        from head in Chars("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1)
        from tail in Chars("abcdefghijklmnopqrstuvwxyz0123456789_-", 0, 20)
        select $"{head}{tail}{index}";

    private static Gen<Address> AddressGen(byte tag) =>
        Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 19).Select(rest => new Address([tag, .. rest]));

    private static Gen<string> WithCheckDigit(string lead, int length) =>
        Chars("0123456789", length - 1 - lead.Length, length - 1 - lead.Length).Select(d => lead + d + CheckDigit.Compute(lead + d));

    private static Gen<string[]> Several(int max, Func<int, Gen<string>> item) =>
        Gen.Choose(0, max).SelectMany(n => Sequence(n, item));

    private static Gen<ConsortiumNode> NodeGen(int i) =>
        from name in Name(i)
        from address in AddressGen((byte)(1 + i))
        from endpoint in Gen.Elements("", "http://127.0.0.1:8080", $"https://node{i}.example.org/ledger")
        from cluster in Gen.Elements("", $"127.0.0.{i + 1}:4053", $"node{i}.example.org:{4053 + i}", $"[2001:db8::{i + 1}]:4053")
        from fingerprint in Gen.OneOf(Gen.Constant(""), Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 32).Select(b => Convert.ToHexStringLower(b)))
        select new ConsortiumNode(name, address, endpoint) { Cluster = cluster, TlsFingerprint = fingerprint };

    private static Gen<Party> PartyGen(int i, IReadOnlyList<ConsortiumNode> nodes) =>
        from name in Name(i)
        from address in AddressGen((byte)(0x80 + i))
        from roles in Gen.Choose(0, 15)
        from glns in Several(3, j => WithCheckDigit($"{i:D2}{j}", 13))
        from prefixes in Several(2, j => Chars("0123456789", 0, 8).Select(s => $"{100 + i}{j}{s}"))
        from gtins in Several(2, j => WithCheckDigit($"{j}", 14))
        from node in Gen.Elements(nodes.ToArray())
        select new Party(name, address, (PartyRoles)roles, glns, prefixes, gtins, node.Address);

    private static Gen<T[]> Sequence<T>(int count, Func<int, Gen<T>> item) =>
        Enumerable.Range(0, count).Select(item).Aggregate(Gen.Constant(Array.Empty<T>()), (acc, g) => acc.SelectMany(a => g.Select(x => (T[])[.. a, x])));

    private static readonly Gen<ConsortiumDefinition> Definitions =
        from nodeCount in Gen.Choose(1, 4)
        from nodes in Sequence(nodeCount, NodeGen)
        from partyCount in Gen.Choose(0, 6)
        from parties in Sequence(partyCount, i => PartyGen(i, nodes))
        from name in Chars("abcdefghij -é", 1, 12)
        from version in Gen.Choose(1, int.MaxValue)
        select new ConsortiumDefinition(name.Trim().Length == 0 ? "x" : name, version, nodes, parties);

    [Fact]
    public void ParseOfSerialize_GeneratedDefinitions_IsIdentity()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(Definitions.ToArbitrary(), d =>
        {
            var text = ConsortiumFile.Serialize(d);
            var back = ConsortiumFile.Parse(text);
            Assert.Equal(d.Name, back.Name);
            Assert.Equal(d.Version, back.Version);
            Assert.Equal(d.Nodes, back.Nodes);
            Assert.Equal(d.Parties.Count, back.Parties.Count);
            for (var i = 0; i < d.Parties.Count; i++)
            {
                var (a, b) = (d.Parties[i], back.Parties[i]);
                Assert.Equal((a.Name, a.Address, a.Roles, a.Node), (b.Name, b.Address, b.Roles, b.Node));
                Assert.Equal(a.Glns, b.Glns);
                Assert.Equal(a.CompanyPrefixes, b.CompanyPrefixes);
                Assert.Equal(a.DelegatedGtins, b.DelegatedGtins);
            }
            Assert.Equal(text, ConsortiumFile.Serialize(back));
        }));
    }
}
