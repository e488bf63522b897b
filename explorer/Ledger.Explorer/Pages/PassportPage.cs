using System.Globalization;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Ledger.Protocol.Records;
using Ledger.Sdk.Provenance;

namespace Ledger.Explorer.Pages;

/// <summary>The status a passport leads with: a key of the texts, its reason, and whether the verifier proved it.</summary>
internal sealed record PassportStatus(string Key, string Reason, bool Proven);

/// <summary>The product passport: status, custody timeline, packing, alerts, every verification check, custody graph.</summary>
internal static class PassportPage
{
    public static string Path(ItemId item) => item.Gtin is { } g ? $"/01/{g}/21/{Html.Url(item.Serial)}" : $"/00/{item.Key}";

    /// <summary>Status from the verified answer only: a failed verification is never shown as genuine.</summary>
    public static PassportStatus StatusOf(Texts t, NodeGateway g, PassportAnswer a)
    {
        if (a.Json is null)
            return new("suspect", t["reason.no-node", string.Join("; ", a.NodeErrors)], false);
        if (a.FormatError is { } fe)
            return new("suspect", t["reason.unreadable", fe.Field, fe.Rule, fe.Message], false);
        if (a.Report is { Passed: false } r)
            return new("suspect", t["reason.failed", r.FailureReason], false);
        var p = a.Proven!;
        var doc = a.Document!;
        if (!p.Known)
            return new("unknown", t["reason.unknown", p.Header?.Header.Height ?? 0], true);
        var state = doc.State!;
        string Who(Address? x) => x is { } ad ? g.PartyOf(ad)?.Name ?? ad.ToString() : "?";
        var last = doc.Records.Count > 0 ? doc.Records[^1].Record : null;
        switch (p.Status)
        {
            case ItemStatus.Active:
                return new("active", t["reason.active", Who(p.Custodian), p.Location], true);
            case ItemStatus.InTransit:
                return new("intransit", t["reason.intransit", Who(p.Custodian), state.InTransitTo is { } tr ? Who(tr.Party) : "?"], true);
            case ItemStatus.Supplied:
                return new("dispensed", t["reason.dispensed", Who(last?.Author), p.Location, last is null ? "" : Layout.Time(DateTimeOffset.FromUnixTimeMilliseconds(last.TimeMs))], true);
            case ItemStatus.Recalled:
            {
                var recall = doc.Records.Concat(doc.LotRecords).Select(x => x.Record).LastOrDefault(x => x.Payload is RecallPayload);
                return new("recalled", t["reason.recalled", Who(recall?.Author), (recall?.Payload as RecallPayload)?.Reason ?? "?"], true);
            }
            case ItemStatus.Withdrawn:
            {
                var w = doc.LotRecords.Concat(doc.ProductRecords).Select(x => x.Record).LastOrDefault(x => x.Payload is WithdrawPayload);
                return new("withdrawn", t["reason.withdrawn", Who(w?.Author), (w?.Payload as WithdrawPayload)?.Reason ?? "?"], true);
            }
            case ItemStatus.Expired:
                return new("expired", t["reason.expired", FormatExpiry(state.Expiry)], true);
            case ItemStatus.Locked:
                return new("suspect", t["reason.locked", Who(last?.Author)], true);
            default:
                return new("decommissioned", t["reason.decommissioned", p.Status?.ToString() ?? "?", Who(last?.Author), p.Location], true);
        }
    }

    public static string FormatExpiry(string? yymmdd) =>
        yymmdd is { Length: 6 } e ? $"20{e[..2]}-{e[2..4]}-{(e[4..] == "00" ? "end of month" : e[4..])}" : "?";

    public static HtmlText Render(Texts t, NodeGateway g, PassportAnswer a)
    {
        var status = StatusOf(t, g, a);
        var doc = a.Document;
        var passed = a.Report?.Passed == true;
        var parts = new List<HtmlText>
        {
            Html.Of($"""
                <section class="status status-{status.Key}" aria-labelledby="status-h">
                <h2 id="status-h"><span class="badge">{t["status." + status.Key]}</span></h2>
                <p class="reason">{status.Reason}</p>
                <p class="proven">{(status.Proven ? t["status.proven", Layout.Time(a.At)] : t["status.not-proven"])}</p>
                <p class="actions"><a href="{"/evidence" + Path(a.Item)}">{t["evidence.download"]}</a> · <a href="{"/print" + Path(a.Item)}">{t["evidence.print"]}</a></p>
                </section>
                """),
        };
        if (!passed && doc is not null)
            parts.Add(Html.Of($"<p class=\"warning\" role=\"alert\">{t["passport.unverified-warning"]}</p>"));
        if (doc?.State is { } s)
        {
            string Who(Address x) => g.PartyOf(x)?.Name is { } n ? $"{n} ({x})" : x.ToString();
            parts.Add(Html.Of($"""
                <section aria-labelledby="facts-h"><h2 id="facts-h">{t["passport.facts"]}</h2><dl class="facts">
                <dt>{t["passport.item"]}</dt><dd>{a.Item}</dd>
                <dt>{t["passport.gtin"]}</dt><dd>{s.Gtin ?? "—"}</dd>
                <dt>{t["passport.lot"]}</dt><dd>{(s.Gtin is { } gt && s.Lot is { } lt ? Html.Of($"<a href=\"/lot/{gt}/{Html.Url(lt)}\">{lt}</a>") : Html.Text("—"))}</dd>
                <dt>{t["passport.expiry"]}</dt><dd>{FormatExpiry(s.Expiry)}</dd>
                <dt>{t["passport.custodian"]}</dt><dd><a href="/party/{s.Custodian}">{Who(s.Custodian)}</a></dd>
                <dt>{t["passport.location"]}</dt><dd><a href="/location/{s.Location}">{s.Location}</a></dd>
                </dl></section>
                """));
            parts.Add(Html.Of($"""
                <section aria-labelledby="pack-h"><h2 id="pack-h">{t["passport.packing"]}</h2><ul class="tree">
                <li>{t["passport.parent"]}: {(s.Parent is { } par ? Html.Of($"<a href=\"{Path(par)}\">{par}</a>") : Html.Text(t["passport.none"]))}</li>
                <li>{t["passport.children", s.Children.Count]}<ul>{s.Children.Select(c => Html.Of($"<li><a href=\"{Path(c)}\">{c}</a></li>"))}</ul></li>
                </ul></section>
                """));
        }
        if (doc is not null)
        {
            parts.Add(Timeline(t, g, doc));
            parts.Add(Graph(t, g, doc));
            parts.Add(Alerts(t, g, doc.Unverified.Alerts));
        }
        parts.Add(Checks(t, a));
        return Html.Join(parts);
    }

    private static HtmlText Timeline(Texts t, NodeGateway g, ProvenanceDocument doc)
    {
        string Name(Address a) => g.PartyOf(a)?.Name ?? g.NodeOf(a)?.Name ?? a.ToString();
        var rows = doc.Records.Concat(doc.LotRecords).Concat(doc.ProductRecords).OrderBy(r => r.Record.TimeMs).Select(r =>
        {
            var rec = r.Record;
            var (where, what) = rec.Payload switch
            {
                CommissionPayload c => (c.Site, t["what.commission", c.Lot, FormatExpiry(c.Expiry)]),
                PackPayload p => (p.Location, t["what.pack", p.Parent, p.Children.Count]),
                UnpackPayload u => (u.Location, t["what.unpack", u.Parent]),
                ShipPayload s => (s.From, t["what.ship", Name(s.ToParty), s.ToLocation]),
                ReceivePayload v => (v.Location, t["what.receive"]),
                VerifyPayload v => (v.Location ?? "", t["what.verify", v.Context]),
                DecommissionPayload d => (d.Location, t["what.decommission", d.State]),
                ReactivatePayload v => (v.Location, t["what.reactivate"]),
                RecallPayload v => ("", t["what.recall", v.Reason]),
                WithdrawPayload v => ("", t["what.withdraw", v.Reason]),
                ObservationPayload v => (v.Location, t["what.observe", v.Readings.Count]),
                _ => ("", rec.Kind.ToString()),
            };
            return (IEnumerable<HtmlText>)[
                Html.Of($"<time datetime=\"{DateTimeOffset.FromUnixTimeMilliseconds(rec.TimeMs).ToString("O", CultureInfo.InvariantCulture)}\">{Layout.Time(DateTimeOffset.FromUnixTimeMilliseconds(rec.TimeMs))}</time>"),
                Html.Text(rec.Kind.ToString()),
                Html.Of($"<a href=\"/party/{rec.Author}\">{Name(rec.Author)}</a>"),
                where.Length == 0 ? Html.Text("—") : Html.Of($"<a href=\"/location/{where}\">{where}</a>"),
                Html.Text(what),
                Html.Of($"<a href=\"/record/{rec.Id}\"><code>{rec.Id.ToString()[..12]}…</code></a>"),
            ];
        });
        return Html.Of($"""<section aria-labelledby="tl-h"><h2 id="tl-h">{t["passport.timeline"]}</h2>{Layout.Table(t["passport.timeline.caption"],
            [t["col.when"], t["col.kind"], t["col.who"], t["col.where"], t["col.what"], t["col.record"]], rows)}</section>""");
    }

    /// <summary>Parties as nodes, transfers (Ship, then Receive) as numbered arrows in time order; inline SVG with a text alternative.</summary>
    private static HtmlText Graph(Texts t, NodeGateway g, ProvenanceDocument doc)
    {
        var parties = new List<Address>();
        void Add(Address a) { if (!parties.Contains(a)) parties.Add(a); }
        var transfers = new List<(Address From, Address To, long Time)>();
        foreach (var r in doc.Records.OrderBy(r => r.Record.TimeMs))
        {
            Add(r.Record.Author);
            if (r.Record.Payload is ShipPayload s)
            {
                Add(s.ToParty);
                transfers.Add((r.Record.Author, s.ToParty, r.Record.TimeMs));
            }
        }
        string Name(Address a) => g.PartyOf(a)?.Name ?? a.ToString()[..10];
        const int w = 160, top = 70;
        var width = Math.Max(1, parties.Count) * w;
        var nodes = parties.Select((p, i) => Html.Of($"""<g><circle cx="{i * w + w / 2}" cy="{top}" r="28" class="gnode"/><text x="{i * w + w / 2}" y="{top + 50}" text-anchor="middle" class="glabel">{Name(p)}</text></g>"""));
        var arrows = transfers.Select((tr, n) =>
        {
            var x1 = parties.IndexOf(tr.From) * w + w / 2;
            var x2 = parties.IndexOf(tr.To) * w + w / 2;
            var lift = 30 + n * 8;
            var path = string.Create(CultureInfo.InvariantCulture, $"M {x1} {top - 28} Q {(x1 + x2) / 2} {top - 28 - lift} {x2 + (x2 > x1 ? -6 : 6)} {top - 30}");
            return Html.Of($"""<g><path d="{path}" class="garrow" marker-end="url(#arrow)"/><text x="{(x1 + x2) / 2}" y="{top - 28 - lift / 2 - 4}" text-anchor="middle" class="gnum">{n + 1}</text></g>""");
        });
        var desc = transfers.Count == 0 ? t["graph.none"] : string.Join("; ", transfers.Select((tr, n) => $"{n + 1}. {Name(tr.From)} → {Name(tr.To)} ({Layout.Time(DateTimeOffset.FromUnixTimeMilliseconds(tr.Time))})"));
        return Html.Of($"""
            <section aria-labelledby="graph-h"><h2 id="graph-h">{t["passport.graph"]}</h2>
            <svg role="img" aria-labelledby="graph-title graph-desc" viewBox="0 0 {width} 140" width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">
            <title id="graph-title">{t["passport.graph"]}</title><desc id="graph-desc">{desc}</desc>
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="ghead"/></marker></defs>
            {arrows}{nodes}</svg>
            <p class="graph-text">{desc}</p></section>
            """);
    }

    public static HtmlText Alerts(Texts t, NodeGateway g, IEnumerable<ProvenanceAlert> alerts)
    {
        var list = alerts.ToList();
        return Html.Of($"""
            <section aria-labelledby="alerts-h"><h2 id="alerts-h">{t["passport.alerts", list.Count]}</h2><p class="note">{t["alerts.unsigned"]}</p>
            {(list.Count == 0 ? Html.Of($"<p>{t["alerts.none"]}</p>") : Html.Of($"<ul class=\"alerts\">{list.Select(x => Html.Of($"<li class=\"alert\"><strong>{x.Kind}</strong> — {x.Evidence} ({g.PartyOf(x.Author)?.Name ?? x.Author.ToString()}, {Layout.Time(x.Time)}, {(x.RecordAccepted ? t["alerts.accepted"] : t["alerts.refused"])})</li>"))}</ul>"))}
            </section>
            """);
    }

    private static HtmlText Checks(Texts t, PassportAnswer a)
    {
        var checks = a.Report?.Checks ?? [];
        var anchor = a.Document?.Anchor;
        var rows = checks.Select(c => (IEnumerable<HtmlText>)[Html.Text(c.Name), Html.Of($"<code>{c.Subject}</code>"),
            Html.Of($"<span class=\"{(c.Passed ? "pass" : "fail")}\">{(c.Passed ? t["check.passed"] : t["check.failed"])}</span>"), Html.Text(c.Reason)]);
        return Html.Of($"""
            <section aria-labelledby="ver-h" id="verification"><h2 id="ver-h">{t["passport.verification"]}</h2>
            <p>{(a.Report is null ? t["verification.none"] : a.Report.Passed ? t["verification.passed", checks.Count, a.Node?.ToString() ?? ""] : t["verification.failed", a.Report.FailureReason ?? ""])}</p>
            {Layout.Table(t["verification.caption"], [t["col.check"], t["col.subject"], t["col.result"], t["col.reason"]], rows)}
            <p>{(anchor is null ? t["anchor.none"] : t["anchor.tx", anchor.Lane, anchor.Size, anchor.Unverified.TxHash?.ToString() ?? "?", anchor.Unverified.ChainId, anchor.Unverified.BlockNumber])}</p>
            </section>
            """);
    }
}
