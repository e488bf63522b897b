using System.Collections.Immutable;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Gs1;
using Ledger.Protocol.Records;

namespace Ledger.Protocol.Custody;

/// <summary>
/// The semantic custody rules (docs/spec/custody.md): a deterministic state machine over <see cref="ItemState"/>.
/// No I/O, no clock: the only time is the record's own. Every transition not in the table is rejected and changes nothing.
/// </summary>
public static class CustodyRules
{
    /// <summary>The FMD undo window: 10 days, by record time.</summary>
    public const long UndoWindowMs = 10L * 24 * 60 * 60 * 1000;

    /// <summary>True for Destroyed, Stolen, Recalled and Withdrawn.</summary>
    public static bool IsTerminal(ItemStatus status) => status is ItemStatus.Destroyed or ItemStatus.Stolen or ItemStatus.Recalled or ItemStatus.Withdrawn;

    /// <summary>True for the statuses an FMD undo may revert: Supplied, Exported, CheckedOut, Sample, FreeSample, Locked.</summary>
    public static bool IsUndoable(ItemStatus status) =>
        status is ItemStatus.Supplied or ItemStatus.Exported or ItemStatus.CheckedOut or ItemStatus.Sample or ItemStatus.FreeSample or ItemStatus.Locked;

    /// <summary>The status after lot-level facts: an item of a recalled lot is Recalled, of a withdrawn product or lot Withdrawn (Destroyed and Stolen stay).</summary>
    public static ItemStatus EffectiveStatus(ItemState state, LotFacts lots)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(lots);
        if (IsTerminal(state.Status))
            return state.Status;
        if (lots.IsRecalled(state.Gtin, state.Lot))
            return ItemStatus.Recalled;
        if (lots.IsWithdrawn(state.Gtin, state.Lot))
            return ItemStatus.Withdrawn;
        return state.Status;
    }

    /// <summary>
    /// The answer to a verification of a known item (GS1 LVM): the scanned lot and expiry against the commissioned ones,
    /// and expired, recalled or withdrawn, or suspect (any other status than active or in transit) as additional info.
    /// </summary>
    public static ItemVerification VerificationOf(ItemState state, ItemStatus status, VerifyPayload scan, long timeMs)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(scan);
        var lotMismatch = scan.Lot.Length > 0 && scan.Lot != (state.Lot ?? "");
        var expiryMismatch = scan.Expiry.Length > 0 && scan.Expiry != (state.Expiry ?? "");
        var info = VerificationInfo.None;
        if (IsExpired(state, timeMs))
            info |= VerificationInfo.Expired;
        if (status is ItemStatus.Recalled or ItemStatus.Withdrawn)
            info |= VerificationInfo.Recalled;
        if (status is not (ItemStatus.Active or ItemStatus.InTransit or ItemStatus.Recalled or ItemStatus.Withdrawn))
            info |= VerificationInfo.Suspect;
        var reason = (lotMismatch, expiryMismatch) switch
        {
            (true, true) => VerificationFailureReason.NoMatchGtinSerialLotExpiry,
            (true, false) => VerificationFailureReason.NoMatchGtinSerialLot,
            (false, true) => VerificationFailureReason.NoMatchGtinSerialExpiry,
            _ => VerificationFailureReason.None,
        };
        return new ItemVerification(reason == VerificationFailureReason.None, reason, info);
    }

    /// <summary>
    /// True when the item's expiry date is before the UTC date of <paramref name="timeMs"/> (DD=00 = last day of the month; century by
    /// <see cref="Gs1Date.Resolve"/> with the record's year). SSCCs never expire.
    /// </summary>
    public static bool IsExpired(ItemState state, long timeMs)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Expiry is { } e && ExpiryPassed(e, timeMs);
    }

    private static bool ExpiryPassed(string yymmdd, long timeMs)
    {
        var today = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime);
        Gs1CalendarDate expiry;
        try
        {
            expiry = Gs1Date.Parse(yymmdd).Resolve(today.Year);
        }
        catch (Gs1FormatException)
        {
            // 29 February resolved into a year that is not a leap year (e.g. YY = 00 → 2100): the month's last day.
            expiry = Gs1Date.Parse(yymmdd[..4] + "00").Resolve(today.Year);
        }
        return expiry.Date < today;
    }

    /// <summary>Applies one record to the state the context shows. Never throws for a valid record and context.</summary>
    public static CustodyOutcome Apply(LedgerRecord record, ICustodyContext context)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(context);
        var w = new Work(record, context);
        try
        {
            if (record.Kind is not (RecordKind.Commission or RecordKind.Verify))
                w.CheckDeps(record.Payload.Items);
            var verification = record.Payload switch
            {
                CommissionPayload p => w.Commission(p),
                PackPayload p => w.Pack(p),
                UnpackPayload p => w.Unpack(p),
                ShipPayload p => w.Ship(p),
                ReceivePayload p => w.Receive(p),
                VerifyPayload p => w.Verify(p),
                DecommissionPayload p => w.Decommission(p),
                ReactivatePayload p => w.Reactivate(p),
                RecallPayload p => w.Recall(p),
                WithdrawPayload p => w.Withdraw(p),
                ObservationPayload p => w.Observation(p),
                _ => throw new RuleBrokenException(CustodyErrorCodes.NotAuthorised, $"kind: no custody rule for {record.Kind}"),
            };
            return CustodyOutcome.Accepted(w.Updates(), w.Lots, w.Alerts, verification);
        }
        catch (RuleBrokenException e)
        {
            return CustodyOutcome.Rejected(e.Code, e.Message, w.Alerts);
        }
    }

    private sealed class RuleBrokenException(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    private sealed class Work(LedgerRecord record, ICustodyContext context)
    {
        private readonly Dictionary<ItemId, ItemState> _changed = [];
        private readonly Address _author = record.Author;

        public List<CustodyAlert> Alerts { get; } = [];

        public LotFacts Lots { get; private set; } = context.Lots;

        public IReadOnlyList<ItemState> Updates() => [.. _changed.Values.OrderBy(s => s.Item)];

        private ItemState? Get(ItemId item) => _changed.TryGetValue(item, out var s) ? s : context.Get(item);

        private void Put(ItemState state) => _changed[state.Item] = state with { LatestRecord = record.Id };

        private static RuleBrokenException Fail(string code, string message) => new(code, message);

        private void Alert(CustodyAlertKind kind, ItemId? item, string evidence) => Alerts.Add(new CustodyAlert(kind, item, record.Id, evidence));

        private ItemStatus Status(ItemState s) => EffectiveStatus(s, Lots);

        private ItemState Require(ItemId item, string field) =>
            Get(item) ?? throw Fail(CustodyErrorCodes.UnknownItem, $"{field} {item}: not on the ledger");

        public void CheckDeps(IEnumerable<ItemId> items)
        {
            foreach (var item in items)
                if (context.Get(item) is { } s && !record.Deps.Contains(s.LatestRecord))
                    throw Fail(CustodyErrorCodes.StaleDependency, $"deps: must contain {s.LatestRecord}, the latest record of {item}");
        }

        private void RequireGln(string gln, string field)
        {
            if (!context.Glns(_author).Contains(gln))
                throw Fail(CustodyErrorCodes.GlnNotOwned, $"{field}: GLN {gln} is not a location of the author {_author}");
        }

        private void RequireCustodian(ItemState s)
        {
            if (s.Custodian != _author)
                throw Fail(CustodyErrorCodes.NotCustodian, $"{s.Item}: the author {_author} is not the custodian ({s.Custodian})");
        }

        /// <summary>
        /// The item must be at <paramref name="location"/> or at another location of the author (its custodian): goods move
        /// between one party's own sites without a record (GS1 US pharma guideline: commissioned at the line, packed at the
        /// shipping dock); the record's location becomes the item's.
        /// </summary>
        private void RequireLocation(ItemState s, string location, string field)
        {
            if (s.Location != location && !context.Glns(_author).Contains(s.Location))
                throw Fail(CustodyErrorCodes.LocationMismatch, $"{field}: {s.Item} is at {s.Location}, not {location} nor at another location of {_author}");
        }

        private RuleBrokenException Terminal(ItemState s, ItemStatus status, string what)
        {
            Alert(CustodyAlertKind.ActivityAfterTerminal, s.Item, $"{record.Kind} after {status}");
            return Fail(CustodyErrorCodes.TerminalState, $"{s.Item}: is {status}, a terminal state; {what} is not allowed");
        }

        /// <summary>Terminal → terminal-state; InTransit → in-transit; any other inactive status → NMVS_NC_PCK_22.</summary>
        private void RequireActive(ItemState s, string what)
        {
            var status = Status(s);
            if (IsTerminal(status))
                throw Terminal(s, status, what);
            if (status == ItemStatus.InTransit)
                throw Fail(CustodyErrorCodes.InTransit, $"{s.Item}: is in transit; {what} is not allowed");
            if (status != ItemStatus.Active)
                throw Fail(CustodyErrorCodes.AlreadyInactive, $"{s.Item}: is {status} (inactive); {what} needs an Active item");
        }

        private IEnumerable<ItemState> Descendants(ItemState s)
        {
            foreach (var c in s.Children)
            {
                var child = Get(c) ?? throw new InvalidOperationException($"state is inconsistent: child {c} of {s.Item} is missing");
                yield return child;
                foreach (var d in Descendants(child))
                    yield return d;
            }
        }

        private bool OwnsPrefixOf(string gtin) => context.CompanyPrefixes(_author).Any(p => gtin.AsSpan(1).StartsWith(p, StringComparison.Ordinal));

        public ItemVerification? Commission(CommissionPayload p)
        {
            foreach (var item in p.Items)
                if (Get(item) is not null)
                {
                    Alert(CustodyAlertKind.SecondCommissioning, item, $"second commissioning attempt by {_author}");
                    throw Fail(CustodyErrorCodes.AlreadyCommissioned, $"payload.serials: {item} is already commissioned");
                }
            if (!OwnsPrefixOf(p.Gtin) && !context.DelegatedGtins(_author).Contains(p.Gtin))
                throw Fail(CustodyErrorCodes.PrefixNotOwned, $"payload.gtin: {p.Gtin} is not under a company prefix of {_author} nor delegated to it");
            RequireGln(p.Site, "payload.site");
            if (Lots.IsRecalled(p.Gtin, p.Lot))
                throw Fail(CustodyErrorCodes.LotRecalled, $"payload.lot: lot {p.Lot} of {p.Gtin} is recalled");
            if (Lots.IsWithdrawn(p.Gtin, p.Lot))
                throw Fail(CustodyErrorCodes.Withdrawn, $"payload.gtin: {p.Gtin} lot {p.Lot} is withdrawn");
            if (ExpiryPassed(p.Expiry, record.TimeMs))
                throw Fail(CustodyErrorCodes.Expired, $"payload.expiry: {p.Expiry} is before the record time");
            foreach (var item in p.Items)
                Put(new ItemState(item, ItemStatus.Active, _author, p.Site, record.Id) { Gtin = p.Gtin, Lot = p.Lot, Expiry = p.Expiry });
            return null;
        }

        public ItemVerification? Pack(PackPayload p)
        {
            RequireGln(p.Location, "payload.location");
            var parent = Get(p.Parent);
            if (parent is not null)
            {
                RequireCustodian(parent);
                RequireActive(parent, "packing into it");
                RequireLocation(parent, p.Location, "payload.parent");
                for (var a = parent; a.Parent is not null;)
                {
                    a = Get(a.Parent)!;
                    if (p.Children.Contains(a.Item))
                        throw Fail(CustodyErrorCodes.PackCycle, $"payload.children: {a.Item} contains {p.Parent}; it cannot be packed into it");
                }
            }
            else if (p.Parent.Scheme != ItemScheme.Sscc)
                throw Fail(CustodyErrorCodes.UnknownItem, $"payload.parent {p.Parent}: not on the ledger (only an SSCC parent is created by a Pack)");
            var children = new List<ItemState>();
            foreach (var c in p.Children)
            {
                var child = Require(c, "payload.children");
                RequireCustodian(child);
                RequireActive(child, "packing");
                if (child.Parent is not null)
                    throw Fail(CustodyErrorCodes.InParent, $"payload.children: {c} is already inside {child.Parent}");
                RequireLocation(child, p.Location, "payload.children");
                children.Add(child);
            }
            parent ??= new ItemState(p.Parent, ItemStatus.Active, _author, p.Location, record.Id);
            Put(parent with { Children = parent.Children.Union(p.Children), Location = p.Location });
            foreach (var child in children)
            {
                Put(child with { Parent = p.Parent, Location = p.Location });
                foreach (var d in Descendants(child))
                    Put(d with { Location = p.Location });
            }
            return null;
        }

        public ItemVerification? Unpack(UnpackPayload p)
        {
            var parent = Require(p.Parent, "payload.parent");
            RequireCustodian(parent);
            RequireGln(p.Location, "payload.location");
            var status = Status(parent);
            if (IsTerminal(status))
                throw Terminal(parent, status, "unpacking");
            if (status == ItemStatus.InTransit)
                throw Fail(CustodyErrorCodes.InTransit, $"{parent.Item}: is in transit; unpacking is not allowed");
            RequireLocation(parent, p.Location, "payload.parent");
            var names = p.Children.Count == 0 ? (IEnumerable<ItemId>)parent.Children : p.Children;
            var children = new List<ItemState>();
            foreach (var c in names)
            {
                var child = Require(c, "payload.children");
                if (!parent.Children.Contains(c))
                    throw Fail(CustodyErrorCodes.NotInParent, $"payload.children: {c} is not inside {p.Parent}");
                children.Add(child);
            }
            Put(parent with { Children = parent.Children.Except(names), Location = p.Location });
            foreach (var child in children)
            {
                Put(child with { Parent = null, Location = p.Location });
                foreach (var d in Descendants(child))
                    Put(d with { Location = p.Location });
            }
            return null;
        }

        public ItemVerification? Ship(ShipPayload p)
        {
            RequireGln(p.From, "payload.from");
            var moving = new List<ItemState>();
            foreach (var i in p.Items)
            {
                var s = Require(i, "payload.items");
                RequireCustodian(s);
                if (s.Parent is not null)
                    throw Fail(CustodyErrorCodes.InParent, $"payload.items: {i} is inside {s.Parent}; ship the parent or unpack it first");
                RequireActive(s, "shipping");
                RequireLocation(s, p.From, "payload.from");
                moving.Add(s);
                foreach (var d in Descendants(s))
                {
                    RequireActive(d, "shipping it inside " + i);
                    moving.Add(d);
                }
            }
            var pending = new PendingShip(record.Id, p.ToParty, p.ToLocation);
            foreach (var s in moving)
                Put(s with { Status = ItemStatus.InTransit, PendingShip = pending, Location = p.From });
            return null;
        }

        public ItemVerification? Receive(ReceivePayload p)
        {
            if (!context.IsShipCertified(p.Ship))
                throw Fail(CustodyErrorCodes.ShipNotCertified, $"payload.ship: Ship {p.Ship} is not in a certified block");
            RequireGln(p.Location, "payload.location");
            var moving = new List<ItemState>();
            foreach (var i in p.Items)
            {
                var s = Get(i);
                if (s?.PendingShip is null || s.PendingShip.Ship != p.Ship || s.Parent is not null)
                {
                    Alert(CustodyAlertKind.ReceiveMismatch, i, $"received under Ship {p.Ship} but not shipped by it");
                    throw Fail(CustodyErrorCodes.ReceiveMismatch, $"payload.items: {i} is not in transit under Ship {p.Ship}");
                }
                if (s.PendingShip.ToParty != _author)
                    throw Fail(CustodyErrorCodes.NotRecipient, $"payload.items: {i} is shipped to {s.PendingShip.ToParty}, not to the author {_author}");
                var status = Status(s);
                if (IsTerminal(status))
                    throw Terminal(s, status, "receiving");
                moving.Add(s);
                moving.AddRange(Descendants(s));
            }
            foreach (var s in moving)
                Put(s with
                {
                    Status = IsTerminal(s.Status) ? s.Status : ItemStatus.Active,
                    Custodian = _author,
                    Location = p.Location,
                    PendingShip = null,
                });
            foreach (var d in p.Discrepancies)
                Alert(CustodyAlertKind.ReceiveDiscrepancy, d.Item, $"reported {d.Code} on receipt of Ship {p.Ship}");
            return null;
        }

        public ItemVerification? Verify(VerifyPayload p)
        {
            var s = Get(p.Item);
            if (s is null)
            {
                Alert(CustodyAlertKind.UnknownSerial, p.Item, $"scan of an unknown item by {_author}");
                return new ItemVerification(false, VerificationFailureReason.NoMatchGtinSerial, VerificationInfo.None);
            }
            CheckDeps([p.Item]);
            var lotMismatch = p.Lot.Length > 0 && p.Lot != (s.Lot ?? "");
            var expiryMismatch = p.Expiry.Length > 0 && p.Expiry != (s.Expiry ?? "");
            if (lotMismatch)
                Alert(CustodyAlertKind.LotMismatch, p.Item, $"scanned lot {p.Lot}, commissioned lot {s.Lot}");
            if (expiryMismatch)
                Alert(CustodyAlertKind.ExpiryMismatch, p.Item, $"scanned expiry {p.Expiry}, commissioned expiry {s.Expiry}");
            if (s.Custodian != _author)
                Alert(CustodyAlertKind.ScanByNonCustodian, p.Item, $"scanned by {_author}; custodian is {s.Custodian}");
            var status = Status(s);
            if (IsTerminal(status))
                Alert(CustodyAlertKind.ActivityAfterTerminal, p.Item, $"Verify after {status}");
            Put(s);
            return VerificationOf(s, status, p, record.TimeMs);
        }

        public ItemVerification? Decommission(DecommissionPayload p)
        {
            RequireGln(p.Location, "payload.location");
            var target = ToStatus(p.State);
            foreach (var i in p.Items)
            {
                var s = Require(i, "payload.items");
                RequireCustodian(s);
                var status = Status(s);
                if (status == target)
                    throw Fail(CustodyErrorCodes.StatusAlreadySet, $"payload.items: {i} is already {status}");
                if (IsTerminal(status))
                    throw Terminal(s, status, "decommissioning");
                if (status == ItemStatus.InTransit)
                    throw Fail(CustodyErrorCodes.InTransit, $"payload.items: {i} is in transit; it cannot be decommissioned");
                if (target == ItemStatus.Supplied && status is ItemStatus.Sample or ItemStatus.FreeSample)
                    throw Fail(CustodyErrorCodes.StatusChangeNotPossible, $"payload.items: {i} is {status}; it cannot be dispensed");
                if (status != ItemStatus.Active)
                    throw Fail(CustodyErrorCodes.AlreadyInactive, $"payload.items: {i} is already inactive ({status})");
                if (target != ItemStatus.Destroyed && IsExpired(s, record.TimeMs))
                    throw Fail(CustodyErrorCodes.Expired, $"payload.items: {i} expired on {s.Expiry}; it may only be destroyed");
                if (s.Children.Count > 0)
                    throw Fail(CustodyErrorCodes.HasChildren, $"payload.items: {i} holds {s.Children.Count} items; unpack it first");
                RequireLocation(s, p.Location, "payload.location");
                if (s.Parent is not null)
                {
                    var parent = Get(s.Parent)!;
                    Put(parent with { Children = parent.Children.Remove(i) });
                }
                Put(s with { Status = target, Parent = null, Location = p.Location, Decommission = new DecommissionFacts(p.State, record.TimeMs, _author, p.Location) });
            }
            return null;
        }

        public ItemVerification? Reactivate(ReactivatePayload p)
        {
            RequireGln(p.Location, "payload.location");
            foreach (var i in p.Items)
            {
                var s = Require(i, "payload.items");
                var status = Status(s);
                if (IsTerminal(status))
                    Alert(CustodyAlertKind.ActivityAfterTerminal, i, $"Reactivate after {status}");
                if (!IsUndoable(status) || s.Decommission is not { } d)
                    throw Fail(CustodyErrorCodes.UndoStatusMismatch, $"payload.items: {i} is {status}; undo is only possible from Supplied, Exported, CheckedOut, Sample, FreeSample or Locked");
                if (IsExpired(s, record.TimeMs))
                    throw Fail(CustodyErrorCodes.UndoStatusMismatch, $"payload.items: {i} expired on {s.Expiry}; undo is never possible from Expired");
                if (d.Party != _author || s.Custodian != _author)
                    throw Fail(CustodyErrorCodes.UndoDifferentUser, $"payload.items: {i} was decommissioned by {d.Party}, not by the author {_author}");
                if (d.Location != p.Location)
                    throw Fail(CustodyErrorCodes.UndoDifferentUser, $"payload.location: {i} was decommissioned at {d.Location}, not at {p.Location}");
                if (status != ItemStatus.Locked && record.TimeMs - d.TimeMs > UndoWindowMs)
                    throw Fail(CustodyErrorCodes.UndoTimeExceeded, $"payload.items: {i} was decommissioned more than 10 days before the record time");
                Put(s with { Status = ItemStatus.Active, Decommission = null });
            }
            return null;
        }

        private void RequireBrandOwnerOrRegulator(string gtin)
        {
            if (!OwnsPrefixOf(gtin) && !context.Roles(_author).HasFlag(PartyRoles.Regulator))
                throw Fail(CustodyErrorCodes.NotAuthorised, $"payload.gtin: {_author} neither owns the company prefix of {gtin} nor is a regulator");
        }

        public ItemVerification? Recall(RecallPayload p)
        {
            RequireBrandOwnerOrRegulator(p.Gtin);
            if (p.Lot.Length > 0)
            {
                Lots = Lots with { RecalledLots = Lots.RecalledLots.Add((p.Gtin, p.Lot)) };
                return null;
            }
            foreach (var i in p.Items)
            {
                var s = Require(i, "payload.items");
                var status = Status(s);
                if (status == ItemStatus.Recalled)
                    throw Fail(CustodyErrorCodes.StatusAlreadySet, $"payload.items: {i} is already Recalled");
                if (IsTerminal(status))
                    throw Terminal(s, status, "recalling");
                Put(s with { Status = ItemStatus.Recalled });
            }
            return null;
        }

        public ItemVerification? Withdraw(WithdrawPayload p)
        {
            RequireBrandOwnerOrRegulator(p.Gtin);
            Lots = p.Lot.Length == 0
                ? Lots with { WithdrawnProducts = Lots.WithdrawnProducts.Add(p.Gtin) }
                : Lots with { WithdrawnLots = Lots.WithdrawnLots.Add((p.Gtin, p.Lot)) };
            return null;
        }

        public ItemVerification? Observation(ObservationPayload p)
        {
            foreach (var i in p.Items)
            {
                var s = Require(i, "payload.items");
                var atLocation = s.Location == p.Location && context.Glns(_author).Contains(p.Location);
                if (s.Custodian != _author && !atLocation)
                    throw Fail(CustodyErrorCodes.NotCustodian, $"payload.items: {i}: the author {_author} is neither its custodian nor at its location {s.Location}");
                var status = Status(s);
                if (IsTerminal(status))
                    Alert(CustodyAlertKind.ActivityAfterTerminal, i, $"Observation after {status}");
                Put(s);
            }
            return null;
        }

        private static ItemStatus ToStatus(DecommissionState state) => state switch
        {
            DecommissionState.Supplied => ItemStatus.Supplied,
            DecommissionState.Destroyed => ItemStatus.Destroyed,
            DecommissionState.Stolen => ItemStatus.Stolen,
            DecommissionState.Sample => ItemStatus.Sample,
            DecommissionState.FreeSample => ItemStatus.FreeSample,
            DecommissionState.Exported => ItemStatus.Exported,
            DecommissionState.Locked => ItemStatus.Locked,
            DecommissionState.CheckedOut => ItemStatus.CheckedOut,
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
    }
}
