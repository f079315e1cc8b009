namespace K2.Iceberg.Spec;

/// <summary>A table schema (a struct of columns) with its id.</summary>
public sealed record Schema(int SchemaId, IReadOnlyList<NestedField> Fields)
{
    public int HighestFieldId => Fields.SelectMany(f => f.AllIds()).DefaultIfEmpty(0).Max();

    public NestedField Field(int id) => Fields.FirstOrDefault(f => f.Id == id)
        ?? throw new KeyNotFoundException($"schema {SchemaId} has no field with id {id}");

    public int IndexOf(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Name == name) { return i; }
        }

        throw new KeyNotFoundException($"schema {SchemaId} has no column '{name}'");
    }

    public int IndexOf(int fieldId)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Id == fieldId) { return i; }
        }

        throw new KeyNotFoundException($"schema {SchemaId} has no field with id {fieldId}");
    }

    /// <summary>Checks what the spec requires of a schema: unique ids and names.</summary>
    public Schema Validate()
    {
        var ids = Fields.SelectMany(f => f.AllIds()).ToList();
        var duplicateId = ids.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (duplicateId is not null) { throw new ArgumentException($"field id {duplicateId.Key} is used twice in schema {SchemaId}"); }
        var duplicateName = Fields.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicateName is not null) { throw new ArgumentException($"column '{duplicateName.Key}' appears twice in schema {SchemaId}"); }
        if (ids.Any(i => i <= 0)) { throw new ArgumentException($"field ids must be positive in schema {SchemaId}"); }
        return this;
    }
}
