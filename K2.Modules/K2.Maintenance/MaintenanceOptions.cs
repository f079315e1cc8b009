using K2.Core.Configuration;

namespace K2.Maintenance;

public sealed class MaintenanceOptions : ModuleOptions
{
    public const string SectionName = "Modules:Maintenance";
}
