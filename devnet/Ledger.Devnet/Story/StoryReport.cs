namespace Ledger.Devnet.Story;

/// <summary>The identifiers worth searching once the story is loaded, each with what it shows.</summary>
public static class StoryReport
{
    /// <summary>The lines, in the order a newcomer would look at them.</summary>
    public static IReadOnlyList<(string Identifier, string Shows)> Entries(StoryScript script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var plan = script.Plan;
        var a = script.CounterfeitAnswer;
        return
        [
            (StoryScript.ItemText(plan.DispensedPack), $"genuine, dispensed at {script.Pharmacy.Name} (lot {plan.GenuineLot.Number}): its whole journey from {script.Maker.Name}"),
            (StoryScript.ItemText(plan.ActivePack), $"genuine and active on {script.Pharmacy.Name}'s shelf (lot {plan.GenuineLot.Number})"),
            (StoryScript.ItemText(plan.RecalledPack), $"recalled: lot {plan.RecalledLot.Number} was recalled by {script.Regulator.Name}"),
            (StoryScript.ItemText(StoryPlan.Counterfeit), $"counterfeit: a serial {script.Maker.Name} never commissioned; {script.Pharmacy.Name}'s scan answered verified={(a.Verified ? "true" : "false")}{(a.FailureCode is { } f ? " " + f : "")}"),
            (StoryScript.ItemText(plan.ExcursionPallet), $"the SSCC pallet of lot {plan.GenuineLot.Number}, with the cold-chain excursion {script.Wholesaler.Name} recorded (up to {StoryScript.ExcursionReadings[^1]} °C)"),
            ($"(01){StoryPlan.Gtin}(10){plan.RecalledLot.Number}", $"the recalled lot ({plan.RecalledLot.PackCount:N0} packs)"),
        ];
    }

    /// <summary>Writes the entries as aligned lines under a heading naming the explorer.</summary>
    public static void Write(StoryScript script, string? explorer, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(explorer is null ? "search these:" : $"search these in the explorer ({explorer}):");
        var entries = Entries(script);
        var width = entries.Max(e => e.Identifier.Length);
        foreach (var (id, shows) in entries)
            output.WriteLine($"  {id.PadRight(width)}  {shows}");
    }
}
