using System.CommandLine;
using System.Text.Json;
using Ledger.Node;
using Ledger.Protocol.Crypto;

namespace Ledger.Cli.Commands;

/// <summary>
/// Key verbs: <c>ledger keygen --out FILE [--force]</c> writes a new secp256k1 party key (mode 0600) and prints
/// {"address","keyFile"}; <c>ledger keygen show --key-file FILE</c> prints the address of an existing key file.
/// </summary>
public static class KeyCommands
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Key file to create (mode 0600).", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists." };
        var keygen = new Command("keygen", "Generate a new secp256k1 party key and write it to a key file.") { output, force };
        keygen.SetAction(parseResult => Generate(parseResult.GetValue(output)!, parseResult.GetValue(force)));

        var keyFile = new Option<string>("--key-file") { Description = "Key file to read.", Required = true };
        var show = new Command("show", "Print the address of a key file.") { keyFile };
        show.SetAction(parseResult => Show(parseResult.GetValue(keyFile)!));
        keygen.Subcommands.Add(show);
        return keygen;
    }

    private static int Generate(string path, bool overwrite)
    {
        var key = PrivateKey.Generate();
        try
        {
            KeyFile.Save(path, key, overwrite);
        }
        catch (KeyFileException e)
        {
            Console.Error.WriteLine($"--out: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["address"] = key.Address.ToString(),
            ["keyFile"] = Path.GetFullPath(path),
        }));
        return ExitCodes.Ok;
    }

    private static int Show(string path)
    {
        PrivateKey key;
        try
        {
            key = KeyFile.Load(path, Console.Error);
        }
        catch (KeyFileException e)
        {
            Console.Error.WriteLine(e.Field == "keyFile" ? $"--key-file: {e.Message}" : $"--key-file: {e.Field}: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["address"] = key.Address.ToString(),
            ["keyFile"] = Path.GetFullPath(path),
        }));
        return ExitCodes.Ok;
    }
}
