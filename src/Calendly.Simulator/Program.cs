using Calendly.Simulator;

// Settings come from environment variables (and --NAME=value arguments); see README.md for the table.
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var app = SimulatorHost.Build(SimulatorSettings.FromConfiguration(configuration), args: args);
await app.StartAsync();
app.Logger.LogInformation("Calendly simulator: API, OAuth and booking pages on {BaseUrl} (control endpoints under /_sim)", app.BaseUrl());
await app.WaitForShutdownAsync();
