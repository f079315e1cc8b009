namespace K2.Iceberg.Spec;

/// <summary>Table metadata, format version 2 (spec "Table Metadata Fields").</summary>
public sealed record TableMetadata(
    Guid TableUuid,
    string Location,
    long LastSequenceNumber,
    long LastUpdatedMs,
    int LastColumnId,
    IReadOnlyList<Schema> Schemas,
    int CurrentSchemaId,
    IReadOnlyList<PartitionSpec> PartitionSpecs,
    int DefaultSpecId,
    int LastPartitionId,
    IReadOnlyList<SortOrder> SortOrders,
    int DefaultSortOrderId,
    IReadOnlyDictionary<string, string> Properties,
    long? CurrentSnapshotId,
    IReadOnlyList<Snapshot> Snapshots,
    IReadOnlyList<SnapshotLogEntry> SnapshotLog,
    IReadOnlyList<MetadataLogEntry> MetadataLog)
{
    public const int FormatVersion = 2;

    public Schema CurrentSchema => SchemaById(CurrentSchemaId);

    public PartitionSpec DefaultSpec => SpecById(DefaultSpecId);

    public SortOrder DefaultSortOrder => SortOrders.First(o => o.OrderId == DefaultSortOrderId);

    public Snapshot? CurrentSnapshot => CurrentSnapshotId is { } id ? SnapshotById(id) : null;

    public Schema SchemaById(int id) => Schemas.FirstOrDefault(s => s.SchemaId == id) ?? throw new KeyNotFoundException($"no schema {id}");

    public PartitionSpec SpecById(int id) => PartitionSpecs.FirstOrDefault(s => s.SpecId == id) ?? throw new KeyNotFoundException($"no partition spec {id}");

    public Snapshot SnapshotById(long id) => Snapshots.FirstOrDefault(s => s.SnapshotId == id) ?? throw new KeyNotFoundException($"no snapshot {id}");

    public static TableMetadata Create(string location, Schema schema, PartitionSpec spec, SortOrder sortOrder, IReadOnlyDictionary<string, string> properties, long nowMs)
    {
        schema.Validate();
        CheckFields(schema, spec.Fields);

        return new TableMetadata(Guid.NewGuid(), location.TrimEnd('/'), 0, nowMs, schema.HighestFieldId, [schema], schema.SchemaId,
            [spec], spec.SpecId, spec.LastFieldId, [sortOrder], sortOrder.OrderId, properties, null, [], [], []);
    }

    /// <summary>A new current schema with extra optional columns (the only evolution this writer does).</summary>
    public TableMetadata AddColumns(IReadOnlyList<NestedField> columns, long nowMs)
    {
        if (columns.Any(c => c.Required)) { throw new ArgumentException("new columns must be optional: existing rows have no value for them"); }
        var next = new Schema(Schemas.Max(s => s.SchemaId) + 1, [.. CurrentSchema.Fields, .. columns]).Validate();
        if (columns.SelectMany(c => c.AllIds()).Any(id => id <= LastColumnId)) { throw new ArgumentException($"new column ids must be above last-column-id {LastColumnId}"); }
        return this with { Schemas = [.. Schemas, next], CurrentSchemaId = next.SchemaId, LastColumnId = next.HighestFieldId, LastUpdatedMs = nowMs };
    }

    /// <summary>
    /// Adds a partition spec with the fields of <paramref name="fields"/> (their ids are ignored) without making it the
    /// default (spec "Partition Evolution"): a field with the source and transform of a field of an existing spec keeps
    /// that field's id, any other gets the next id above last-partition-id. Returns this metadata and the existing spec when
    /// a spec with the same fields is already there.
    /// </summary>
    public (TableMetadata Metadata, PartitionSpec Spec) AddPartitionSpec(IReadOnlyList<PartitionField> fields, long nowMs)
    {
        var known = PartitionSpecs.SelectMany(s => s.Fields).GroupBy(f => (f.SourceId, f.Transform)).ToDictionary(g => g.Key, g => g.First().FieldId);
        var next = LastPartitionId;
        var numbered = fields.Select(f => f with { FieldId = known.TryGetValue((f.SourceId, f.Transform), out var id) ? id : ++next }).ToList();
        var existing = PartitionSpecs.FirstOrDefault(s => s.Fields.SequenceEqual(numbered));
        if (existing is not null) { return (this, existing); }
        CheckFields(CurrentSchema, numbered);
        var spec = new PartitionSpec(PartitionSpecs.Max(s => s.SpecId) + 1, numbered);
        return (this with { PartitionSpecs = [.. PartitionSpecs, spec], LastPartitionId = Math.Max(LastPartitionId, next), LastUpdatedMs = nowMs }, spec);
    }

    /// <summary>
    /// Makes the spec with the fields of <paramref name="fields"/> the default (added as <see cref="AddPartitionSpec"/> does
    /// when there is none yet): new data files are partitioned by it, files written by the older specs stay as they are.
    /// </summary>
    public TableMetadata WithDefaultPartitionSpec(IReadOnlyList<PartitionField> fields, long nowMs)
    {
        var (metadata, spec) = AddPartitionSpec(fields, nowMs);
        return spec.SpecId == DefaultSpecId ? metadata : metadata with { DefaultSpecId = spec.SpecId, LastUpdatedMs = nowMs };
    }

    private static void CheckFields(Schema schema, IEnumerable<PartitionField> fields)
    {
        foreach (var field in fields)
        {
            if (schema.Field(field.SourceId).Type is not PrimitiveType) { throw new ArgumentException($"partition field '{field.Name}' must have a primitive source column"); }
            if (field.FieldId < PartitionSpec.FirstFieldId) { throw new ArgumentException($"partition field ids start at {PartitionSpec.FirstFieldId}; '{field.Name}' has {field.FieldId}"); }
        }
    }

    /// <summary>
    /// A new current schema in which the columns of <paramref name="wider"/> (matched by id) take its wider primitive
    /// types — decimal precision, int to long, float to double (spec "Schema Evolution"). Data files keep their types:
    /// readers widen old values when they read them. Returns this metadata when no column changes.
    /// </summary>
    public TableMetadata PromoteColumns(Schema wider, long nowMs)
    {
        var changed = false;
        var fields = CurrentSchema.Fields.Select(field =>
        {
            var target = wider.Fields.FirstOrDefault(f => f.Id == field.Id);
            if (target is null || target.Type == field.Type) { return field; }
            if (field.Type is not PrimitiveType from || target.Type is not PrimitiveType to || !from.PromotesTo(to))
            {
                throw new ArgumentException($"column '{field.Name}' cannot change from {field.Type} to {target.Type} by schema evolution");
            }

            changed = true;
            return field with { Type = to };
        }).ToList();
        if (!changed) { return this; }
        var next = new Schema(Schemas.Max(s => s.SchemaId) + 1, fields).Validate();
        return this with { Schemas = [.. Schemas, next], CurrentSchemaId = next.SchemaId, LastUpdatedMs = nowMs };
    }
}
