namespace Calendly.Simulator.Control;

/// <summary>/_sim: no authentication; for tests, demos and benchmarks. Bodies and answers use camelCase JSON.</summary>
public static class ControlEndpoints
{
    public static void Map(RouteGroupBuilder control)
    {
        control.DisableAntiforgery();
        UsersControl.Map(control);
        OAuthClientsControl.Map(control);
        ClockControl.Map(control);
        FaultsControl.Map(control);
        StatsControl.Map(control);
        ResetControl.Map(control);
        BookingsControl.Map(control);
        EventTypesControl.Map(control);
    }
}
