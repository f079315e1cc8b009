using K2.Iceberg.Spec;

namespace K2.Maintenance.Compaction;

/// <summary>Files of one partition of <paramref name="SpecId"/>'s spec, rewritten into one file of that partition.</summary>
internal sealed record CompactionGroup(int SpecId, PartitionKey Partition, IReadOnlyList<DataFile> Files);

/// <summary>
/// Bin-packing of small files: per partition, files below the target size are packed first-fit-decreasing into groups
/// of at most the target size; a partition is planned only with enough small files, and a group of one is left alone.
/// The small files of a due month (<see cref="MonthlyPartitions"/>) are packed into its month partition instead, in time
/// order so that each rewritten file covers consecutive days, as soon as there are two.
/// </summary>
internal static class CompactionPlan
{
    public static IReadOnlyList<CompactionGroup> Groups(IEnumerable<DataFile> files, long targetBytes, int minSmallFiles, MonthlyPartitions? months)
    {
        var small = files.Where(f => f.FileSizeInBytes < targetBytes).ToList();
        var result = new List<CompactionGroup>();
        var dueMonth = months is null ? [] : small.Select(f => (File: f, Month: months.MonthOf(f))).Where(m => m.Month is not null).ToList();
        foreach (var month in dueMonth.GroupBy(m => m.Month!, m => m.File))
        {
            var inTimeOrder = month.OrderBy(months!.FirstDayOf).ThenBy(f => f.Path, StringComparer.Ordinal);
            result.AddRange(NextFit(inTimeOrder, targetBytes).Select(bin => new CompactionGroup(months.Spec.SpecId, month.Key, bin)));
        }

        var rolled = dueMonth.Select(m => m.File).ToHashSet();
        foreach (var partition in small.Where(f => !rolled.Contains(f)).GroupBy(f => (f.SpecId, f.Partition)))
        {
            var largestFirst = partition.OrderByDescending(f => f.FileSizeInBytes).ThenBy(f => f.Path, StringComparer.Ordinal).ToList();
            if (largestFirst.Count < minSmallFiles) { continue; }
            result.AddRange(FirstFitDecreasing(largestFirst, targetBytes).Select(bin => new CompactionGroup(partition.Key.SpecId, partition.Key.Partition, bin)));
        }

        return result;
    }

    private static IEnumerable<List<DataFile>> FirstFitDecreasing(IReadOnlyList<DataFile> largestFirst, long targetBytes)
    {
        var bins = new List<(long Size, List<DataFile> Files)>();
        foreach (var file in largestFirst)
        {
            var bin = bins.FindIndex(b => b.Size + file.FileSizeInBytes <= targetBytes);
            if (bin < 0) { bins.Add((file.FileSizeInBytes, [file])); }
            else { bins[bin] = (bins[bin].Size + file.FileSizeInBytes, [.. bins[bin].Files, file]); }
        }

        return bins.Where(b => b.Files.Count > 1).Select(b => b.Files);
    }

    private static IEnumerable<List<DataFile>> NextFit(IEnumerable<DataFile> inOrder, long targetBytes)
    {
        var bin = new List<DataFile>();
        long size = 0;
        foreach (var file in inOrder)
        {
            if (bin.Count > 0 && size + file.FileSizeInBytes > targetBytes)
            {
                if (bin.Count > 1) { yield return bin; }
                bin = [];
                size = 0;
            }

            bin.Add(file);
            size += file.FileSizeInBytes;
        }

        if (bin.Count > 1) { yield return bin; }
    }
}
