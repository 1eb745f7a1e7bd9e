namespace Calendly.Simulator.Tests.Support;

/// <summary>Polls instead of sleeping: webhook deliveries arrive in the background, usually within milliseconds.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<T?> probe, TimeSpan? timeout = null, string? what = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}.");
            await Task.Delay(20);
        }
    }

    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string? what = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}.");
            await Task.Delay(20);
        }
    }
}
