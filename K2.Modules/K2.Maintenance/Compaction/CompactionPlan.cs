using K2.Iceberg.Spec;

namespace K2.Maintenance.Compaction;

/// <summary>Files of one partition of <paramref name="SpecId"/>'s spec, rewritten into one file of that partition.</summary>
/// <param name="PacksMonth">The files are of a due month, packed for good; otherwise of a recent day, rewritten again when its month is packed.</param>
internal sealed record CompactionGroup(int SpecId, PartitionKey Partition, IReadOnlyList<DataFile> Files, bool PacksMonth);

/// <summary>
/// Bin-packing of small files, per partition of the default spec and period (<see cref="CompactionPeriods"/>). A recent
/// day's files are packed first-fit-decreasing into groups of at most the target size, once the day has enough small files;
/// a due month's files are packed in time order, so that each rewritten file covers consecutive days, as soon as there are
/// two. A group of one is left alone, unless its file moves out of an older partition spec.
/// </summary>
internal static class CompactionPlan
{
    public static IReadOnlyList<CompactionGroup> Groups(IEnumerable<DataFile> files, long targetBytes, int minSmallFiles, CompactionPeriods periods)
    {
        var result = new List<CompactionGroup>();
        var placed = files.Select(f => (File: f, Place: periods.Place(f)))
            .Where(p => p.Place is not null && (p.File.FileSizeInBytes < targetBytes || p.Place.Moves));
        foreach (var period in placed.GroupBy(p => (p.Place!.Partition, p.Place.Period, p.Place.MonthDue)))
        {
            var moving = period.Where(p => p.Place!.Moves).Select(p => p.File).ToHashSet();
            var bins = period.Key.MonthDue
                ? NextFit(period.OrderBy(p => p.Place!.Start).ThenBy(p => p.File.Path, StringComparer.Ordinal).Select(p => p.File), targetBytes)
                : period.Count() < minSmallFiles && moving.Count == 0
                    ? []
                    : FirstFitDecreasing([.. period.Select(p => p.File).OrderByDescending(f => f.FileSizeInBytes).ThenBy(f => f.Path, StringComparer.Ordinal)], targetBytes);
            result.AddRange(bins.Where(bin => bin.Count > 1 || moving.Contains(bin[0])).Select(bin => new CompactionGroup(periods.Spec.SpecId, period.Key.Partition, bin, period.Key.MonthDue)));
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

        return bins.Select(b => b.Files);
    }

    private static IEnumerable<List<DataFile>> NextFit(IEnumerable<DataFile> inOrder, long targetBytes)
    {
        var bin = new List<DataFile>();
        long size = 0;
        foreach (var file in inOrder)
        {
            if (bin.Count > 0 && size + file.FileSizeInBytes > targetBytes)
            {
                yield return bin;
                bin = [];
                size = 0;
            }

            bin.Add(file);
            size += file.FileSizeInBytes;
        }

        if (bin.Count > 0) { yield return bin; }
    }
}
