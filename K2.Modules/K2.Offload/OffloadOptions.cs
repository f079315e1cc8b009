using K2.Core.Configuration;

namespace K2.Offload;

public sealed class OffloadOptions : ModuleOptions
{
    public const string SectionName = "Modules:Offload";
}
