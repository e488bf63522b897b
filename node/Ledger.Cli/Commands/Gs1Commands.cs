using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ledger.Protocol.Gs1;

namespace Ledger.Cli.Commands;

/// <summary>The <c>ledger gs1</c> verbs.</summary>
public static class Gs1Commands
{
    /// <summary>Builds <c>gs1</c> with its <c>parse</c> verb.</summary>
    public static Command Create()
    {
        var gs1 = new Command("gs1", "GS1 identifiers: parse and convert barcodes, element strings, Digital Link URIs and EPC URIs");
        gs1.Subcommands.Add(CreateParse());
        return gs1;
    }

    private static Command CreateParse()
    {
        var input = new Argument<string>("input")
        {
            Description = "Scan data (]d2…, ]Q3…, ]C1…), ^element string, (bracketed) AIs, GS1 Digital Link URI or urn:epc:id: URI",
        };
        var gcpLength = new Option<int?>("--gcp-length")
        {
            Description = "GS1 Company Prefix length (6-12), needed to write the EPC URI",
        };
        var parse = new Command("parse", "Parse any GS1 form (auto-detected) and print every form as JSON") { input, gcpLength };
        parse.SetAction(parseResult => Run(parseResult.GetValue(input) ?? "", parseResult.GetValue(gcpLength)));
        return parse;
    }

    private static int Run(string input, int? gcpLength)
    {
        string? expiry;
        Gs1Identifier id;
        try
        {
            id = Gs1Identifier.Parse(input);
            if (gcpLength is < 6 or > 12)
                throw new Gs1FormatException("--gcp-length", "gcp-length", $"must be 6 to 12, got {gcpLength}");
            // The library reads no clock; the CLI resolves the expiry century against the current UTC year.
            expiry = id.Expiry?.Resolve(DateTime.UtcNow.Year).ToString();
        }
        catch (Gs1FormatException ex)
        {
            Console.Error.WriteLine(OneLine(ex.Message));
            return ExitCodes.InvalidInput;
        }

        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("gtin", id.Gtin?.Value);
            json.WriteString("serial", id.Serial);
            json.WriteString("lot", id.Lot);
            json.WriteString("expiry", expiry);
            json.WriteString("sscc", id.Sscc?.Value);
            json.WriteString("gln", id.Gln?.Value);
            json.WriteString("digitalLink", Try(() => id.ToDigitalLink()));
            json.WriteString("epcUri", gcpLength is null && id.CompanyPrefixLength is null ? null : Try(() => id.ToEpcUri(gcpLength)));
            json.WriteString("elementString", id.ToRawElementString());
            json.WriteString("bracketed", id.ToBracketed());
            json.WriteString("symbology", id.Form == Gs1InputForm.ScanData ? id.Symbology.ToString() : null);
            json.WriteStartArray("ais");
            foreach (var e in id.Elements)
            {
                json.WriteStartObject();
                json.WriteString("ai", e.Ai);
                json.WriteString("title", e.Title);
                json.WriteString("value", e.Value);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
        return ExitCodes.Ok;
    }

    private static string? Try(Func<string> f)
    {
        try
        {
            return f();
        }
        catch (Gs1FormatException)
        {
            return null;
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
