namespace K2.Iceberg.Spec;

/// <summary>A top-level column of a table schema.</summary>
public sealed record NestedField(int Id, string Name, bool Required, IcebergType Type, string? Doc = null)
{
    public static NestedField Optional(int id, string name, IcebergType type, string? doc = null) => new(id, name, false, type, doc);

    public static NestedField Require(int id, string name, IcebergType type, string? doc = null) => new(id, name, true, type, doc);

    /// <summary>The field's own id and those of its list element or map key/value.</summary>
    public IEnumerable<int> AllIds()
    {
        yield return Id;
        switch (Type)
        {
            case ListType list: yield return list.ElementId; break;
            case MapType map: yield return map.KeyId; yield return map.ValueId; break;
        }
    }
}
