namespace K2.Tests.Iceberg;

/// <summary>Removes the local warehouses the Iceberg tests wrote under the working directory (see <see cref="TestWarehouses.LocalRoot"/>).</summary>
[SetUpFixture]
public sealed class IcebergScratchLifetime
{
    [OneTimeTearDown]
    public void DeleteLocalWarehouses()
    {
        var root = Path.Combine(Directory.GetCurrentDirectory(), "iceberg-scratch");
        if (Directory.Exists(root)) { Directory.Delete(root, recursive: true); }
    }
}
