using System.Net;
using static App.Tests.Support.ApiResponses;

namespace App.Tests.Support;

/// <summary>
/// What a coach's own Calendly data answers everyone it is not for, on its JSON route and on its page: a realtor is
/// refused and pointed to the coaches, a coach without Calendly is told to connect it, a signed-out caller gets 401 (JSON)
/// or the sign-in page, and a Calendly outage is a 503. A slice's tests inherit these with <c>[InheritsTests]</c>,
/// naming its routes and the heading its 403 page starts with.
/// </summary>
public abstract class CoachCalendlyRefusalTests(AppFixture app, string api, string page, string realtorPageSays)
{
    [Test]
    [NeedsSlices("Coaches")]
    public async Task A_realtor_is_refused_and_pointed_to_the_coaches_page()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"realtor-{Guid.NewGuid():N}", "realtor");
        var error = await ErrorOf(await browser.GetAsync(api), HttpStatusCode.Forbidden, "forbidden");
        await Assert.That(error.GetProperty("message").GetString()).Contains("/coaches");
    }

    [Test]
    public async Task A_coach_without_Calendly_is_told_to_connect_it()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");
        await ErrorOf(await browser.GetAsync(api), HttpStatusCode.Conflict, "calendly_not_connected");
    }

    [Test]
    public async Task A_Calendly_outage_answers_503_calendly_unavailable()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, coach.ExternalId, "coach");
        await app.Simulator.SetFaultsAsync(new { outage = true, user = coach.Account.Uri });

        var error = await ErrorOf(await browser.GetAsync(api), HttpStatusCode.ServiceUnavailable, "calendly_unavailable");
        await Assert.That(error.GetProperty("traceId").GetString()).IsNotNull().And.IsNotEmpty();
    }

    [Test]
    public async Task Signed_out_callers_get_401()
    {
        await ErrorOf(await app.NewBrowser().GetAsync(api), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Test]
    public async Task A_realtor_opening_the_page_gets_a_403_page_that_leads_to_the_coaches()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"realtor-{Guid.NewGuid():N}", "realtor");
        var response = await browser.GetAsync(page);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Forbidden);
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains(realtorPageSays);
        await Assert.That(html).Contains("href=\"/coaches\"");
    }

    [Test]
    public async Task A_coach_without_Calendly_opening_the_page_is_offered_to_connect()
    {
        var browser = await ConnectedCoaches.SignedInAsync(app.Host, $"coach-{Guid.NewGuid():N}", "coach");
        var response = await browser.GetAsync(page);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Conflict);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("href=\"/api/calendly/oauth/connect\"");
    }

    [Test]
    public async Task A_signed_out_visitor_is_sent_to_sign_in()
    {
        var response = await app.NewBrowser().GetAsync(page);
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.Redirect);
        await Assert.That(response.Headers.Location!.ToString()).Contains("sign-in");
    }
}
