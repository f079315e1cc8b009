namespace K2.ClickHouse.Schema;

/// <summary>Where a ClickHouse server lists a feature: <c>system.functions</c>, <c>system.table_functions</c> or <c>system.settings</c>.</summary>
public enum ServerFeatureKind
{
    Function,
    TableFunction,
    Setting,
}
