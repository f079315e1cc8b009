using K2.Daemon.Cli;

return await K2CommandLine.InvokeAsync(args);
