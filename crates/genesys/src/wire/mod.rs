//! Serde types of the Open Messaging wire formats (reference §1–§5), in
//! Genesys' camelCase. `None` options are left out when serialising;
//! unknown fields are ignored when deserialising, so newer Genesys fields
//! never break parsing.
//!
//! - `inbound`: what we send to Genesys (customer messages, typing events,
//!   receipts) and the answer to an inbound message.
//! - `outbound`: what Genesys POSTs to our webhook ([`OutboundMessage`]).
//! - `api`: integrations, conversations, error bodies and OAuth tokens.

mod api;
mod inbound;
mod outbound;

pub use api::{
    ApiErrorBody, Conversation, Integration, IntegrationRequest, Participant, TokenResponse,
};
pub use inbound::{
    Attachment, ChannelMetadata, Content, InboundChannel, InboundEvent, InboundMessage,
    InboundMessageResponse, Party, Reason, Receipt, ReceiptChannel, Typing, TypingEvent,
};
pub use outbound::{OutboundChannel, OutboundMessage};

/// The Genesys receipt reason code (`reasons[].code`) for a WhatsApp error
/// code (Meta's numeric `error.code`; `None` when unknown), per the table in
/// reference §5. Where the table offers two codes for two WhatsApp codes,
/// they pair up in order (131050 -> `RecipientOptedOut`, 130472 ->
/// `MessageNotAllowed`; 131052 -> `MediaTypeNotAllowed`, 131053 ->
/// `InvalidMediaContentLength`). Anything else is `GeneralError`.
pub fn reason_for_whatsapp_code(code: Option<i64>) -> &'static str {
    match code {
        Some(131_047) => "MessageExpired",
        Some(130_429 | 131_056 | 131_048 | 80_007) => "RateLimited",
        Some(131_026 | 131_021 | 131_030) => "InvalidDestination",
        Some(131_050) => "RecipientOptedOut",
        Some(130_472) => "MessageNotAllowed",
        Some(131_051) => "UnsupportedMessage",
        Some(131_052) => "MediaTypeNotAllowed",
        Some(131_053) => "InvalidMediaContentLength",
        Some(132_000..=132_016) => "InvalidMessageStructure",
        Some(131_000 | 131_016 | 1 | 2) => "ServerError",
        _ => "GeneralError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_codes_map_to_reasons() {
        assert_eq!(reason_for_whatsapp_code(Some(131_047)), "MessageExpired");
        assert_eq!(
            reason_for_whatsapp_code(Some(132_016)),
            "InvalidMessageStructure"
        );
        assert_eq!(reason_for_whatsapp_code(Some(132_017)), "GeneralError");
        assert_eq!(reason_for_whatsapp_code(None), "GeneralError");
    }
}
