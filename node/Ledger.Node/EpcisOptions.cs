namespace Ledger.Node;

/// <summary>EPCIS settings (section <c>Epcis</c>).</summary>
public sealed class EpcisOptions
{
    /// <summary>How long a capture job stays readable at <c>GET /epcis/capture/{id}</c> after its capture (default 7 days).</summary>
    public TimeSpan CaptureJobRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the background task deletes the capture jobs older than the retention (default 1 hour; also once at start).</summary>
    public TimeSpan CaptureJobPruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="NodeConfigurationException">Names the setting and the rule.</exception>
    public void Validate()
    {
        if (CaptureJobRetention < TimeSpan.FromSeconds(1) || CaptureJobRetention > TimeSpan.FromDays(3650))
            throw new NodeConfigurationException("Epcis:CaptureJobRetention", "range", $"must be 1 second to 3650 days, got {CaptureJobRetention}");
        if (CaptureJobPruneInterval < TimeSpan.FromSeconds(1) || CaptureJobPruneInterval > TimeSpan.FromDays(1))
            throw new NodeConfigurationException("Epcis:CaptureJobPruneInterval", "range", $"must be 1 second to 1 day, got {CaptureJobPruneInterval}");
    }
}
