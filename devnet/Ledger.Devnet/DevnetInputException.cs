namespace Ledger.Devnet;

/// <summary>Bad input or a devnet that is not as expected: names the field and the rule; nothing was written.</summary>
public sealed class DevnetInputException(string field, string detail, string rule) : Exception($"{field}: {detail} [{rule}]")
{
    /// <summary>The option, file or member at fault.</summary>
    public string Field { get; } = field;

    /// <summary>The rule it broke.</summary>
    public string Rule { get; } = rule;
}

/// <summary>The devnet refused or did not answer in time: the story stops there with what happened.</summary>
public sealed class StoryFailedException(string message) : Exception(message);
