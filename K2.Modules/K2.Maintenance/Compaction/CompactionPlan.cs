using K2.Iceberg.Spec;

namespace K2.Maintenance.Compaction;

/// <summary>
/// Bin-packing of small files: per partition, files below the target size are packed first-fit-decreasing into groups
/// of at most the target size; a partition is planned only with enough small files, and a group of one is left alone.
/// </summary>
internal static class CompactionPlan
{
    public static IReadOnlyList<IReadOnlyList<DataFile>> Groups(IEnumerable<DataFile> files, long targetBytes, int minSmallFiles)
    {
        var result = new List<IReadOnlyList<DataFile>>();
        foreach (var partition in files.Where(f => f.FileSizeInBytes < targetBytes).GroupBy(f => (f.SpecId, f.Partition)))
        {
            var small = partition.OrderByDescending(f => f.FileSizeInBytes).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
            if (small.Count < minSmallFiles) { continue; }
            var bins = new List<(long Size, List<DataFile> Files)>();
            foreach (var file in small)
            {
                var bin = bins.FindIndex(b => b.Size + file.FileSizeInBytes <= targetBytes);
                if (bin < 0) { bins.Add((file.FileSizeInBytes, [file])); }
                else { bins[bin] = (bins[bin].Size + file.FileSizeInBytes, [.. bins[bin].Files, file]); }
            }

            result.AddRange(bins.Where(b => b.Files.Count > 1).Select(b => (IReadOnlyList<DataFile>)b.Files));
        }

        return result;
    }
}
