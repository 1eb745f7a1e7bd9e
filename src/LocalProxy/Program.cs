using Yarp.ReverseProxy.Configuration;

// The load balancer of a platform (Fly's proxy), on one machine: `INSTANCES=2 ./run.sh` puts it on PORT in front of
// the app instances named by BACKENDS (comma-separated base URLs). Requests go round robin to the instances whose
// /readyz answers, so stopping one (a deploy, a crash) sends everyone to the others.
var builder = WebApplication.CreateBuilder(args);
var port = builder.Configuration["PORT"] ?? "5080";
var backends = (builder.Configuration["BACKENDS"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
if (backends.Length == 0) throw new InvalidOperationException("Set BACKENDS to the app instances' base URLs, comma-separated.");
builder.WebHost.UseUrls($"http://localhost:{port}");
builder.Logging.AddFilter("Yarp", LogLevel.Warning); // not every health probe

var route = new RouteConfig { RouteId = "app", ClusterId = "app", Match = new RouteMatch { Path = "{**rest}" } };
var cluster = new ClusterConfig
{
    ClusterId = "app",
    LoadBalancingPolicy = "RoundRobin",
    Destinations = backends.Select((url, i) => (Name: $"instance-{i + 1}", Url: url))
        .ToDictionary(d => d.Name, d => new DestinationConfig { Address = d.Url }),
    HealthCheck = new HealthCheckConfig
    {
        Active = new ActiveHealthCheckConfig
        {
            Enabled = true, Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1), Path = "/readyz",
            Policy = "ConsecutiveFailures",
        },
        // A refused connection takes an instance out at once, before the next probe.
        Passive = new PassiveHealthCheckConfig { Enabled = true, Policy = "TransportFailureRate", ReactivationPeriod = TimeSpan.FromSeconds(5) },
    },
};
builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);

var app = builder.Build();
app.MapReverseProxy();
app.Logger.LogInformation("Local proxy on http://localhost:{Port} in front of {Backends}", port, string.Join(", ", backends));
app.Run();
