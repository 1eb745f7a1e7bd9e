using App.Features.Operations;

// Registration extensions live where the framework's own do, so Program.cs needs no using for them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The slice's one line in Program.cs: the ring of this process's minutes and the loop that fills it.</summary>
public static class OperationsServices
{
    public static IServiceCollection AddOperations(this IServiceCollection services) =>
        services.AddSingleton<ProcessSamples>().AddHostedService<ProcessSampler>();
}
