using Ledger.Protocol.Records;

namespace Ledger.Explorer.Pages;

/// <summary>
/// The lot view (a recall): every pack the verified blocks show commissioned in the lot, each with the status, custodian and
/// location its own provenance answer proves, and a summary by custodian and location.
/// </summary>
internal static class LotPage
{
    public const int MaxPacks = 500;

    public static async Task<IResult> RenderAsync(string gtin, string lot, Texts t, NodeGateway g, CancellationToken ct)
    {
        List<ItemId> packs;
        try
        {
            packs = await PacksAsync(g, gtin, lot, ct).ConfigureAwait(false);
        }
        catch (RecordFormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Message), 400);
        }
        var answers = new List<PassportAnswer>();
        using var gate = new SemaphoreSlim(4);
        answers.AddRange(await Task.WhenAll(packs.Take(MaxPacks).Select(async p =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await g.PassportAsync(p, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false));
        string Who(Ledger.Protocol.Crypto.Address? a) => a is { } x ? g.PartyOf(x)?.Name ?? x.ToString() : "—";
        var rows = answers.Select(a =>
        {
            var s = PassportPage.StatusOf(t, g, a);
            return (IEnumerable<HtmlText>)[Html.Of($"<a href=\"{PassportPage.Path(a.Item)}\">{a.Item}</a>"),
                Html.Of($"<span class=\"badge status-{s.Key}\">{t["status." + s.Key]}</span>"), Html.Text(Who(a.Proven?.Custodian)), Html.Text(a.Proven?.Location ?? "—"),
                Html.Text(s.Proven ? t["print.yes"] : t["print.no"])];
        });
        var groups = answers.GroupBy(a => (Custodian: Who(a.Proven?.Custodian), Location: a.Proven?.Location ?? "—", Status: t["status." + PassportPage.StatusOf(t, g, a).Key]))
            .OrderBy(x => x.Key.Custodian, StringComparer.Ordinal)
            .Select(x => (IEnumerable<HtmlText>)[Html.Text(x.Key.Custodian), Html.Text(x.Key.Location), Html.Text(x.Key.Status), Html.Text(x.Count().ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var recall = answers.Select(a => a.Document).OfType<Ledger.Sdk.Provenance.ProvenanceDocument>().SelectMany(d => d.LotRecords).Select(r => r.Record.Payload).OfType<RecallPayload>().LastOrDefault();
        var body = Html.Of($"""
            <p>{t["lot.intro", gtin, lot, packs.Count]}</p>
            {(recall is null ? HtmlText.Empty : Html.Of($"<p class=\"warning\" role=\"alert\">{t["lot.recalled", recall.Reason]}</p>"))}
            <p class="note">{t["lot.membership"]}</p>
            <p><a href="/evidence/lot/{gtin}/{Html.Url(lot)}">{t["evidence.lot.download"]}</a></p>
            {(packs.Count > MaxPacks ? Html.Of($"<p class=\"warning\">{t["lot.capped", MaxPacks]}</p>") : HtmlText.Empty)}
            <section aria-labelledby="where-h"><h2 id="where-h">{t["lot.where"]}</h2>{Layout.Table(t["lot.where.caption"], [t["col.custodian"], t["col.location"], t["col.state"], t["col.count"]], groups)}</section>
            <section aria-labelledby="packs-h"><h2 id="packs-h">{t["lot.packs"]}</h2>{Layout.Table(t["lot.packs.caption"], [t["col.pack"], t["col.state"], t["col.custodian"], t["col.location"], t["col.proven"]], rows)}</section>
            """);
        return Layout.Page(t, t["lot.title", gtin, lot], body);
    }

    public static async Task<List<ItemId>> PacksAsync(NodeGateway g, string gtin, string lot, CancellationToken ct)
    {
        var item = ItemId.Sgtin(gtin, "1", "gtin");
        var (records, _) = await g.IndexAsync(ct).ConfigureAwait(false);
        return [.. records.Select(r => r.Record.Payload).OfType<CommissionPayload>().Where(c => c.Gtin == item.Key && c.Lot == lot)
            .SelectMany(c => c.Items).Distinct().Order()];
    }
}
