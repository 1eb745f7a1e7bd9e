using System.Text.Json;
using System.Text.Json.Serialization;

namespace App.Infrastructure.Calendly;

// Calendly API v2 shapes (shared/calendly-api.md). Members the app relies on are [JsonRequired] and non-nullable:
// with RespectNullableAnnotations a response that lacks one, or nulls it, fails to parse with the field's JSON path,
// which CalendlyClient turns into CalendlyException (InvalidResponse) naming that field. Everything else is
// nullable and optional, because Calendly omits some fields (cancellation, tracking) and adds others over time.

public sealed record CalendlyResource<T>([property: JsonRequired] T Resource);

public sealed record CalendlyPage<T>([property: JsonRequired] IReadOnlyList<T> Collection, Pagination? Pagination);

public sealed record Pagination([property: JsonRequired] int Count, string? NextPage, string? PreviousPage, string? NextPageToken, string? PreviousPageToken);

public sealed record CalendlyUser(
    [property: JsonRequired] string Uri,
    [property: JsonRequired] string Name,
    [property: JsonRequired] string Slug,
    [property: JsonRequired] string Email,
    [property: JsonRequired] string SchedulingUrl,
    [property: JsonRequired] string Timezone,
    string? AvatarUrl,
    [property: JsonRequired] DateTimeOffset CreatedAt,
    [property: JsonRequired] DateTimeOffset UpdatedAt,
    [property: JsonRequired] string CurrentOrganization);

public sealed record EventType(
    [property: JsonRequired] string Uri,
    [property: JsonRequired] string Name,
    [property: JsonRequired] bool Active,
    string? Slug,
    string? SchedulingUrl,
    [property: JsonRequired] int Duration,
    string? Kind,
    string? PoolingType,
    string? Type,
    string? Color,
    [property: JsonRequired] DateTimeOffset CreatedAt,
    [property: JsonRequired] DateTimeOffset UpdatedAt,
    string? DescriptionPlain,
    string? InternalNote,
    EventTypeProfile? Profile,
    bool? Secret,
    DateTimeOffset? DeletedAt,
    IReadOnlyList<CustomQuestion>? CustomQuestions = null,
    IReadOnlyList<EventTypeLocation>? Locations = null);

public sealed record EventTypeProfile(string? Type, string? Name, string? Owner);

/// <summary>A question of an event type's booking form. Answers name it by its exact text; choices are offered answers.</summary>
public sealed record CustomQuestion(
    [property: JsonRequired] string Name,
    string? Type,
    [property: JsonRequired] int Position,
    bool? Enabled,
    bool? Required,
    IReadOnlyList<string>? AnswerChoices,
    bool? IncludeOther);

/// <summary>Where an event type meets: a kind (physical, outbound_call, ask_invitee, zoom_conference…) and the host's value, if any.</summary>
public sealed record EventTypeLocation([property: JsonRequired] string Kind, string? Location);

public sealed record ScheduledEvent(
    [property: JsonRequired] string Uri,
    [property: JsonRequired] string Name,
    [property: JsonRequired] string Status,
    [property: JsonRequired] DateTimeOffset StartTime,
    [property: JsonRequired] DateTimeOffset EndTime,
    string? EventType,
    JsonElement? Location,
    [property: JsonRequired] InviteesCounter InviteesCounter,
    [property: JsonRequired] DateTimeOffset CreatedAt,
    [property: JsonRequired] DateTimeOffset UpdatedAt,
    [property: JsonRequired] IReadOnlyList<EventMembership> EventMemberships,
    Cancellation? Cancellation);

public sealed record InviteesCounter([property: JsonRequired] int Total, [property: JsonRequired] int Active, [property: JsonRequired] int Limit);

public sealed record EventMembership([property: JsonRequired] string User, string? UserEmail, string? UserName);

public sealed record Cancellation(string? CanceledBy, string? Reason, string? CancelerType, DateTimeOffset? CreatedAt);

public sealed record Invitee(
    [property: JsonRequired] string Uri,
    [property: JsonRequired] string Email,
    [property: JsonRequired] string Name,
    [property: JsonRequired] string Status,
    string? Timezone,
    [property: JsonRequired] string Event,
    [property: JsonRequired] DateTimeOffset CreatedAt,
    [property: JsonRequired] DateTimeOffset UpdatedAt,
    [property: JsonRequired] bool Rescheduled,
    string? OldInvitee,
    string? NewInvitee,
    [property: JsonRequired] string CancelUrl,
    [property: JsonRequired] string RescheduleUrl,
    Cancellation? Cancellation,
    NoShow? NoShow,
    IReadOnlyList<QuestionAndAnswer>? QuestionsAndAnswers,
    InviteeTracking? Tracking);

public sealed record InviteeTracking(string? UtmCampaign, string? UtmSource, string? UtmMedium, string? UtmContent, string? UtmTerm);

public sealed record QuestionAndAnswer([property: JsonRequired] string Question, string? Answer, [property: JsonRequired] int Position);

public sealed record NoShow([property: JsonRequired] string Uri, [property: JsonRequired] DateTimeOffset CreatedAt, string? Invitee = null);

public sealed record AvailableTime([property: JsonRequired] string Status, [property: JsonRequired] int InviteesRemaining, [property: JsonRequired] DateTimeOffset StartTime, [property: JsonRequired] string SchedulingUrl);

public sealed record AvailabilitySchedule([property: JsonRequired] string Uri, [property: JsonRequired] bool Default, [property: JsonRequired] string Name, [property: JsonRequired] string User, [property: JsonRequired] string Timezone, [property: JsonRequired] IReadOnlyList<AvailabilityRule> Rules);

public sealed record AvailabilityRule([property: JsonRequired] string Type, string? Wday, string? Date, [property: JsonRequired] IReadOnlyList<AvailabilityInterval> Intervals);

public sealed record AvailabilityInterval([property: JsonRequired] string From, [property: JsonRequired] string To);

public sealed record BusyTime([property: JsonRequired] string Type, [property: JsonRequired] DateTimeOffset StartTime, [property: JsonRequired] DateTimeOffset EndTime, DateTimeOffset? BufferedStartTime,
    DateTimeOffset? BufferedEndTime, BusyTimeEvent? Event);

public sealed record BusyTimeEvent([property: JsonRequired] string Uri);

public sealed record WebhookSubscription(
    [property: JsonRequired] string Uri,
    [property: JsonRequired] string CallbackUrl,
    [property: JsonRequired] DateTimeOffset CreatedAt,
    [property: JsonRequired] DateTimeOffset UpdatedAt,
    DateTimeOffset? RetryStartedAt,
    [property: JsonRequired] string State,
    [property: JsonRequired] IReadOnlyList<string> Events,
    [property: JsonRequired] string Scope,
    [property: JsonRequired] string Organization,
    string? User,
    string? Creator);

/// <summary>The token endpoint's answer; <c>created_at</c> is Unix seconds (not a timestamp string).</summary>
public sealed record TokenResponse(
    [property: JsonRequired] string AccessToken,
    [property: JsonRequired] string RefreshToken,
    [property: JsonRequired] string TokenType,
    [property: JsonRequired] int ExpiresIn,
    [property: JsonRequired] long CreatedAt,
    [property: JsonRequired] string Owner,
    [property: JsonRequired] string Organization,
    string? Scope)
{
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(CreatedAt).AddSeconds(ExpiresIn);
}

/// <summary>REST errors: <c>{ title, message, details? }</c>, and <c>required_scopes</c> on 403 Insufficient scope.</summary>
public sealed record CalendlyErrorBody(string? Title, string? Message, IReadOnlyList<CalendlyErrorDetail>? Details,
    IReadOnlyList<string>? RequiredScopes);

public sealed record CalendlyErrorDetail(string? Parameter, string? Message);

/// <summary>OAuth errors: <c>{ error, error_description }</c> (RFC 6749).</summary>
public sealed record OAuthErrorBody(string? Error, string? ErrorDescription);

// Requests
public sealed record CancellationRequest(string? Reason);

public sealed record NoShowRequest(string Invitee);

/// <summary>POST /invitees: the event type, a start time in UTC, the invitee, and what the booking form asks.</summary>
public sealed record InviteeRequest(
    string EventType,
    string StartTime,
    NewInvitee Invitee,
    InviteeLocation? Location,
    IReadOnlyList<QuestionAndAnswer>? QuestionsAndAnswers,
    InviteeTracking? Tracking,
    IReadOnlyList<string>? EventGuests);

public sealed record NewInvitee(string Email, string Name, string Timezone);

/// <summary>The invitee's answer to an event type location that asks for one (their phone number, a place).</summary>
public sealed record InviteeLocation(string Kind, string Location);

public sealed record WebhookSubscriptionRequest(string Url, IReadOnlyList<string> Events, string Organization, string Scope, string? User, string? SigningKey);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CalendlyResource<CalendlyUser>))]
[JsonSerializable(typeof(CalendlyResource<EventType>))]
[JsonSerializable(typeof(CalendlyPage<EventType>))]
[JsonSerializable(typeof(CalendlyResource<ScheduledEvent>))]
[JsonSerializable(typeof(CalendlyPage<ScheduledEvent>))]
[JsonSerializable(typeof(CalendlyResource<Invitee>))]
[JsonSerializable(typeof(Invitee))]
[JsonSerializable(typeof(ScheduledEvent))]
[JsonSerializable(typeof(CalendlyPage<Invitee>))]
[JsonSerializable(typeof(CalendlyResource<Cancellation>))]
[JsonSerializable(typeof(CalendlyResource<NoShow>))]
[JsonSerializable(typeof(CalendlyPage<AvailableTime>))]
[JsonSerializable(typeof(CalendlyPage<AvailabilitySchedule>))]
[JsonSerializable(typeof(CalendlyResource<AvailabilitySchedule>))]
[JsonSerializable(typeof(CalendlyPage<BusyTime>))]
[JsonSerializable(typeof(CalendlyResource<WebhookSubscription>))]
[JsonSerializable(typeof(CalendlyPage<WebhookSubscription>))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(CalendlyErrorBody))]
[JsonSerializable(typeof(OAuthErrorBody))]
[JsonSerializable(typeof(CancellationRequest))]
[JsonSerializable(typeof(NoShowRequest))]
[JsonSerializable(typeof(WebhookSubscriptionRequest))]
[JsonSerializable(typeof(InviteeRequest))]
public sealed partial class CalendlyJson : JsonSerializerContext;
