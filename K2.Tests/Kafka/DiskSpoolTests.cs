using System.Text;
using K2.Core.Trades;
using K2.Kafka.Publishing;
using K2.Kafka.Spool;
using K2.Tests.Support;

namespace K2.Tests.Kafka;

[TestFixture]
public sealed class DiskSpoolTests
{
    [Test]
    public void Records_survive_reopening_in_order_and_the_cursor_skips_delivered_ones()
    {
        var folder = TestPaths.NewScratchFolder("spool");
        using (var spool = new DiskSpool(folder, 1 << 20, 4096))
        {
            foreach (var i in Enumerable.Range(0, 100)) { spool.TryAppend(Record(i)).Should().BeTrue(); }
            spool.Sync();
            var read = spool.Read(30);
            read.Select(r => Text(r.Record)).Should().Equal(Enumerable.Range(0, 30).Select(Name));
            spool.Commit(read[19].End, 20);
            spool.Records.Should().Be(80);
        }

        using var reopened = new DiskSpool(folder, 1 << 20, 4096);
        reopened.Records.Should().Be(80);
        ReadAll(reopened).Should().Equal(Enumerable.Range(20, 80).Select(Name));
    }

    [Test]
    public void Prepended_records_come_before_the_undelivered_rest()
    {
        var folder = TestPaths.NewScratchFolder("spool");
        using (var spool = new DiskSpool(folder, 1 << 20, 1 << 16))
        {
            foreach (var i in Enumerable.Range(10, 90)) { spool.TryAppend(Record(i)); }
            var read = spool.Read(40);
            spool.Commit(read[4].End, 5);
            spool.Prepend(Enumerable.Range(0, 10).Select(Record).ToList());
            spool.Records.Should().Be(95);
        }

        using var reopened = new DiskSpool(folder, 1 << 20, 1 << 16);
        reopened.Records.Should().Be(95);
        ReadAll(reopened).Should().Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(15, 85)).Select(Name));
    }

    [Test]
    public void Prepending_after_everything_was_delivered_keeps_only_the_new_records()
    {
        var folder = TestPaths.NewScratchFolder("spool");
        using (var spool = new DiskSpool(folder, 1 << 20, 1 << 16))
        {
            foreach (var i in Enumerable.Range(0, 10)) { spool.TryAppend(Record(i)); }
            var read = spool.Read(100);
            spool.Commit(read[^1].End, read.Count);
            spool.HasUnread.Should().BeFalse();
            foreach (var i in Enumerable.Range(12, 5)) { spool.TryAppend(Record(i)); }
            spool.Prepend([Record(10), Record(11)]);
            spool.Records.Should().Be(7);
        }

        using var reopened = new DiskSpool(folder, 1 << 20, 1 << 16);
        reopened.Records.Should().Be(7);
        ReadAll(reopened).Should().Equal(Enumerable.Range(10, 7).Select(Name));
    }

    [Test]
    public void A_torn_record_at_the_end_is_cut_off_and_the_cap_is_kept()
    {
        var folder = TestPaths.NewScratchFolder("spool");
        using (var spool = new DiskSpool(folder, 1 << 20, 1 << 20))
        {
            foreach (var i in Enumerable.Range(0, 10)) { spool.TryAppend(Record(i)); }
        }

        var segment = Directory.GetFiles(folder, "*.seg").Single();
        using (var stream = new FileStream(segment, FileMode.Append)) { stream.Write([200, 0, 0, 0, 1, 0]); }

        using var reopened = new DiskSpool(folder, 1 << 20, 1 << 20);
        reopened.Records.Should().Be(10);
        ReadAll(reopened).Should().Equal(Enumerable.Range(0, 10).Select(Name));
        var big = new OutboundRecord(RecordKind.Raw, Exchange.Kraken, [1], new byte[600_000], 1);
        reopened.TryAppend(big).Should().BeTrue();
        reopened.TryAppend(big).Should().BeFalse("the cap of 1 MiB would be exceeded");
    }

    private static List<string> ReadAll(DiskSpool spool)
    {
        var all = new List<string>();
        while (spool.HasUnread) { all.AddRange(spool.Read(7).Select(r => Text(r.Record))); }
        return all;
    }

    private static string Name(int i) => $"record-{i}";

    private static OutboundRecord Record(int i) =>
        new(RecordKind.Trade, Exchange.Binance, Encoding.UTF8.GetBytes($"binance|S{i % 3}"), Encoding.UTF8.GetBytes(Name(i)), i, i % 2 == 0 ? null : "why");

    private static string Text(OutboundRecord record) => Encoding.UTF8.GetString(record.Value);
}
