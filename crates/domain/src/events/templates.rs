//! Message templates: event payloads, beside the [`super::Event`] list that names
//! them.
