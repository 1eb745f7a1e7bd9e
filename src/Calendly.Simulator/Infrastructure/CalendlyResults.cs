using Calendly.Simulator.Resources;

namespace Calendly.Simulator.Infrastructure;

/// <summary>Successful answers in Calendly's envelopes, serialized with Calendly's JSON conventions.</summary>
public static class CalendlyResults
{
    public static IResult Resource<T>(T resource, int status = StatusCodes.Status200OK) => Json(status, new SingleResource<T>(resource));

    public static IResult Collection<T>(IEnumerable<T> items) => Json(StatusCodes.Status200OK, new PlainCollection<T>([.. items]));

    public static IResult Json(int status, object body) => Results.Json(body, CalendlyJson.Options, statusCode: status);
}
