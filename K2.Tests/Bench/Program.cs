using K2.Bench;
using K2.Daemon;

ProcessSettings.ApplyAtStart();
return await BenchCommand.Create().Parse(args).InvokeAsync();
