namespace Ledger.Engine.Epcis;

/// <summary>The orders of <c>orderBy</c> the query supports.</summary>
public enum EpcisOrderBy
{
    /// <summary><c>orderBy=eventTime</c></summary>
    EventTime,
    /// <summary><c>orderBy=recordTime</c> (an event without recordTime sorts as the earliest).</summary>
    RecordTime,
}
