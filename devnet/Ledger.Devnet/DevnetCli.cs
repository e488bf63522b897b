using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Ledger.Devnet.Story;

namespace Ledger.Devnet;

/// <summary>
/// <c>ledger-devnet</c>: the devnet's own commands. <c>story</c> loads the demo story into a running devnet. Exit 0 when
/// done (or already done), 1 when the devnet refused or did not answer in time, 2 for bad input; progress on stderr,
/// the identifiers worth searching on stdout.
/// </summary>
public static class DevnetCli
{
    /// <summary>Exit codes.</summary>
    public const int Ok = 0, Failed = 1, InvalidInput = 2;

    /// <summary>Parses and runs <paramref name="args"/>, writing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("The devnet's own tool (devnet/README.md).") { CreateStory(output, error) };
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
        {
            await error.WriteLineAsync($"{parsed.CommandResult.Command.Name}: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see --help)").ConfigureAwait(false);
            return InvalidInput;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    private static Command CreateStory(TextWriter output, TextWriter error)
    {
        var devnet = new Option<string>("--devnet")
        {
            Description = "The devnet's data folder, holding devnet.json (default: $LEDGER_DEVNET_DIR, else .data/devnet)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("LEDGER_DEVNET_DIR") is { Length: > 0 } d ? d : Path.Combine(".data", "devnet"),
        };
        var packs = new Option<int>("--packs")
        {
            Description = $"Packs in the story, two lots of half each (an even number from {StoryPlan.MinPacks} to {StoryPlan.MaxPacks:N0}; default {StoryPlan.DefaultPacks:N0})",
            DefaultValueFactory = _ => StoryPlan.DefaultPacks,
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds each stage may wait for its records to be certified (default 120)",
            DefaultValueFactory = _ => 120,
        };
        var story = new Command("story",
            "Load the demo story into the running devnet, each party through the node that hosts it: two lots commissioned, packed into cases and SSCC pallets, " +
            "shipped and received twice (maker -> wholesaler -> pharmacy), unpacked, partly dispensed, one lot recalled, a counterfeit scanned, a cold-chain excursion. " +
            "Skipped when already loaded; prints identifiers worth searching.")
        {
            devnet, packs, timeout,
        };
        story.SetAction((parse, cancellationToken) => StoryAsync(parse.GetValue(devnet)!, parse.GetValue(packs), parse.GetValue(timeout), output, error, cancellationToken));
        return story;
    }

    private static async Task<int> StoryAsync(string folder, int packs, int timeoutSeconds, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            if (timeoutSeconds is < 1 or > 3600)
                throw new DevnetInputException("--timeout", $"{timeoutSeconds} is not from 1 to 3600 seconds", "range");
            var plan = new StoryPlan(packs);
            var devnet = DevnetDirectory.Load(folder);
            var clock = Stopwatch.StartNew();
            var script = StoryScript.Make(plan, devnet.Consortium);
            var loader = new StoryLoader(devnet, new StoryLoadOptions(TimeSpan.FromSeconds(timeoutSeconds), TimeSpan.FromMilliseconds(200)), error);
            var result = await loader.LoadAsync(script, cancellationToken).ConfigureAwait(false);
            if (!result.AlreadyLoaded)
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"story: loaded in {clock.Elapsed.TotalSeconds:F1} s: {result.Accepted:N0} records written, {result.Duplicates:N0} already on the ledger")).ConfigureAwait(false);
            StoryReport.Write(script, devnet.Explorer, output);
            return Ok;
        }
        catch (DevnetInputException e)
        {
            await error.WriteLineAsync("story: " + e.Message).ConfigureAwait(false);
            return InvalidInput;
        }
        catch (StoryFailedException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return Failed;
        }
    }
}
