//! Storage of the `campaigns` area (see the server's `crate::campaigns`).
