using Calendly.Simulator.World;
using static Calendly.Simulator.Pages.Html;

namespace Calendly.Simulator.OAuth;

/// <summary>
/// GET /oauth/authorize shows a consent page on which the person picks which simulated Calendly account to grant;
/// POST /oauth/authorize is that page's Allow or Deny, which redirects back to the client.
/// </summary>
public static class AuthorizeEndpoints
{
    private const int ListedAccounts = 500;

    public static IResult Show(HttpRequest http, OAuthClients clients, WorldStore world)
    {
        var (request, errorPage) = AuthorizeRequest.Read(name => http.Query[name].FirstOrDefault(), clients.All);
        if (request is null) return errorPage!;
        if (request.ProblemRedirect() is { } problem) return problem;
        var accounts = world.Locked(w => w.Users.Values.Take(ListedAccounts)
            .Select(u => (u.Uuid, Label: $"{u.Name} <{u.Email}> · {w.Organizations[u.OrganizationUuid].Name} · {u.Plan}", u.Slug)).ToList());
        return Page("Connect Calendly", ConsentForm(request, accounts));
    }

    public static async Task<IResult> DecideAsync(HttpRequest http, SimulatorSettings settings, OAuthClients clients, WorldStore world,
        TokenStore tokens)
    {
        var form = await http.ReadFormAsync(http.HttpContext.RequestAborted);
        var (request, errorPage) = AuthorizeRequest.Read(name => form[name].FirstOrDefault() is { Length: > 0 } v ? v : null, clients.All);
        if (request is null) return errorPage!;
        if (request.ProblemRedirect() is { } problem) return problem;
        if (form["decision"] != "allow")
            return request.Redirect(("error", "access_denied"), ("error_description", OAuthErrors.AccessDeniedDescription));

        var account = form["account"].ToString();
        if (!world.Locked(w => w.Users.ContainsKey(account))) return Error(400, "Unknown account", "Pick one of the listed accounts.");
        var code = tokens.AddCode(request.Client.ClientId, request.RedirectUri, account, request.Grant.Scope, request.CodeChallenge,
            settings.AuthorizationCodeLifetime);
        return request.Redirect(("code", code.Value));
    }

    private static string ConsentForm(AuthorizeRequest request, IReadOnlyList<(string Uuid, string Label, string Slug)> accounts)
    {
        var hidden = string.Concat(request.FormFields().Where(f => f.Value is not null)
            .Select(f => $"""<input type="hidden" name="{E(f.Name)}" value="{E(f.Value)}">"""));
        var options = string.Concat(accounts.Select(a =>
            $"""<option value="{E(a.Uuid)}"{(a.Slug == SeededAccounts.DefaultCoachSlug ? " selected" : "")}>{E(a.Label)}</option>"""));
        return $"""
            <h1>Connect your Calendly account</h1>
            <p><strong>{E(request.Client.ClientId)}</strong> would like to access your Calendly account.</p>
            <p>Allow grants it: {GrantedScopes(request.Grant.Scope)}</p>
            <form method="post" action="/oauth/authorize">
              {hidden}
              <label for="account">Simulated Calendly account</label>
              <select id="account" name="account">{options}</select>
              <p>
                <button class="primary" type="submit" name="decision" value="allow">Allow</button>
                <button type="submit" name="decision" value="deny">Deny</button>
              </p>
            </form>
            <p class="muted">This is the Calendly simulator: no password is needed.</p>
            """;
    }

    private static string GrantedScopes(string scope) => scope switch
    {
        "" => "no scope, so no API call will be allowed.",
        Scopes.Default => $"<code>{Scopes.Default}</code>, full access (a legacy app).",
        _ => string.Join(" ", scope.Split(' ').Select(name => $"<code>{E(name)}</code>")),
    };
}
