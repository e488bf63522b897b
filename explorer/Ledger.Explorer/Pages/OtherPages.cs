using Ledger.Protocol;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Records;

namespace Ledger.Explorer.Pages;

/// <summary>Party, location, block, record (inclusion proof) and alerts pages.</summary>
internal static class OtherPages
{
    private static string LocationOf(RecordPayload p) => p switch
    {
        CommissionPayload c => c.Site,
        ContainerPayload c => c.Location,
        ShipPayload s => s.From,
        ReceivePayload r => r.Location,
        VerifyPayload v => v.Location ?? "",
        DecommissionPayload d => d.Location,
        ReactivatePayload r => r.Location,
        ObservationPayload o => o.Location,
        _ => "",
    };

    private static HtmlText Records(Texts t, NodeGateway g, IEnumerable<IndexedRecord> records) => Layout.Table(t["records.caption"],
        [t["col.when"], t["col.kind"], t["col.who"], t["col.where"], t["col.block"], t["col.record"]],
        records.OrderByDescending(r => r.Record.TimeMs).Take(100).Select(r => (IEnumerable<HtmlText>)[
            Html.Text(Layout.Time(DateTimeOffset.FromUnixTimeMilliseconds(r.Record.TimeMs))), Html.Text(r.Record.Kind.ToString()),
            Html.Text(g.PartyOf(r.Record.Author)?.Name ?? r.Record.Author.ToString()), Html.Text(LocationOf(r.Record.Payload)),
            Html.Of($"<a href=\"/block/{r.Lane}/{r.Height}\">{r.Height}</a>"), Html.Of($"<a href=\"/record/{r.Record.Id}\"><code>{r.Record.Id.ToString()[..12]}…</code></a>")]));

    public static async Task<IResult> PartyAsync(string address, Texts t, NodeGateway g, CancellationToken ct)
    {
        if (!Address.TryParse(address, out var a))
            return Layout.Page(t, t["search.title"], Layout.Problem(t, "address", "address", t["party.bad"]), 400);
        var p = g.PartyOf(a);
        if (p is null)
            return Layout.Page(t, t["party.title", address], Html.Of($"<p role=\"alert\">{t["party.unknown"]}</p>"), 404);
        var (records, problems) = await g.IndexAsync(ct).ConfigureAwait(false);
        var body = Html.Of($"""
            <dl class="facts"><dt>{t["col.name"]}</dt><dd>{p.Name}</dd><dt>{t["col.address"]}</dt><dd><code>{p.Address}</code></dd>
            <dt>{t["col.roles"]}</dt><dd>{string.Join(", ", ConsortiumFile.RoleNamesOf(p.Roles))}</dd><dt>{t["col.glns"]}</dt><dd>{Html.Join(p.Glns.Select(x => Html.Of($"<a href=\"/location/{x}\">{x}</a> ")))}</dd>
            <dt>{t["col.prefixes"]}</dt><dd>{string.Join(", ", p.CompanyPrefixes)}</dd><dt>{t["col.node"]}</dt><dd>{g.NodeOf(p.Node)?.Name ?? p.Node.ToString()}</dd></dl>
            <section aria-labelledby="act-h"><h2 id="act-h">{t["party.activity"]}</h2><p class="note">{t["index.note"]} {string.Join("; ", problems)}</p>
            {Records(t, g, records.Where(r => r.Record.Author == a))}</section>
            """);
        return Layout.Page(t, t["party.title", p.Name], body);
    }

    public static async Task<IResult> LocationAsync(string gln, Texts t, NodeGateway g, CancellationToken ct)
    {
        try
        {
            Ledger.Protocol.Gs1.Gln.Parse(gln);
        }
        catch (Ledger.Protocol.Gs1.Gs1FormatException e)
        {
            return Layout.Page(t, t["search.title"], Layout.Problem(t, e.Field, e.Rule, e.Detail), 400);
        }
        var owner = g.PartyOfGln(gln);
        var (records, problems) = await g.IndexAsync(ct).ConfigureAwait(false);
        var body = Html.Of($"""
            <p>{(owner is null ? Html.Text(t["location.unknown"]) : Html.Of($"{t["location.owner"]} <a href=\"/party/{owner.Address}\">{owner.Name}</a>"))}</p>
            <section aria-labelledby="act-h"><h2 id="act-h">{t["location.activity"]}</h2><p class="note">{t["index.note"]} {string.Join("; ", problems)}</p>
            {Records(t, g, records.Where(r => LocationOf(r.Record.Payload) == gln || (r.Record.Payload is ShipPayload s && s.ToLocation == gln)))}</section>
            """);
        return Layout.Page(t, t["location.title", gln], body);
    }

    public static async Task<IResult> BlockAsync(string lane, long height, Texts t, NodeGateway g, CancellationToken ct)
    {
        if (!Address.TryParse(lane, out var laneAddress))
            return Layout.Page(t, t["search.title"], Layout.Problem(t, "lane", "address", t["party.bad"]), 400);
        var (block, node, errors) = await g.BlockAsync(laneAddress, height, ct).ConfigureAwait(false);
        if (block is null)
            return Layout.Page(t, t["block.title", height], Html.Of($"<p role=\"alert\">{t["block.none", string.Join("; ", errors)]}</p>"), 404);
        var h = block.SignedHeader.Header;
        var check = g.NodeOf(h.Lane) is null ? VerificationResult.Fail("lane-unknown", "not a consortium lane") : block.Verify();
        var body = Html.Of($"""
            <dl class="facts"><dt>{t["col.lane"]}</dt><dd>{g.NodeOf(h.Lane)?.Name} <code>{h.Lane}</code></dd><dt>{t["col.height"]}</dt><dd>{h.Height}</dd>
            <dt>{t["block.hash"]}</dt><dd><code>{h.Hash()}</code></dd><dt>{t["block.parent"]}</dt><dd>{(h.Height > 1 ? Html.Of($"<a href=\"/block/{h.Lane}/{h.Height - 1}\"><code>{h.Parent}</code></a>") : Html.Text(h.Parent.ToString()))}</dd>
            <dt>{t["col.when"]}</dt><dd>{Layout.Time(DateTimeOffset.FromUnixTimeMilliseconds(h.TimeMs))}</dd><dt>{t["block.logsize"]}</dt><dd>{h.LogSize}</dd>
            <dt>{t["block.check"]}</dt><dd><span class="{(check.IsValid ? "pass" : "fail")}">{(check.IsValid ? t["check.passed"] : t["check.failed"] + ": " + check)}</span></dd>
            <dt>{t["print.node"]}</dt><dd>{node}</dd></dl>
            <section aria-labelledby="br-h"><h2 id="br-h">{t["block.records", h.RecordCount]}</h2>{Layout.Table(t["records.caption"], [t["col.kind"], t["col.who"], t["col.when"], t["col.record"]],
                block.Batches.SelectMany(b => b.Records).Select(r => (IEnumerable<HtmlText>)[Html.Text(r.Kind.ToString()), Html.Text(g.PartyOf(r.Author)?.Name ?? r.Author.ToString()),
                    Html.Text(Layout.Time(DateTimeOffset.FromUnixTimeMilliseconds(r.TimeMs))), Html.Of($"<a href=\"/record/{r.Id}\"><code>{r.Id}</code></a>")]))}</section>
            """);
        return Layout.Page(t, t["block.title", height], body);
    }

    public static async Task<IResult> RecordAsync(string id, Texts t, NodeGateway g, CancellationToken ct)
    {
        if (!Hash32.TryParse(id, out var hash))
            return Layout.Page(t, t["search.title"], Layout.Problem(t, "id", "hash", t["record.bad"]), 400);
        var (proof, check) = await g.InclusionAsync(hash, ct).ConfigureAwait(false);
        var body = proof is null
            ? Html.Of($"<p role=\"alert\">{check}</p>")
            : Html.Of($"""
                <dl class="facts"><dt>{t["col.record"]}</dt><dd><code>{hash}</code></dd><dt>{t["col.block"]}</dt><dd><a href="/block/{proof.Header.Header.Header.Lane}/{proof.Height}">{proof.Height}</a></dd>
                <dt>{t["record.index"]}</dt><dd>{proof.LogIndex}</dd><dt>{t["record.treesize"]}</dt><dd>{proof.Proof.TreeSize}</dd>
                <dt>{t["record.path"]}</dt><dd>{Html.Join(proof.Proof.Path.Select(p => Html.Of($"<code>{p}</code><br>")))}</dd>
                <dt>{t["record.head"]}</dt><dd>{proof.Header.Height} <code>{proof.Header.Hash}</code></dd>
                <dt>{t["block.check"]}</dt><dd><span class="{(check.IsValid ? "pass" : "fail")}">{(check.IsValid ? t["record.proven"] : t["check.failed"] + ": " + check)}</span></dd></dl>
                """);
        return Layout.Page(t, t["record.title"], body, proof is null ? 404 : 200);
    }

    private static ItemId? ItemOf(string text)
    {
        try
        {
            return ItemId.Parse(text);
        }
        catch (RecordFormatException)
        {
            return null;
        }
    }

    public static async Task<IResult> AlertsAsync(Texts t, NodeGateway g, CancellationToken ct)
    {
        var (alerts, node) = await g.AlertsAsync(200, ct).ConfigureAwait(false);
        var body = Html.Of($"""
            <p class="note">{t["alerts.unsigned"]} {node?.ToString() ?? ""}</p>
            {Layout.Table(t["alerts.caption"], [t["col.when"], t["col.kind"], t["col.item"], t["col.who"], t["col.what"]],
                alerts.Select(a => (IEnumerable<HtmlText>)[Html.Text(Layout.Time(a.Time)), Html.Text(a.Kind),
                    a.Item is { } i && ItemOf(i) is { } item ? Html.Of($"<a href=\"{PassportPage.Path(item)}\">{i}</a>") : Html.Text(a.Item ?? "—"),
                    Html.Text(g.PartyOf(a.Author)?.Name ?? a.Author.ToString()), Html.Text(a.Evidence)]))}
            """);
        return Layout.Page(t, t["alerts.title"], body);
    }
}
