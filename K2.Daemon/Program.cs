using K2.Core.Native;
using K2.Daemon.Cli;

GlibcHeap.LimitArenas(2);
return await K2CommandLine.InvokeAsync(args);
