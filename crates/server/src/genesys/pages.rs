//! The bridge's dashboard pages: adapters over [`super::account`],
//! [`super::links`] and [`super::handover`], like the API.
//!
//! - [`settings`]: Settings → Genesys, the workspace's credentials and
//!   each number's link (`settings:manage`);
//! - [`bridge`]: `/app/genesys`, the bridge's figures and its
//!   conversations, open or all, 50 a page (`inbox:read`);
//! - [`thread`]: what the inbox thread shows about Genesys, and its
//!   "Hand to Genesys" and "Take back" buttons (`inbox:write`).
//!
//! Every form posts and comes back with a redirect; a refusal the user can
//! fix is shown beside the form with what was typed.

mod bridge;
mod settings;
mod thread;

pub use thread::{ThreadGenesys, thread_genesys};

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use domain::{Permission, Role};

pub fn router() -> Router<AppState> {
    const LINK: &str = "/app/settings/genesys/links/{channel}";
    Router::new()
        .route(
            settings::PATH,
            get(settings::view_genesys_settings).post(settings::update_account),
        )
        .route(
            "/app/settings/genesys/remove",
            post(settings::delete_account),
        )
        .route(LINK, post(settings::update_link))
        .route(&format!("{LINK}/remove"), post(settings::delete_link))
        .route(bridge::PATH, get(bridge::view_genesys))
        .route("/app/inbox/{id}/genesys", post(thread::hand_over))
        .route("/app/inbox/{id}/genesys/take-back", post(thread::take_back))
}

/// Whether a role may open `/app/genesys` (`inbox:read`): the main menu
/// shows the entry by it.
pub fn may_read(role: &str) -> bool {
    role.parse::<Role>()
        .is_ok_and(|r| r.allows(Permission::InboxRead))
}

/// Why a conversation went to Genesys or came back
/// ([`super::handover::Reason`]), in words.
pub fn reason_words(reason: &str) -> &'static str {
    match reason {
        "routing" => "the number's routing (every conversation)",
        "keyword" => "the customer, with a keyword",
        "automation" => "an automation",
        "agent" => "someone in the inbox",
        "api" => "an API key",
        "genesys" => "a Genesys agent, who wrote first",
        "ended" => "Genesys ended its conversation",
        "taken_back" => "taken back",
        "unlinked" => "the number was unlinked",
        _ => "another reason",
    }
}

/// A number's routing, in words.
pub fn routing_words(routing: &str) -> &'static str {
    match routing {
        "all" => "every conversation of this number",
        _ => "only conversations handed over (a keyword, an automation or someone in the inbox)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_who_reads_the_inbox_sees_the_bridge() {
        assert!(may_read("owner") && may_read("agent") && may_read("viewer"));
        assert!(!may_read("api key"));
        assert_eq!(reason_words("keyword"), "the customer, with a keyword");
        assert_eq!(reason_words("something new"), "another reason");
    }
}
