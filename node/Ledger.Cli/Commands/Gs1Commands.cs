using System.CommandLine;
using Ledger.Node;
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
        Gs1IdentifierJson result;
        try
        {
            // The library reads no clock; the CLI resolves the expiry century against the current UTC year.
            result = Gs1IdentifierJson.Create(Gs1Identifier.Parse(input), gcpLength, DateTime.UtcNow.Year, "--gcp-length");
        }
        catch (Gs1FormatException ex)
        {
            Console.Error.WriteLine(OneLine(ex.Message));
            return ExitCodes.InvalidInput;
        }

        using var stdout = Console.OpenStandardOutput();
        result.WriteTo(stdout, indented: true);
        stdout.WriteByte((byte)'\n');
        return ExitCodes.Ok;
    }


    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
