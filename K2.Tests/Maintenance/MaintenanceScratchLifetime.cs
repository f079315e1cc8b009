namespace K2.Tests.Maintenance;

/// <summary>Removes the local warehouses the maintenance tests wrote under the working directory.</summary>
[SetUpFixture]
public sealed class MaintenanceScratchLifetime
{
    [OneTimeTearDown]
    public void DeleteLocalWarehouses()
    {
        var root = Path.Combine(Directory.GetCurrentDirectory(), ColdTableFixture.ScratchFolder);
        if (Directory.Exists(root)) { Directory.Delete(root, recursive: true); }
    }
}
