//! Storage of the `scheduled` area (see the server's `crate::scheduled`).
