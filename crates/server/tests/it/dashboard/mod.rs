//! The web dashboard: plain HTTP tests (both engines) and browser tests
//! driving headless Chromium through chromedriver (SQLite only).

mod browser;
mod browser_analytics;
mod browser_automations;
mod browser_automations_replies;
mod browser_bookings;
mod browser_bots;
mod browser_campaigns;
mod browser_contacts;
mod browser_deals;
mod browser_genesys;
mod browser_imports;
mod browser_inbox;
mod browser_notes;
mod browser_scheduled;
mod browser_segments;
mod browser_tags;
mod browser_teams;
mod browser_templates;
mod browser_webhooks;
pub(crate) mod client;
mod http;
mod http_analytics;
mod http_auto_tags;
mod http_automations;
mod http_automations_inbound;
mod http_bookings;
mod http_drips;
mod http_flows;
mod http_genesys;
mod http_hours;
mod http_imports;
mod http_inbox;
mod http_webhooks;
mod webdriver;
