// The custody sample: against a running node, a manufacturer commissions a lot, packs it into a case and ships the case
// to a dispenser, which receives it, unpacks it, dispenses one pack and verifies that pack (GS1 LVM + provenance).
// Usage: Ledger.Samples.Custody <node-url> <manufacturer-key-file> <dispenser-key-file>
//    or: LEDGER_NODE, LEDGER_MANUFACTURER_KEY, LEDGER_DISPENSER_KEY in the environment.
// Both parties sign their requests with their keys (no API token needed); see the SDK README.
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;
using Ledger.Sdk.Client;

var nodeText = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("LEDGER_NODE");
var makerKeyFile = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("LEDGER_MANUFACTURER_KEY");
var dispenserKeyFile = args.Length > 2 ? args[2] : Environment.GetEnvironmentVariable("LEDGER_DISPENSER_KEY");
if (nodeText is null || makerKeyFile is null || dispenserKeyFile is null || !Uri.TryCreate(nodeText, UriKind.Absolute, out var node))
{
    Console.Error.WriteLine("usage: Ledger.Samples.Custody <node-url> <manufacturer-key-file> <dispenser-key-file>");
    return 2;
}

try
{
    // <quickstart>
    using var maker = new LedgerClient(new LedgerClientOptions { Node = node, PrivateKey = PartyKeyFile.Load(makerKeyFile) });
    using var dispenser = new LedgerClient(new LedgerClientOptions { Node = node, PrivateKey = PartyKeyFile.Load(dispenserKeyFile) });

    // Who is who: the consortium names each party's GLNs and GS1 company prefixes.
    var consortium = await maker.GetConsortiumAsync();
    var makerParty = consortium.Parties.Single(p => p.Address == maker.PrivateKey!.Address);
    var dispenserParty = consortium.Parties.Single(p => p.Address == dispenser.PrivateKey!.Address);
    var site = makerParty.Glns[0];
    var pharmacy = dispenserParty.Glns[0];

    // 1. Commission a lot of two packs and pack them into a case (one batch: the pack record depends on the commissioning).
    var gtin = Gtin14(makerParty.CompanyPrefixes[0]);
    var serials = new[] { NewSerial(), NewSerial() };
    var packs = serials.Select(s => ItemId.Sgtin(gtin, s)).ToList();
    var @case = NewSscc(makerParty.CompanyPrefixes[0]);
    var made = await new RecordBatchBuilder(maker)
        .Commission(gtin, "LOT42", "291231", site, serials)
        .Pack(@case, packs, site)
        .SubmitAsync();
    Console.WriteLine($"commissioned {packs[0]} and {packs[1]}, packed into {@case}: block {made.Block}");

    // 2. Ship the case to the dispenser.
    var shipped = await new RecordBatchBuilder(maker).Ship([@case], site, dispenserParty.Address, pharmacy).SubmitAsync();
    var shipId = shipped.Outcomes[0].RecordIds[0];
    Console.WriteLine($"shipped {@case} to {dispenserParty.Name}: record {shipId}, block {shipped.Block}");

    // 3. The dispenser receives the case, unpacks it and dispenses one pack.
    var received = await new RecordBatchBuilder(dispenser)
        .Receive(shipId, [@case], pharmacy)
        .Unpack(@case, packs, pharmacy)
        .Decommission([packs[0]], DecommissionState.Supplied, pharmacy)
        .SubmitAsync();
    Console.WriteLine($"received, unpacked and dispensed {packs[0]}: block {received.Block}");

    // 4. Wait until the dispensing is in a certified block.
    var certified = await dispenser.WaitForCertificationAsync(received.Outcomes[^1].RecordIds[0]);
    Console.WriteLine($"certified at height {certified.Height} by {certified.Header.Certificate!.Cosignatures.Count} node(s)");

    // 5. Verify the other pack the GS1 LVM way, and read the dispensed pack's provenance.
    var verification = await dispenser.VerifyProductAsync($"(01){gtin}(21){serials[1]}", "dscsaSaleableReturn", pharmacy);
    Console.WriteLine($"verify {packs[1]}: verified={verification.Verified.ToString().ToLowerInvariant()}");
    var provenance = await dispenser.GetProvenanceJsonAsync($"(01){gtin}(21){serials[0]}");
    using var document = JsonDocument.Parse(provenance);
    Console.WriteLine($"provenance of {packs[0]}: {document.RootElement.GetProperty("records").GetArrayLength()} records, status {document.RootElement.GetProperty("state").GetProperty("status").GetString()}");
    // </quickstart>
    return 0;
}
catch (LedgerRequestException e)
{
    Console.Error.WriteLine($"the node refused: {e.Message}");
    return 1;
}
catch (Exception e) when (e is HttpRequestException or IOException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

static string NewSerial() => "P" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5));

// A GTIN-14 of the company prefix: indicator 0, prefix, item reference 1 padded to 12 digits, check digit.
static string Gtin14(string prefix)
{
    var body = "0" + prefix + "1".PadLeft(12 - prefix.Length, '0');
    return body + CheckDigit.Compute(body);
}

// An SSCC of the company prefix: extension 0, prefix, a random serial reference, check digit.
static ItemId NewSscc(string prefix)
{
    var reference = RandomNumberGenerator.GetInt32(0, int.MaxValue).ToString(CultureInfo.InvariantCulture).PadLeft(16 - prefix.Length, '0')[..(16 - prefix.Length)];
    var body = "0" + prefix + reference;
    return ItemId.Sscc(body + CheckDigit.Compute(body));
}
