using System.Globalization;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;

namespace Ledger.Devnet.Story;

/// <summary>One lot of the story: its number, its packs (by case) and the pallet its cases go onto.</summary>
/// <param name="Index">1 or 2.</param>
/// <param name="Number">The lot number (GS1 AI 10).</param>
/// <param name="Cases">Each case's SSCC with the serials packed into it, in order.</param>
/// <param name="Pallet">The SSCC of the lot's pallet.</param>
public sealed record StoryLot(int Index, string Number, IReadOnlyList<StoryCase> Cases, ItemId Pallet)
{
    /// <summary>Every serial of the lot, in order.</summary>
    public IEnumerable<string> Serials => Cases.SelectMany(c => c.Serials);

    /// <summary>The number of packs.</summary>
    public int PackCount => Cases.Sum(c => c.Serials.Count);
}

/// <summary>A case (an SSCC under acme-pharma's prefix) and the serials of the packs in it.</summary>
public sealed record StoryCase(ItemId Item, IReadOnlyList<string> Serials);

/// <summary>
/// The identifiers of the demo story, a pure function of its size: one product of acme-pharma (company prefix 0614141),
/// two lots, cases of <see cref="CaseSize"/> packs and one SSCC pallet per lot. Pack serials are the lot's index followed
/// by six digits (lot 1: 1000001, 1000002, …); case SSCCs have the serial reference lot·10⁸ + case number, pallets
/// 9·10⁸ + lot.
/// </summary>
public sealed class StoryPlan
{
    /// <summary>acme-pharma's GS1 company prefix.</summary>
    public const string CompanyPrefix = "0614141";

    /// <summary>The story's product: GTIN 0 0614141 02000 3.</summary>
    public const string Gtin = "00614141020003";

    /// <summary>The expiry of both lots (YYMMDD, 2029-11-30).</summary>
    public const string Expiry = "291130";

    /// <summary>Packs per case (the last case of a lot may hold fewer).</summary>
    public const int CaseSize = 50;

    /// <summary>The fewest and most packs the story takes (two lots; a lot's serials have six digits).</summary>
    public const int MinPacks = 4, MaxPacks = 200_000;

    /// <summary>The default size: two lots of 5,000 packs.</summary>
    public const int DefaultPacks = 10_000;

    /// <summary>The serial the counterfeit pack carries: never commissioned.</summary>
    public const string CounterfeitSerial = "999999";

    /// <summary>Builds the plan for <paramref name="packs"/> packs (an even number from 4 to 200,000).</summary>
    /// <exception cref="DevnetInputException">Field <c>--packs</c>, rule <c>range</c>.</exception>
    public StoryPlan(int packs)
    {
        if (packs < MinPacks || packs > MaxPacks || packs % 2 != 0)
            throw new DevnetInputException("--packs", $"{packs} is not an even number from {MinPacks} to {MaxPacks:N0} (two lots of equal size)", "range");
        Packs = packs;
        Lots = [MakeLot(1, "LOT-2611A", packs / 2), MakeLot(2, "LOT-2611B", packs / 2)];
    }

    /// <summary>The total number of packs.</summary>
    public int Packs { get; }

    /// <summary>The two lots; the second is the one that is recalled.</summary>
    public IReadOnlyList<StoryLot> Lots { get; }

    /// <summary>The lot that stays genuine.</summary>
    public StoryLot GenuineLot => Lots[0];

    /// <summary>The lot that is recalled.</summary>
    public StoryLot RecalledLot => Lots[1];

    /// <summary>The pallet whose cold-chain excursion is recorded (the genuine lot's).</summary>
    public ItemId ExcursionPallet => GenuineLot.Pallet;

    /// <summary>The packs dispensed from a case at the pharmacy: its first tenth, at least one.</summary>
    public static IReadOnlyList<string> Dispensed(StoryCase @case) => [.. @case.Serials.Take(Math.Max(1, @case.Serials.Count / 10))];

    /// <summary>A genuine pack the pharmacy dispensed (the first of the genuine lot's first case).</summary>
    public ItemId DispensedPack => Pack(GenuineLot.Cases[0].Serials[0]);

    /// <summary>A genuine pack on the pharmacy's shelf: the first of the genuine lot's first case that was not dispensed.</summary>
    public ItemId ActivePack => Pack(GenuineLot.Cases[0].Serials[Dispensed(GenuineLot.Cases[0]).Count]);

    /// <summary>A pack of the recalled lot that was not dispensed.</summary>
    public ItemId RecalledPack => Pack(RecalledLot.Cases[0].Serials[Dispensed(RecalledLot.Cases[0]).Count]);

    /// <summary>A pack of the story's product.</summary>
    public static ItemId Pack(string serial) => ItemId.Sgtin(Gtin, serial);

    /// <summary>The counterfeit pack (a serial acme-pharma never commissioned).</summary>
    public static ItemId Counterfeit => Pack(CounterfeitSerial);

    /// <summary>An SSCC under acme-pharma's prefix: extension digit 0, a nine-digit serial reference, the check digit.</summary>
    public static ItemId Sscc(long serialReference)
    {
        var body = "0" + CompanyPrefix + serialReference.ToString("D9", CultureInfo.InvariantCulture);
        return ItemId.Sscc(body + CheckDigit.Compute(body));
    }

    private static StoryLot MakeLot(int index, string number, int packs)
    {
        var cases = new List<StoryCase>();
        for (var first = 0; first < packs; first += CaseSize)
        {
            var serials = Enumerable.Range(first + 1, Math.Min(CaseSize, packs - first))
                .Select(n => index.ToString(CultureInfo.InvariantCulture) + n.ToString("D6", CultureInfo.InvariantCulture))
                .ToList();
            cases.Add(new StoryCase(Sscc(index * 100_000_000L + cases.Count + 1), serials));
        }
        return new StoryLot(index, number, cases, Sscc(900_000_000L + index));
    }
}
