using K2.Bench;
using K2.Daemon;
using Prometheus;

ProcessSettings.ApplyAtStart();

// Scenarios read the registry in process. prometheus-net starts its default collectors (runtime event counters, a
// listener on every meter) at the first read; they would add their own work to what is measured, so they stay off.
Metrics.SuppressDefaultMetrics();
return await BenchCommand.Create().Parse(args).InvokeAsync();
