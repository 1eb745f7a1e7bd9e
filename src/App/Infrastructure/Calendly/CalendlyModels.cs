using System.Text.Json;
using System.Text.Json.Serialization;

namespace App.Infrastructure.Calendly;

// Calendly API v2 shapes (shared/calendly-api.md). Members the app relies on are non-nullable: with
// RespectNullableAnnotations and required members, a response that lacks one or nulls it fails to parse with the
// field's JSON path, which CalendlyClient turns into CalendlyException (InvalidResponse) naming that field.
// Everything else is nullable, because Calendly adds and omits optional fields over time.

public sealed record CalendlyResource<T>(T Resource);

public sealed record CalendlyPage<T>(IReadOnlyList<T> Collection, Pagination? Pagination);

public sealed record Pagination(int Count, string? NextPage, string? PreviousPage, string? NextPageToken, string? PreviousPageToken);

public sealed record CalendlyUser(
    string Uri,
    string Name,
    string Slug,
    string Email,
    string SchedulingUrl,
    string Timezone,
    string? AvatarUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string CurrentOrganization);

public sealed record EventType(
    string Uri,
    string Name,
    bool Active,
    string? Slug,
    string? SchedulingUrl,
    int Duration,
    string? Kind,
    string? PoolingType,
    string? Type,
    string? Color,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? DescriptionPlain,
    string? InternalNote,
    EventTypeProfile? Profile,
    bool? Secret,
    DateTimeOffset? DeletedAt);

public sealed record EventTypeProfile(string? Type, string? Name, string? Owner);

public sealed record ScheduledEvent(
    string Uri,
    string Name,
    string Status,
    DateTimeOffset StartTime,
    DateTimeOffset EndTime,
    string? EventType,
    JsonElement? Location,
    InviteesCounter InviteesCounter,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<EventMembership> EventMemberships,
    Cancellation? Cancellation);

public sealed record InviteesCounter(int Total, int Active, int Limit);

public sealed record EventMembership(string User, string? UserEmail, string? UserName);

public sealed record Cancellation(string? CanceledBy, string? Reason, string? CancelerType, DateTimeOffset? CreatedAt);

public sealed record Invitee(
    string Uri,
    string Email,
    string Name,
    string Status,
    string? Timezone,
    string Event,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Rescheduled,
    string? OldInvitee,
    string? NewInvitee,
    string CancelUrl,
    string RescheduleUrl,
    Cancellation? Cancellation,
    NoShow? NoShow,
    IReadOnlyList<QuestionAndAnswer>? QuestionsAndAnswers);

public sealed record QuestionAndAnswer(string Question, string? Answer, int Position);

public sealed record NoShow(string Uri, DateTimeOffset CreatedAt, string? Invitee = null);

public sealed record AvailableTime(string Status, int InviteesRemaining, DateTimeOffset StartTime, string SchedulingUrl);

public sealed record AvailabilitySchedule(string Uri, bool Default, string Name, string User, string Timezone, IReadOnlyList<AvailabilityRule> Rules);

public sealed record AvailabilityRule(string Type, string? Wday, string? Date, IReadOnlyList<AvailabilityInterval> Intervals);

public sealed record AvailabilityInterval(string From, string To);

public sealed record BusyTime(string Type, DateTimeOffset StartTime, DateTimeOffset EndTime, DateTimeOffset? BufferedStartTime,
    DateTimeOffset? BufferedEndTime, BusyTimeEvent? Event);

public sealed record BusyTimeEvent(string Uri);

public sealed record WebhookSubscription(
    string Uri,
    string CallbackUrl,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? RetryStartedAt,
    string State,
    IReadOnlyList<string> Events,
    string Scope,
    string Organization,
    string? User,
    string? Creator);

/// <summary>The token endpoint's answer; <c>created_at</c> is Unix seconds (not a timestamp string).</summary>
public sealed record TokenResponse(
    string AccessToken,
    string RefreshToken,
    string TokenType,
    int ExpiresIn,
    long CreatedAt,
    string Owner,
    string Organization,
    string? Scope)
{
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(CreatedAt).AddSeconds(ExpiresIn);
}

/// <summary>REST errors: <c>{ title, message, details? }</c>.</summary>
public sealed record CalendlyErrorBody(string? Title, string? Message, IReadOnlyList<CalendlyErrorDetail>? Details);

public sealed record CalendlyErrorDetail(string? Parameter, string? Message);

/// <summary>OAuth errors: <c>{ error, error_description }</c> (RFC 6749).</summary>
public sealed record OAuthErrorBody(string? Error, string? ErrorDescription);

// Requests
public sealed record CancellationRequest(string? Reason);

public sealed record NoShowRequest(string Invitee);

public sealed record WebhookSubscriptionRequest(string Url, IReadOnlyList<string> Events, string Organization, string Scope, string? User, string? SigningKey);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CalendlyResource<CalendlyUser>))]
[JsonSerializable(typeof(CalendlyResource<EventType>))]
[JsonSerializable(typeof(CalendlyPage<EventType>))]
[JsonSerializable(typeof(CalendlyResource<ScheduledEvent>))]
[JsonSerializable(typeof(CalendlyPage<ScheduledEvent>))]
[JsonSerializable(typeof(CalendlyResource<Invitee>))]
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
public sealed partial class CalendlyJson : JsonSerializerContext;
