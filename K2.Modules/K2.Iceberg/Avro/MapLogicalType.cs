using Avro;
using Avro.Util;

namespace K2.Iceberg.Avro;

/// <summary>
/// Iceberg marks int-keyed maps (arrays of key/value records) with <c>"logicalType": "map"</c>; Apache.Avro
/// 1.12 rejects unknown logical types, so this passes the array through unchanged.
/// </summary>
internal sealed class MapLogicalType : LogicalType
{
    private static readonly Lazy<bool> Registration = new(() =>
    {
        LogicalTypeFactory.Instance.Register(new MapLogicalType());
        return true;
    });

    private MapLogicalType() : base("map") { }

    public static void EnsureRegistered() => _ = Registration.Value;

    public override object ConvertToBaseValue(object logicalValue, LogicalSchema schema) => logicalValue;

    public override object ConvertToLogicalValue(object baseValue, LogicalSchema schema) => baseValue;

    public override Type GetCSharpType(bool nullible) => typeof(object[]);

    public override bool IsInstanceOfLogicalType(object logicalValue) => logicalValue is Array;
}
