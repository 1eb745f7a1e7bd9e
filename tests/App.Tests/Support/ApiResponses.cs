using System.Net;
using System.Text.Json;

namespace App.Tests.Support;

/// <summary>Reads what the app's /api routes answer: the <c>{ data, error }</c> envelope.</summary>
public static class ApiResponses
{
    /// <summary>Asserts a failure with this status and error code and no data; returns the error for further checks.</summary>
    public static async Task<JsonElement> ErrorOf(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        await Assert.That(response.StatusCode).IsEqualTo(status);
        var body = await Browser.JsonAsync(response);
        await Assert.That(body.GetProperty("data").ValueKind).IsEqualTo(JsonValueKind.Null);
        var error = body.GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo(code);
        return error;
    }
}
