using K2.Daemon;
using K2.Daemon.Cli;

ProcessSettings.ApplyAtStart();
return await K2CommandLine.InvokeAsync(args);
