namespace Benchmarks;

public static class Entry
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "token-refresh":
                await TokenRefreshBenchmark.RunAsync(args.Skip(1).ToArray());
                return 0;
            case "free-times":
                await FreeTimesBenchmark.RunAsync(args.Skip(1).ToArray());
                return 0;
            case "webhooks":
                await WebhooksBenchmark.RunAsync(args.Skip(1).ToArray());
                return 0;
            default:
                Console.Error.WriteLine("usage: Calendly.Slices.Benchmarks token-refresh [integrations] [limitPerMinute] | free-times [seconds] [days] | webhooks [seconds] [ingest-only]");
                return 2;
        }
    }
}
