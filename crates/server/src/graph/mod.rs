//! The Cloud-API-compatible endpoint (`/graph/{version}/…`).

pub mod api;
