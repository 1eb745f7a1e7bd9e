using System.Text.RegularExpressions;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Scheduling;

/// <summary>An answer as sent: the question's text (matched exactly, case-sensitive) and what the invitee wrote.</summary>
public sealed record GivenAnswer(string? Question, string? Answer);

/// <summary>
/// Checks what an invitee filled in against an event type's booking form, as Calendly does for the Scheduling API and its
/// booking pages alike: answers name the event type's questions exactly, required ones are answered, choices are offered
/// ones, and a location that asks the invitee gets an answer. Problems carry the Scheduling API's parameter names.
/// </summary>
public static partial class BookingForm
{
    public static IReadOnlyList<QuestionAndAnswer> CheckAnswers(EventType type, IReadOnlyList<GivenAnswer> given, List<ErrorDetail> errors)
    {
        var questions = type.CustomQuestions.Where(q => q.Enabled).ToDictionary(q => q.Name, StringComparer.Ordinal);
        var answers = new Dictionary<string, QuestionAndAnswer>(StringComparer.Ordinal);
        for (var i = 0; i < given.Count; i++)
        {
            var parameter = $"questions_and_answers[{i}]";
            if (string.IsNullOrEmpty(given[i].Question)) errors.Add(new($"{parameter}.question", "is required"));
            else if (!questions.TryGetValue(given[i].Question!, out var question))
                errors.Add(new($"{parameter}.question", "does not match a question of this event type (question texts are compared exactly)"));
            else if (answers.ContainsKey(question.Name)) errors.Add(new($"{parameter}.question", "is answered twice"));
            else if (string.IsNullOrWhiteSpace(given[i].Answer)) continue; // a blank answer is no answer; required ones are caught below
            else if (ChoiceProblem(question, given[i].Answer!) is { } problem) errors.Add(new($"{parameter}.answer", problem));
            else answers[question.Name] = new QuestionAndAnswer(question.Name, given[i].Answer!.Trim(), question.Position);
        }
        foreach (var missing in questions.Values.Where(q => q.Required && !answers.ContainsKey(q.Name)))
            errors.Add(new("questions_and_answers", $"\"{missing.Name}\" is a required question"));
        return [.. answers.Values.OrderBy(a => a.Position)];
    }

    /// <summary>
    /// The invitee's location value for the event type: required (and checked) when its location asks the invitee; a
    /// location that is sent must be the event type's kind. Kinds with the host's own value keep the host's.
    /// </summary>
    public static string? CheckLocation(EventType type, string? kind, string? value, bool sent, List<ErrorDetail> errors)
    {
        if (!sent)
        {
            if (type.Location.AsksInvitee) errors.Add(new("location", $"is required: this event type asks the invitee for a location ({type.Location.Kind})"));
            return null;
        }
        if (string.IsNullOrEmpty(kind)) errors.Add(new("location.kind", "is required"));
        else if (!EventLocation.Kinds.Contains(kind)) errors.Add(new("location.kind", $"must be one of: {string.Join(", ", EventLocation.Kinds)}"));
        else if (kind != type.Location.Kind) errors.Add(new("location.kind", $"is not a location of this event type (it offers {type.Location.Kind})"));
        else if (EventLocation.NeedsValue(kind) && string.IsNullOrWhiteSpace(value)) errors.Add(new("location.location", $"is required for {kind}"));
        else if (kind == "outbound_call" && !IsPhoneNumber(value)) errors.Add(new("location.location", "must be a phone number"));
        else return type.Location.AsksInvitee ? value!.Trim() : null;
        return null;
    }

    /// <summary>Text reminders go to international numbers such as +14155551234.</summary>
    public static bool IsE164(string? number) => number is not null && E164().IsMatch(number);

    private static string? ChoiceProblem(CustomQuestion question, string answer)
    {
        if (question.IncludeOther || question.AnswerChoices.Count == 0) return null;
        // Multi-select answers list the chosen options one per line.
        var chosen = question.Type == QuestionType.MultiSelect ? answer.Split('\n', StringSplitOptions.TrimEntries) : [answer.Trim()];
        return chosen.All(question.AnswerChoices.Contains) ? null : $"must be one of: {string.Join(", ", question.AnswerChoices)}";
    }

    private static bool IsPhoneNumber(string? text) => text is not null && PhoneNumber().IsMatch(text.Trim());

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();

    [GeneratedRegex(@"^\+?[0-9][0-9 ().-]{5,24}$")]
    private static partial Regex PhoneNumber();
}
