using System.Text.RegularExpressions;

namespace K2.ClickHouse.Schema;

/// <summary>
/// Every name and literal that reaches DDL from configuration passes through here first: DDL
/// cannot take query parameters, so validation is what keeps configuration from becoming SQL.
/// </summary>
public static partial class SqlIdentifier
{
    public const string Pattern = "^[A-Za-z_][A-Za-z0-9_]{0,63}$";
    public const string Rule = "must be a plain identifier: letters, digits and _ (not starting with a digit), at most 64 characters";
    public const string BrokerListPattern = "^[A-Za-z0-9._\\-]+:[0-9]{1,5}(,[A-Za-z0-9._\\-]+:[0-9]{1,5})*$";
    public const string TopicPrefixPattern = "^[A-Za-z0-9._\\-]{1,200}$";

    /// <summary>Returns <paramref name="name"/> when it is a plain identifier, else throws naming <paramref name="what"/>.</summary>
    public static string Checked(string name, string what) =>
        IdentifierRegex().IsMatch(name) ? name : throw new ArgumentException($"{what} '{name}' {Rule}", what);

    /// <summary>A <c>table</c> or <c>database.table</c> name.</summary>
    public static string CheckedTableName(string name, string what) =>
        QualifiedRegex().IsMatch(name) ? name : throw new ArgumentException($"{what} '{name}' must be table or database.table, each part {Rule}", what);

    /// <summary>A Kafka broker list, topic or group name for a Kafka-engine SETTINGS literal.</summary>
    public static string CheckedKafkaName(string value, string what) =>
        KafkaNameRegex().IsMatch(value) ? value : throw new ArgumentException($"{what} '{value}' must be letters, digits, . _ - (and : , for broker lists)", what);

    [GeneratedRegex(Pattern)]
    private static partial Regex IdentifierRegex();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}(\\.[A-Za-z_][A-Za-z0-9_]{0,63})?$")]
    private static partial Regex QualifiedRegex();

    [GeneratedRegex("^[A-Za-z0-9._\\-:,]{1,1000}$")]
    private static partial Regex KafkaNameRegex();
}
