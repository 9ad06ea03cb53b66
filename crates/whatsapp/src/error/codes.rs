//! Meta error codes used by the platform (reference §2.4), as named
//! constants. `title` gives the short meaning, handy for building
//! Meta-shaped error bodies (`"(#<code>) <title>"`).

/// AuthException (token invalid).
pub const AUTH_EXCEPTION: i64 = 0;
/// API unknown.
pub const API_UNKNOWN: i64 = 1;
/// API service temporarily unavailable.
pub const API_SERVICE: i64 = 2;
/// API method / capability missing.
pub const API_METHOD: i64 = 3;
/// Too many API calls (app-level Graph rate limit).
pub const API_TOO_MANY_CALLS: i64 = 4;
/// Permission denied.
pub const PERMISSION_DENIED: i64 = 10;
/// Invalid parameter (subcode 33: object does not exist / no permission).
pub const INVALID_PARAMETER: i64 = 100;
/// Subcode of [`INVALID_PARAMETER`] for unknown or inaccessible object ids.
pub const SUBCODE_OBJECT_NOT_FOUND: i64 = 33;
/// Access token expired or invalid.
pub const ACCESS_TOKEN_INVALID: i64 = 190;
/// First code of the "API permission missing" range (200-299).
pub const API_PERMISSION_FIRST: i64 = 200;
/// Last code of the "API permission missing" range (200-299).
pub const API_PERMISSION_LAST: i64 = 299;
/// Temporarily blocked for policy violations.
pub const POLICY_BLOCKED: i64 = 368;
/// WABA/app rate limit reached (Business Management calls).
pub const BUSINESS_RATE_LIMIT: i64 = 80007;
/// Cloud API throughput limit reached (per-number messages per second).
pub const THROUGHPUT: i64 = 130429;
/// User's number is part of an experiment (marketing).
pub const EXPERIMENT: i64 = 130472;
/// Business account restricted from messaging users in this country.
pub const COUNTRY_RESTRICTED: i64 = 130497;
/// Something went wrong (generic, transient).
pub const GENERIC: i64 = 131000;
/// Access denied.
pub const ACCESS_DENIED: i64 = 131005;
/// Required parameter missing.
pub const PARAMETER_MISSING: i64 = 131008;
/// Parameter value invalid.
pub const PARAMETER_INVALID: i64 = 131009;
/// Service unavailable.
pub const SERVICE_UNAVAILABLE: i64 = 131016;
/// Recipient cannot be sender.
pub const RECIPIENT_IS_SENDER: i64 = 131021;
/// Message undeliverable.
pub const UNDELIVERABLE: i64 = 131026;
/// Recipient not in allowed list (test numbers).
pub const RECIPIENT_NOT_ALLOWED: i64 = 131030;
/// Business account locked.
pub const ACCOUNT_LOCKED: i64 = 131031;
/// Display name not approved.
pub const DISPLAY_NAME_NOT_APPROVED: i64 = 131037;
/// Business eligibility / payment issue.
pub const PAYMENT_ISSUE: i64 = 131042;
/// Incorrect certificate / unregistered number.
pub const CERTIFICATE: i64 = 131045;
/// Re-engagement: more than 24 h since the user's last message.
pub const REENGAGEMENT: i64 = 131047;
/// Spam rate limit hit (quality).
pub const SPAM_RATE_LIMIT: i64 = 131048;
/// Not delivered to maintain healthy ecosystem engagement (marketing cap).
pub const ECOSYSTEM_ENGAGEMENT: i64 = 131049;
/// User stopped marketing messages.
pub const MARKETING_OPT_OUT: i64 = 131050;
/// Unsupported message type (inbound webhooks).
pub const UNSUPPORTED_MESSAGE_TYPE: i64 = 131051;
/// Media download error (inbound media could not be fetched).
pub const MEDIA_DOWNLOAD: i64 = 131052;
/// Media upload error (link unreachable / bad mime).
pub const MEDIA_UPLOAD: i64 = 131053;
/// Pair rate limit: too many messages to the same user.
pub const PAIR_RATE_LIMIT: i64 = 131056;
/// Account in maintenance mode.
pub const MAINTENANCE_MODE: i64 = 131057;
/// Template parameter count mismatch.
pub const TEMPLATE_PARAM_COUNT: i64 = 132000;
/// Template does not exist (name/language not found or not approved).
pub const TEMPLATE_NOT_FOUND: i64 = 132001;
/// Translated template text too long.
pub const TEMPLATE_TEXT_TOO_LONG: i64 = 132005;
/// Template format character policy violated.
pub const TEMPLATE_FORMAT_POLICY: i64 = 132007;
/// Template parameter format mismatch.
pub const TEMPLATE_PARAM_FORMAT: i64 = 132012;
/// Template paused (low quality).
pub const TEMPLATE_PAUSED: i64 = 132015;
/// Template disabled.
pub const TEMPLATE_DISABLED: i64 = 132016;
/// Flow blocked.
pub const FLOW_BLOCKED: i64 = 132068;
/// Flow throttled.
pub const FLOW_THROTTLED: i64 = 132069;
/// Phone number not registered.
pub const NUMBER_NOT_REGISTERED: i64 = 133010;
/// Account registration/deregistration rate limit.
pub const REGISTRATION_RATE_LIMIT: i64 = 133016;
/// Generic user error.
pub const GENERIC_USER_ERROR: i64 = 135000;

/// Every code of the reference table (the 200-299 range represented by
/// [`API_PERMISSION_FIRST`]).
pub const ALL: &[i64] = &[
    AUTH_EXCEPTION,
    API_UNKNOWN,
    API_SERVICE,
    API_METHOD,
    API_TOO_MANY_CALLS,
    PERMISSION_DENIED,
    INVALID_PARAMETER,
    ACCESS_TOKEN_INVALID,
    API_PERMISSION_FIRST,
    POLICY_BLOCKED,
    BUSINESS_RATE_LIMIT,
    THROUGHPUT,
    EXPERIMENT,
    COUNTRY_RESTRICTED,
    GENERIC,
    ACCESS_DENIED,
    PARAMETER_MISSING,
    PARAMETER_INVALID,
    SERVICE_UNAVAILABLE,
    RECIPIENT_IS_SENDER,
    UNDELIVERABLE,
    RECIPIENT_NOT_ALLOWED,
    ACCOUNT_LOCKED,
    DISPLAY_NAME_NOT_APPROVED,
    PAYMENT_ISSUE,
    CERTIFICATE,
    REENGAGEMENT,
    SPAM_RATE_LIMIT,
    ECOSYSTEM_ENGAGEMENT,
    MARKETING_OPT_OUT,
    UNSUPPORTED_MESSAGE_TYPE,
    MEDIA_DOWNLOAD,
    MEDIA_UPLOAD,
    PAIR_RATE_LIMIT,
    MAINTENANCE_MODE,
    TEMPLATE_PARAM_COUNT,
    TEMPLATE_NOT_FOUND,
    TEMPLATE_TEXT_TOO_LONG,
    TEMPLATE_FORMAT_POLICY,
    TEMPLATE_PARAM_FORMAT,
    TEMPLATE_PAUSED,
    TEMPLATE_DISABLED,
    FLOW_BLOCKED,
    FLOW_THROTTLED,
    NUMBER_NOT_REGISTERED,
    REGISTRATION_RATE_LIMIT,
    GENERIC_USER_ERROR,
];

/// The retryable set of the reference ("Retryable set for a sender worker").
pub const RETRYABLE: &[i64] = &[
    API_UNKNOWN,
    API_SERVICE,
    API_TOO_MANY_CALLS,
    BUSINESS_RATE_LIMIT,
    THROUGHPUT,
    GENERIC,
    SERVICE_UNAVAILABLE,
    PAIR_RATE_LIMIT,
    MAINTENANCE_MODE,
    REGISTRATION_RATE_LIMIT,
];

/// Short meaning of a code from the reference table.
pub fn title(code: i64) -> Option<&'static str> {
    Some(match code {
        AUTH_EXCEPTION => "AuthException",
        API_UNKNOWN => "API Unknown",
        API_SERVICE => "API Service temporarily unavailable",
        API_METHOD => "API Method",
        API_TOO_MANY_CALLS => "API Too Many Calls",
        PERMISSION_DENIED => "Permission Denied",
        INVALID_PARAMETER => "Invalid parameter",
        ACCESS_TOKEN_INVALID => "Access token has expired or is invalid",
        API_PERMISSION_FIRST..=API_PERMISSION_LAST => "API Permission",
        POLICY_BLOCKED => "Temporarily blocked for policies violations",
        BUSINESS_RATE_LIMIT => "Rate limit hit",
        THROUGHPUT => "Rate limit hit",
        EXPERIMENT => "User's number is part of an experiment",
        COUNTRY_RESTRICTED => "Business account is restricted from messaging users in this country",
        GENERIC => "Something went wrong",
        ACCESS_DENIED => "Access denied",
        PARAMETER_MISSING => "Required parameter is missing",
        PARAMETER_INVALID => "Parameter value is not valid",
        SERVICE_UNAVAILABLE => "Service unavailable",
        RECIPIENT_IS_SENDER => "Recipient cannot be sender",
        UNDELIVERABLE => "Message undeliverable",
        RECIPIENT_NOT_ALLOWED => "Recipient phone number not in allowed list",
        ACCOUNT_LOCKED => "Business Account locked",
        DISPLAY_NAME_NOT_APPROVED => "Display name approval needed",
        PAYMENT_ISSUE => "Business eligibility payment issue",
        CERTIFICATE => "Incorrect certificate",
        REENGAGEMENT => "Re-engagement message",
        SPAM_RATE_LIMIT => "Spam rate limit hit",
        ECOSYSTEM_ENGAGEMENT => "Message not delivered to maintain healthy ecosystem engagement",
        MARKETING_OPT_OUT => "User has stopped marketing messages",
        UNSUPPORTED_MESSAGE_TYPE => "Message type unknown",
        MEDIA_DOWNLOAD => "Media download error",
        MEDIA_UPLOAD => "Media upload error",
        PAIR_RATE_LIMIT => "(Business Account, Consumer Account) pair rate limit hit",
        MAINTENANCE_MODE => "Account has been in maintenance mode",
        TEMPLATE_PARAM_COUNT => "Template Param Count Mismatch",
        TEMPLATE_NOT_FOUND => "Template name does not exist in the translation",
        TEMPLATE_TEXT_TOO_LONG => "Template Hydrated Text Too Long",
        TEMPLATE_FORMAT_POLICY => "Template Format Character Policy Violated",
        TEMPLATE_PARAM_FORMAT => "Template Parameter Format Mismatch",
        TEMPLATE_PAUSED => "Template is Paused",
        TEMPLATE_DISABLED => "Template is Disabled",
        FLOW_BLOCKED => "Flow is in blocked state",
        FLOW_THROTTLED => "Flow is in throttled state",
        NUMBER_NOT_REGISTERED => "Phone number not registered",
        REGISTRATION_RATE_LIMIT => "Rate limit exceeded",
        GENERIC_USER_ERROR => "Generic user error",
        _ => return None,
    })
}
