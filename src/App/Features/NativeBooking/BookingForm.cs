namespace App.Features.NativeBooking;

/// <summary>
/// The event type's booking form as the realtor filled it in, checked as Calendly checks it, before Calendly is asked:
/// answers name its questions word for word, required ones are answered, choices are offered ones, and a location that
/// asks the invitee (a phone number to call, a place to meet) is given. Problems name the request's fields.
/// </summary>
internal sealed record BookingForm(IReadOnlyList<QuestionAndAnswer> Answers, InviteeLocation? Location, Dictionary<string, string[]>? Problems)
{
    public static BookingForm Fill(EventType type, AskedBooking asked)
    {
        var problems = new Dictionary<string, List<string>>();
        void Problem(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);

        var questions = (type.CustomQuestions ?? []).Where(q => q.Enabled != false).DistinctBy(q => q.Name)
            .ToDictionary(q => q.Name, StringComparer.Ordinal);
        var answers = new Dictionary<string, QuestionAndAnswer>(StringComparer.Ordinal);
        for (var i = 0; i < asked.Answers.Count; i++)
        {
            var (text, answer) = (asked.Answers[i].Question!, asked.Answers[i].Answer);
            if (!questions.TryGetValue(text, out var question))
                Problem($"answers[{i}]", $"\"{text}\" is not a question of this session type (questions are matched word for word).");
            else if (answers.ContainsKey(question.Name)) Problem($"answers[{i}]", $"\"{text}\" is answered twice.");
            else if (string.IsNullOrEmpty(answer)) continue; // a blank answer is no answer; a required question is caught below
            else if (ChoiceProblem(question, answer) is { } problem) Problem($"answers[{i}]", problem);
            else answers[question.Name] = new QuestionAndAnswer(question.Name, answer, question.Position);
        }
        foreach (var missing in questions.Values.Where(q => q.Required == true && !answers.ContainsKey(q.Name)).OrderBy(q => q.Position))
            Problem("answers", $"\"{missing.Name}\" needs an answer.");

        // Calendly books an event type at its first location unless told otherwise; only these two take the invitee's value.
        InviteeLocation? location = null;
        if (type.Locations?.FirstOrDefault() is { Kind: "outbound_call" or "ask_invitee" } asks)
        {
            if (asked.Location is null)
                Problem("location", asks.Kind == "outbound_call"
                    ? "is required: the coach calls you, so give the phone number to call."
                    : "is required: this session type asks where to meet.");
            else location = new InviteeLocation(asks.Kind, asked.Location);
        }

        return new BookingForm([.. answers.Values.OrderBy(a => a.Position)], location,
            problems.Count == 0 ? null : problems.ToDictionary(p => p.Key, p => p.Value.ToArray()));
    }

    private static string? ChoiceProblem(CustomQuestion question, string answer)
    {
        if (question.IncludeOther == true || question.AnswerChoices is not { Count: > 0 } choices) return null;
        // Several choices are sent one per line.
        var chosen = question.Type == "multi_select" ? answer.Split('\n', StringSplitOptions.TrimEntries) : [answer];
        return chosen.All(choices.Contains) ? null : $"must be one of: {string.Join(", ", choices)}.";
    }
}
