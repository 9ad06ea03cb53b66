//! `GET /{phone_number_id}`: phone number details (credential checks).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::GraphClient;
use crate::error::GraphError;
use crate::lenient;

/// Fields requested by [`GraphClient::phone_number_info`] callers that want
/// the usual set (reference §6).
pub const PHONE_NUMBER_FIELDS: &[&str] = &[
    "verified_name",
    "display_phone_number",
    "quality_rating",
    "code_verification_status",
    "platform_type",
    "throughput",
    "name_status",
    "messaging_limit_tier",
];

/// A business phone number. Enum-like fields are open strings
/// (`quality_rating`: GREEN/YELLOW/RED/UNKNOWN, ...); unrequested or unknown
/// fields land in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumberInfo {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub verified_name: Option<String>,
    /// Formatted, e.g. `+1 555-078-3881`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_phone_number: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub quality_rating: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub code_verification_status: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub platform_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub throughput: Option<Throughput>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name_status: Option<String>,
    /// Deprecated by Meta; `TIER_250` ... `TIER_UNLIMITED`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub messaging_limit_tier: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `throughput` of a phone number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throughput {
    /// `STANDARD`, `HIGH`, `NOT_APPLICABLE`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub level: Option<String>,
}

impl GraphClient {
    /// Reads a phone number with the given `fields` (none: Meta's default
    /// set). Doubles as a credential check: 200 means the token can access
    /// the number; 190 means a bad token; 100/33 a wrong id or no access;
    /// 10/200 missing permissions.
    pub async fn phone_number_info(
        &self,
        phone_number_id: &str,
        token: &str,
        fields: &[&str],
    ) -> Result<PhoneNumberInfo, GraphError> {
        let mut url = self.url(&[phone_number_id])?;
        if !fields.is_empty() {
            url.query_pairs_mut()
                .append_pair("fields", &fields.join(","));
        }
        let request = self.request(Method::GET, url, token)?;
        self.execute(request, "phone_number.get").await
    }
}
