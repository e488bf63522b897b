using System.CommandLine;
using System.Text;
using Ledger.Protocol.Epcis;
using Ledger.Protocol.Epcis.Hashing;

namespace Ledger.Cli.Commands;

/// <summary>
/// <c>ledger epcis hash &lt;file&gt;</c>: one CBV 2.0 event hash ID per line, in document order.
/// <c>ledger epcis convert &lt;file&gt; --to jsonld|xml|xml12</c>: the document in another binding on stdout.
/// The input binding (JSON-LD, EPCIS 2.0 XML, EPCIS 1.x XML) is detected. Invalid input: exit 2 and one stderr line
/// naming the field and the rule.
/// </summary>
public static class EpcisCommands
{
    public static Command Create()
    {
        var epcis = new Command("epcis", "EPCIS documents: event hash IDs and conversion between JSON-LD, 2.0 XML and 1.2 XML");
        epcis.Subcommands.Add(HashCommand());
        epcis.Subcommands.Add(ConvertCommand());
        epcis.Subcommands.Add(EpcisCaptureCommand.Create());
        return epcis;
    }

    private static Option<bool> LenientOption() => new("--lenient-order")
    {
        Description = "accept EPCIS 2.0 XML events whose elements are out of XSD order",
    };

    private static Command HashCommand()
    {
        var input = new Argument<string>("file") { Description = "EPCIS document (JSON-LD, 2.0 XML or 1.x XML)" };
        var lenient = LenientOption();
        var cmd = new Command("hash", "print the EPCIS event hash ID (ni:///sha-256;…?ver=CBV2.0) of each event, one per line") { input, lenient };
        cmd.SetAction(parse => Run(() =>
        {
            var doc = Read(parse.GetValue(input)!, parse.GetValue(lenient));
            var sb = new StringBuilder();
            foreach (var h in EpcisEventHash.ComputeAll(doc))
                sb.Append(h).Append('\n');
            WriteStdout(sb.ToString());
        }));
        return cmd;
    }

    private static Command ConvertCommand()
    {
        var input = new Argument<string>("file") { Description = "EPCIS document (JSON-LD, 2.0 XML or 1.x XML)" };
        var to = new Option<string>("--to") { Description = "target binding: jsonld, xml (EPCIS 2.0) or xml12 (EPCIS 1.2)", Required = true };
        var lenient = LenientOption();
        var cmd = new Command("convert", "write the document in another binding to stdout") { input, to, lenient };
        cmd.SetAction(parse => Run(() =>
        {
            var target = parse.GetValue(to) switch
            {
                "jsonld" => EpcisBinding.JsonLd,
                "xml" => EpcisBinding.Xml20,
                "xml12" => EpcisBinding.Xml1,
                var other => throw new EpcisFormatException("--to", "enum", $"'{other}' is not one of jsonld, xml, xml12"),
            };
            var doc = Read(parse.GetValue(input)!, parse.GetValue(lenient));
            WriteStdout(EpcisWriter.Write(doc, target));
        }));
        return cmd;
    }

    private static EpcisDocument Read(string path, bool lenient)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new EpcisFormatException("file", "readable", $"cannot read '{path}': {ex.Message}");
        }
        return EpcisReader.Read(text, lenient ? EpcisReadOptions.LenientXmlOrder : EpcisReadOptions.Strict);
    }

    private static int Run(Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (EpcisFormatException ex)
        {
            return Fail(ex.Message);
        }
        catch (EpcisUnsupportedFeatureException ex)
        {
            return Fail(ex.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message.ReplaceLineEndings(" "));
        return ExitCodes.InvalidInput;
    }

    private static void WriteStdout(string text)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(Encoding.UTF8.GetBytes(text));
        stdout.Flush();
    }
}
