using K2.Core.Health;
using K2.Iceberg;
using K2.Iceberg.Storage;
using K2.Iceberg.Tables;
using K2.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace K2.Tests.Iceberg;

/// <summary><c>AddIceberg</c> in a host: registered once however many modules call it, prepared when the host starts.</summary>
[TestFixture]
public sealed class IcebergModuleTests
{
    [Test]
    public async Task Host_start_removes_an_uncommitted_metadata_file_and_reports_ready()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Storage:DataDir"] = TestPaths.NewScratchFolder("k2-data");
        builder.Services.AddIceberg(builder.Configuration);
        builder.Services.AddIceberg(builder.Configuration);
        builder.Services.Count(d => d.ServiceType == typeof(IcebergWarehouse)).Should().Be(1);
        builder.Services.Count(d => d.ServiceType == typeof(IHostedService)).Should().Be(1);

        string leftover;
        using (var provider = builder.Services.BuildServiceProvider())
        {
            var warehouse = provider.GetRequiredService<IcebergWarehouse>();
            await warehouse.StartAsync();
            var table = await SilverLikeTable.CreateAsync(warehouse);
            leftover = $"{table.Metadata.Location}/metadata/00001-{Guid.NewGuid()}.metadata.json";
            await warehouse.Store.PutBytesAsync(leftover, "{}"u8.ToArray(), default);
        }

        using var host = builder.Build();
        var readiness = host.Services.GetServices<IReadinessCheck>().Single(c => c.Name == "iceberg");
        readiness.Check().IsReady.Should().BeFalse();
        await host.StartAsync();

        File.Exists(LocalObjectStore.ToPath(leftover)).Should().BeFalse();
        readiness.Check().IsReady.Should().BeTrue();
        await host.StopAsync();
    }
}
